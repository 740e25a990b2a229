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
public sealed class LocalSnapshot : IDisposable
{
    private LocalSnapshot(string path, FileDigest digest, SnapshotKind kind)
    {
        Path = path;
        Digest = digest;
        Kind = kind;
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
        var temp = System.IO.Path.Combine(folder, $".hfpersist-{Guid.NewGuid():N}.snapshot");
        try
        {
            if (SqliteFiles.IsSqlite(localPath))
            {
                await SqliteFiles.SnapshotAsync(localPath, temp, busyTimeout, cancellationToken).ConfigureAwait(false);
                var digest = await FileDigest.OfFileAsync(temp, cancellationToken).ConfigureAwait(false);
                return new LocalSnapshot(temp, digest, SnapshotKind.Sqlite);
            }
            var copied = await FileDigest.CopyFileAsync(localPath, temp, cancellationToken).ConfigureAwait(false);
            return new LocalSnapshot(temp, copied, SnapshotKind.File);
        }
        catch
        {
            File.Delete(temp);
            SqliteFiles.DeleteSidecars(temp);
            throw;
        }
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
    }
}
