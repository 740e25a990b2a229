using HfHub.Files;

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
    private readonly OwnedTempFile _owned;
    private readonly Task _verified;

    private LocalSnapshot(OwnedTempFile owned, ContentDigest content, SnapshotKind kind, Task? verified = null)
    {
        _owned = owned;
        _verified = verified ?? Task.CompletedTask;
        Path = owned.Path;
        Content = content;
        Digest = new FileDigest(content.Sha256, content.Size);
        Kind = kind;
    }

    /// <summary>The temp file holding the frozen bytes.</summary>
    public string Path { get; }

    /// <summary>SHA-256 and size of the frozen bytes.</summary>
    public FileDigest Digest { get; }

    /// <summary>The hashes the upload needs, computed while the snapshot was made, so it is not read again to hash it.</summary>
    internal ContentDigest Content { get; }

    /// <summary>Whether this is a SQLite snapshot or a plain copy.</summary>
    public SnapshotKind Kind { get; }

    /// <summary>
    /// Freezes <paramref name="localPath"/>: a SQLite database (by header) through a consistent
    /// snapshot, anything else by a streamed copy. The temp file goes to <paramref name="tempDirectory"/>
    /// (default: the system temp folder).
    /// </summary>
    public static Task<LocalSnapshot> TakeAsync(string localPath, string? tempDirectory = null, TimeSpan? busyTimeout = null, CancellationToken cancellationToken = default) =>
        TakeAsync(localPath, tempDirectory, busyTimeout, deferIntegrityCheck: false, cancellationToken);

    /// <summary>
    /// Completes when a SQLite snapshot's integrity check has passed; throws <see cref="PersistenceException"/>
    /// when it failed. Already complete unless the snapshot was taken with a deferred check.
    /// </summary>
    internal Task VerifiedAsync() => _verified;

    /// <summary>
    /// <see cref="TakeAsync(string, string?, TimeSpan?, CancellationToken)"/>; with <paramref name="deferIntegrityCheck"/>
    /// a SQLite snapshot returns as soon as it is hashed and its integrity check keeps running
    /// (<see cref="VerifiedAsync"/>), so a save can upload meanwhile and commit only once it passed.
    /// </summary>
    internal static async Task<LocalSnapshot> TakeAsync(string localPath, string? tempDirectory, TimeSpan? busyTimeout, bool deferIntegrityCheck, CancellationToken cancellationToken)
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
        var owned = OwnedTempFile.Claim(System.IO.Path.Combine(folder, $".hfpersist-{Guid.NewGuid():N}.snapshot"), ".hfpersist-*.snapshot");
        var temp = owned.Path;
        try
        {
            if (SqliteFiles.IsSqlite(localPath))
            {
                await SqliteFiles.BackupAsync(localPath, temp, busyTimeout, cancellationToken).ConfigureAwait(false);
                // The copy is hashed and checked at the same time: two reads of a file the page cache holds, on two cores.
                var size = new FileInfo(temp).Length;
                var hashing = ContentHasher.HashFileAsync(temp, size < ContentHasher.GitHashLimit, null, cancellationToken);
                var checking = CheckAsync(localPath, temp, cancellationToken);
                if (!deferIntegrityCheck)
                {
                    await Task.WhenAll(hashing, checking).ConfigureAwait(false);
                }
                try
                {
                    return new LocalSnapshot(owned, await hashing.ConfigureAwait(false), SnapshotKind.Sqlite, checking);
                }
                catch
                {
                    await checking.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                    throw;
                }
            }
            return new LocalSnapshot(owned, await CopyAsync(localPath, temp, cancellationToken).ConfigureAwait(false), SnapshotKind.File);
        }
        catch
        {
            owned.Dispose();
            throw;
        }
    }

    private static async Task CheckAsync(string localPath, string snapshot, CancellationToken cancellationToken)
    {
        var check = await SqliteFiles.IntegrityCheckAsync(snapshot, cancellationToken).ConfigureAwait(false);
        if (check != "ok")
        {
            throw new PersistenceException($"'{localPath}' is damaged: the integrity check of its snapshot says \"{check}\"; nothing was saved");
        }
    }

    /// <summary>
    /// Copies the bytes the file holds when it is opened, hashing them on the way. A temp copy
    /// needs no flush to disk: it is uploaded and deleted, and a crash simply discards it.
    /// </summary>
    private static async Task<ContentDigest> CopyAsync(string source, string destination, CancellationToken cancellationToken)
    {
        await using var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var to = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        var size = from.Length;
        try
        {
            return await ContentHasher.HashStreamAsync(from, size, to, size < ContentHasher.GitHashLimit, null, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new PersistenceException($"'{source}' changed while it was being copied ({e.Message}); save it again");
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // A deferred check still reading the file finishes first (its outcome no longer matters).
        ((IAsyncResult)_verified).AsyncWaitHandle.WaitOne();
        _ = _verified.Exception; // observed: a save that committed nothing does not report it again
        _owned.Dispose();
    }
}
