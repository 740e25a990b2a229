using System.Security.Cryptography;
using HfCtl.Testing;
using HfHub.Persistence;
using Microsoft.Data.Sqlite;

namespace HfHub.Tests.Persistence;

public sealed class SqliteSnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfpersist-unit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static List<long> Ids(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM rows ORDER BY id";
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    [Fact]
    public void Detects_sqlite_by_header_only()
    {
        var db = Path.Combine(_dir, "data.bin");
        using (var c = PersistTestData.OpenWal(db))
        {
            PersistTestData.Exec(c, "INSERT INTO rows(payload) VALUES ('x')");
        }
        var text = Path.Combine(_dir, "data.sqlite");
        File.WriteAllText(text, "SQLite format 2 but not really");
        var shortFile = Path.Combine(_dir, "short.db");
        File.WriteAllText(shortFile, "SQLite");

        Assert.True(SqliteFiles.IsSqlite(db));
        Assert.False(SqliteFiles.IsSqlite(text));
        Assert.False(SqliteFiles.IsSqlite(shortFile));
        Assert.False(SqliteFiles.IsSqlite(Path.Combine(_dir, "missing.db")));
    }

    [Fact]
    public async Task Snapshot_includes_committed_rows_still_in_the_wal()
    {
        var db = Path.Combine(_dir, "live.db");
        using var writer = PersistTestData.OpenWal(db);
        PersistTestData.Exec(writer, "PRAGMA wal_autocheckpoint=0");
        for (var i = 0; i < 100; i++)
        {
            PersistTestData.Exec(writer, $"INSERT INTO rows(payload) VALUES ('row {i}')");
        }
        Assert.True(new FileInfo(db + "-wal").Length > 0);

        using var snapshot = await LocalSnapshot.TakeAsync(db, _dir);

        Assert.Equal(SnapshotKind.Sqlite, snapshot.Kind);
        Assert.Equal(100, Ids(snapshot.Path).Count);
        Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(snapshot.Path));
        Assert.False(File.Exists(snapshot.Path + "-wal"));
    }

    [Fact]
    public async Task Snapshots_of_an_unchanged_database_are_byte_identical()
    {
        var db = Path.Combine(_dir, "same.db");
        using (var c = PersistTestData.OpenWal(db))
        {
            PersistTestData.Exec(c, "INSERT INTO rows(payload) VALUES ('a'), ('b')");
        }
        using var first = await LocalSnapshot.TakeAsync(db, _dir);
        using var second = await LocalSnapshot.TakeAsync(db, _dir);
        Assert.Equal(first.Digest, second.Digest);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(first.Path))), first.Digest.Sha256);
    }

    [Fact]
    public async Task Snapshots_taken_while_a_writer_inserts_are_consistent_prefixes()
    {
        var db = Path.Combine(_dir, "busy.db");
        using (var c = PersistTestData.OpenWal(db))
        {
        }
        using var stop = new CancellationTokenSource();
        var written = 0L;
        var writer = Task.Run(() =>
        {
            using var c = PersistTestData.OpenWal(db);
            while (!stop.IsCancellationRequested)
            {
                // Two statements per transaction, so a torn copy would show a gap or an odd count.
                PersistTestData.Exec(c, "BEGIN; INSERT INTO rows(payload) VALUES (hex(randomblob(200))); INSERT INTO rows(payload) VALUES (hex(randomblob(200))); COMMIT");
                Interlocked.Add(ref written, 2);
            }
        });
        var previous = -1;
        for (var i = 0; i < 15; i++)
        {
            using var snapshot = await LocalSnapshot.TakeAsync(db, _dir);
            Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(snapshot.Path));
            var ids = Ids(snapshot.Path);
            Assert.Equal(Enumerable.Range(1, ids.Count).Select(x => (long)x), ids);
            Assert.True(ids.Count % 2 == 0, "a transaction was split");
            Assert.True(ids.Count >= previous);
            previous = ids.Count;
        }
        await stop.CancelAsync();
        await writer;
        Assert.True(Interlocked.Read(ref written) > 0);
        Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(db));
    }

    [Fact]
    public async Task Plain_files_are_copied_with_their_hash()
    {
        var file = Path.Combine(_dir, "notes.txt");
        await File.WriteAllTextAsync(file, "hello");
        using var snapshot = await LocalSnapshot.TakeAsync(file, _dir);
        Assert.Equal(SnapshotKind.File, snapshot.Kind);
        Assert.Equal(new FileDigest(Convert.ToHexStringLower(SHA256.HashData("hello"u8)), 5), snapshot.Digest);
    }

    [Fact]
    public async Task Missing_files_and_directories_are_refused()
    {
        var missing = await Assert.ThrowsAsync<PersistenceException>(() => LocalSnapshot.TakeAsync(Path.Combine(_dir, "nope.db"), _dir));
        Assert.Contains("does not exist", missing.Message);
        var folder = await Assert.ThrowsAsync<PersistenceException>(() => LocalSnapshot.TakeAsync(_dir, _dir));
        Assert.Contains("is a directory", folder.Message);
    }

    [Fact]
    public async Task Integrity_check_reports_a_damaged_database()
    {
        var db = Path.Combine(_dir, "damaged.db");
        using (var c = PersistTestData.OpenWal(db))
        {
            for (var i = 0; i < 200; i++)
            {
                PersistTestData.Exec(c, $"INSERT INTO rows(payload) VALUES ('{new string('x', 500)}')");
            }
            PersistTestData.Exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        var bytes = await File.ReadAllBytesAsync(db);
        for (var i = 4096 * 2; i < 4096 * 4; i++)
        {
            bytes[i] = 0x5A;
        }
        await File.WriteAllBytesAsync(db, bytes);
        Assert.NotEqual("ok", await SqliteFiles.IntegrityCheckAsync(db));
    }

    [Fact]
    public async Task Install_removes_a_stale_wal_so_it_is_never_replayed()
    {
        var target = Path.Combine(_dir, "target.db");
        using (var c = PersistTestData.OpenWal(target))
        {
            PersistTestData.Exec(c, "INSERT INTO rows(payload) VALUES ('old')");
        }
        File.WriteAllBytes(target + "-wal", new byte[4096]);
        File.WriteAllBytes(target + "-shm", new byte[4096]);
        var source = Path.Combine(_dir, "source.db");
        using (var c = PersistTestData.OpenWal(source))
        {
            PersistTestData.Exec(c, "INSERT INTO rows(payload) VALUES ('new'), ('newer')");
        }
        using var snapshot = await LocalSnapshot.TakeAsync(source, _dir);
        var temp = AtomicFile.TempBeside(target);
        File.Copy(snapshot.Path, temp);

        AtomicFile.Install(temp, target, isDatabase: true);

        Assert.False(File.Exists(target + "-wal"));
        Assert.False(File.Exists(target + "-shm"));
        Assert.False(File.Exists(temp));
        Assert.Equal(2, Ids(target).Count);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("db/../../x")]
    [InlineData("")]
    [InlineData("/")]
    [InlineData(".git/config")]
    [InlineData(".hfpersist/db.json")]
    public void Bad_remote_paths_are_refused(string path)
    {
        var e = Assert.Throws<PersistenceException>(() => PersistPath.Normalize(path));
        Assert.StartsWith("invalid remote path", e.Message);
    }

    [Theory]
    [InlineData("db/data.sqlite", "db/data.sqlite")]
    [InlineData("./db/data.sqlite", "db/data.sqlite")]
    [InlineData("/data.db", "data.db")]
    [InlineData("db\\win.db", "db/win.db")]
    public void Remote_paths_are_normalised(string path, string expected) =>
        Assert.Equal(expected, PersistPath.Normalize(path));
}
