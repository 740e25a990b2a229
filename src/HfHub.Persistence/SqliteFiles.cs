using System.Text;
using Microsoft.Data.Sqlite;

namespace HfHub.Persistence;

/// <summary>
/// SQLite-aware file handling: detection by header, consistent snapshots of a live database and
/// integrity checks. Every connection here is unpooled so no file handle outlives the call
/// (a pooled handle would keep a replaced database open).
/// </summary>
public static class SqliteFiles
{
    /// <summary>The 16 bytes every SQLite 3 database starts with.</summary>
    private static readonly byte[] Header = Encoding.ASCII.GetBytes("SQLite format 3\0");

    /// <summary>The side files SQLite keeps next to a database.</summary>
    public static readonly IReadOnlyList<string> SidecarSuffixes = ["-wal", "-shm", "-journal"];

    /// <summary>How long a snapshot waits for a writer's lock before giving up (SQLite's busy timeout).</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>True when the file starts with the SQLite 3 header. Missing or short files are not SQLite.</summary>
    public static bool IsSqlite(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            Span<byte> buffer = stackalloc byte[16];
            return stream.ReadAtLeast(buffer, 16, throwOnEndOfStream: false) == 16 && buffer.SequenceEqual(Header);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes a consistent copy of a live database to <paramref name="destination"/> (which must not
    /// exist) with SQLite's online backup API, all pages in one step under one read transaction, so
    /// writers in WAL mode keep going and the copy never restarts; committed pages still in the
    /// <c>-wal</c> are included. The copy is then checked with <c>PRAGMA integrity_check</c>.
    /// </summary>
    public static async Task SnapshotAsync(string source, string destination, TimeSpan? busyTimeout = null, CancellationToken cancellationToken = default)
    {
        await BackupAsync(source, destination, busyTimeout, cancellationToken).ConfigureAwait(false);
        var check = await IntegrityCheckAsync(destination, cancellationToken).ConfigureAwait(false);
        if (check != "ok")
        {
            throw new PersistenceException($"'{source}' is damaged: the integrity check of its snapshot says \"{check}\"; nothing was saved");
        }
    }

    /// <summary>The backup step of <see cref="SnapshotAsync"/>, without the integrity check (the caller runs it).</summary>
    internal static async Task BackupAsync(string source, string destination, TimeSpan? busyTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (File.Exists(destination))
        {
            throw new IOException($"snapshot target '{destination}' exists already");
        }
        // The backup runs on a worker thread: it is synchronous and can take seconds for a big file.
        try
        {
            await RunBackupAsync(source, destination, busyTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is CorruptCode or NotADatabaseCode)
        {
            TryDelete(destination);
            DeleteSidecars(destination);
            throw new PersistenceIntegrityException($"'{source}' is damaged: SQLite says \"{ErrorText(e)}\"; nothing was saved");
        }
        DeleteSidecars(destination);
        cancellationToken.ThrowIfCancellationRequested();
    }

    // SQLITE_CORRUPT and SQLITE_NOTADB (https://www.sqlite.org/rescode.html).
    private const int CorruptCode = 11;
    private const int NotADatabaseCode = 26;

    /// <summary>SQLite's own words, without Microsoft.Data.Sqlite's "SQLite Error 11: '…'." frame and its link.</summary>
    public static string ErrorText(SqliteException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = e.Message;
        var quote = text.IndexOf('\'', StringComparison.Ordinal);
        if (text.StartsWith("SQLite Error", StringComparison.Ordinal) && quote > 0)
        {
            text = text[(quote + 1)..].TrimEnd('.').TrimEnd('\'');
        }
        var link = text.IndexOf(" For more information", StringComparison.Ordinal);
        return (link >= 0 ? text[..link] : text).ReplaceLineEndings(" ").Trim();
    }

    private static Task RunBackupAsync(string source, string destination, TimeSpan? busyTimeout, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            // Both sides go through the streaming VFS shims: the source is read 1 MiB at a time, the copy
            // written 1 MiB at a time, instead of one system call per page each.
            using var from = Open(StreamingVfs.Uri(source, StreamingVfs.ReadAhead), SqliteOpenMode.ReadWrite, busyTimeout ?? DefaultBusyTimeout);
            using var to = Open(StreamingVfs.Uri(destination, StreamingVfs.WriteBehind), SqliteOpenMode.ReadWriteCreate, busyTimeout ?? DefaultBusyTimeout);
            // The copy is a throw-away temp file: no rollback journal and no fsync for it (the write-behind
            // VFS turns the commit's sync into "write out what is gathered", which also surfaces a write
            // error to the backup). A crash mid-copy leaves only a temp file nobody reads; the source is never written.
            using (var command = to.CreateCommand())
            {
                command.CommandText = "PRAGMA journal_mode = OFF; PRAGMA synchronous = NORMAL";
                command.ExecuteNonQuery();
            }
            from.BackupDatabase(to);
        }, cancellationToken);

    /// <summary>
    /// Runs <c>PRAGMA integrity_check</c> and returns "ok" or the first problems found (one line).
    /// A file that SQLite cannot read at all reports the error instead of throwing.
    /// </summary>
    public static Task<string> IntegrityCheckAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Task.Run(() =>
        {
            var hadWal = File.Exists(path + "-wal");
            var hadShm = File.Exists(path + "-shm");
            try
            {
                // Read-write so a database whose header says WAL can be opened without an existing -shm.
                // Through the read-ahead VFS: the check reads every page, mostly in file order.
                using var connection = Open(StreamingVfs.Uri(path, StreamingVfs.ReadAhead), SqliteOpenMode.ReadWrite, DefaultBusyTimeout);
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA integrity_check(5)";
                using var reader = command.ExecuteReader();
                var lines = new List<string>();
                while (reader.Read())
                {
                    lines.Add(reader.GetString(0));
                }
                return lines is ["ok"] ? "ok" : string.Join("; ", lines).ReplaceLineEndings(" ");
            }
            catch (SqliteException e)
            {
                return ErrorText(e);
            }
            finally
            {
                // Opening may create side files; leave the folder as it was.
                if (!hadWal)
                {
                    TryDelete(path + "-wal");
                }
                if (!hadShm)
                {
                    TryDelete(path + "-shm");
                }
            }
        }, cancellationToken);
    }

    private static int s_prepared;

    /// <summary>
    /// Loads SQLite, registers the I/O shims and runs one query on an in-memory database on a worker
    /// thread, once per process, so that a check after a long download does not pay for that first use
    /// (about 70 ms with JIT). A failure here is left for the real call to report.
    /// </summary>
    internal static void PrepareInBackground()
    {
        if (Interlocked.Exchange(ref s_prepared, 1) != 0)
        {
            return;
        }
        _ = Task.Run(() =>
        {
            try
            {
                _ = StreamingVfs.EnsureRegistered();
                using var connection = Open(":memory:", SqliteOpenMode.Memory, DefaultBusyTimeout);
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA integrity_check(5)";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    _ = reader.GetString(0);
                }
            }
            catch (Exception e) when (e is SqliteException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
            {
            }
        });
    }

    /// <summary>Folds a database's <c>-wal</c> into the main file (best effort: a failure leaves it as it was).</summary>
    public static void Checkpoint(string databasePath)
    {
        try
        {
            using var connection = Open(databasePath, SqliteOpenMode.ReadWrite, DefaultBusyTimeout);
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            command.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
        }
    }

    /// <summary>Removes a database's <c>-wal</c>, <c>-shm</c> and <c>-journal</c> files, if any.</summary>
    public static void DeleteSidecars(string databasePath)
    {
        foreach (var suffix in SidecarSuffixes)
        {
            TryDelete(databasePath + suffix);
        }
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode, TimeSpan busyTimeout)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        // SQLite's own busy handler, so lock waits happen inside the backup step as well.
        command.CommandText = $"PRAGMA busy_timeout = {(int)busyTimeout.TotalMilliseconds}";
        command.ExecuteNonQuery();
        return connection;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
