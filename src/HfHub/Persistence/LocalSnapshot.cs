namespace HfHub.Persistence;

/// <summary>What kind of file a snapshot was taken of.</summary>
public enum SnapshotKind
{
    /// <summary>Any file, copied as bytes.</summary>
    File,
    /// <summary>A SQLite database, copied through the online backup API.</summary>
    Sqlite,
}

/// <summary>
/// A frozen copy of a local file in a temp file, with its SHA-256 and size: what gets uploaded,
/// never the live file. Disposing deletes the temp file.
/// </summary>
/// <remarks>
/// The owner holds an exclusive lock (an flock on Unix) on <c>&lt;snapshot&gt;.lock</c> while the
/// snapshot lives. A process killed mid-save leaves both files behind, unlocked, and the next
/// snapshot taken in the same folder removes them; a live owner's lock (in any process sharing
/// the folder) keeps its snapshot.
/// </remarks>
public sealed class LocalSnapshot : IDisposable
{
    private const string LockSuffix = ".lock";
    private readonly FileStream? _ownerLock;

    private LocalSnapshot(string path, FileDigest digest, SnapshotKind kind, FileStream? ownerLock)
    {
        Path = path;
        Digest = digest;
        Kind = kind;
        _ownerLock = ownerLock;
    }

    /// <summary>The temp file holding the frozen bytes.</summary>
    public string Path { get; }

    /// <summary>SHA-256 and size of the frozen bytes.</summary>
    public FileDigest Digest { get; }

    /// <summary>Whether this is a SQLite snapshot or a plain copy.</summary>
    public SnapshotKind Kind { get; }

    /// <summary>
    /// Freezes <paramref name="localPath"/>: a SQLite database (by header) through a consistent
    /// snapshot, anything else by a streamed copy. The temp file goes to <paramref name="tempDirectory"/>
    /// (default: the system temp folder).
    /// </summary>
    public static async Task<LocalSnapshot> TakeAsync(string localPath, string? tempDirectory = null, TimeSpan? busyTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(localPath);
        if (Directory.Exists(localPath))
        {
            throw new PersistenceException($"'{localPath}' is a directory, not a file");
        }
        if (!File.Exists(localPath))
        {
            throw new PersistenceException($"local file '{localPath}' does not exist");
        }
        var folder = tempDirectory ?? System.IO.Path.GetTempPath();
        Directory.CreateDirectory(folder);
        SweepAbandoned(folder);
        var temp = System.IO.Path.Combine(folder, $".hfpersist-{Guid.NewGuid():N}.snapshot");
        var ownerLock = new FileStream(temp + LockSuffix, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            if (SqliteFiles.IsSqlite(localPath))
            {
                await SqliteFiles.SnapshotAsync(localPath, temp, busyTimeout, cancellationToken).ConfigureAwait(false);
                var digest = await FileDigest.OfFileAsync(temp, cancellationToken).ConfigureAwait(false);
                return new LocalSnapshot(temp, digest, SnapshotKind.Sqlite, ownerLock);
            }
            var copied = await FileDigest.CopyFileAsync(localPath, temp, cancellationToken).ConfigureAwait(false);
            return new LocalSnapshot(temp, copied, SnapshotKind.File, ownerLock);
        }
        catch
        {
            File.Delete(temp);
            SqliteFiles.DeleteSidecars(temp);
            Release(ownerLock, temp);
            throw;
        }
    }

    /// <summary>Removes snapshots whose owner died: their lock file is there but nobody holds it.</summary>
    private static void SweepAbandoned(string folder)
    {
        List<string> locks;
        try
        {
            locks = [.. Directory.EnumerateFiles(folder, ".hfpersist-*.snapshot" + LockSuffix)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var lockPath in locks)
        {
            try
            {
                using (new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    var snapshot = lockPath[..^LockSuffix.Length];
                    File.Delete(snapshot);
                    SqliteFiles.DeleteSidecars(snapshot);
                    File.Delete(lockPath);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Locked: its owner is alive (or it just went away).
            }
        }
    }

    private static void Release(FileStream? ownerLock, string snapshot)
    {
        if (ownerLock is null)
        {
            return;
        }
        try
        {
            File.Delete(snapshot + LockSuffix);
        }
        catch (IOException)
        {
        }
        ownerLock.Dispose();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
        Release(_ownerLock, Path);
    }
}
