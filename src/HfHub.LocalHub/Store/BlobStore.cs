using System.Security.Cryptography;

namespace HfHub.LocalHub.Store;

/// <summary>
/// Content-addressed file storage: every blob lives at <c>sha256/ab/cdef…</c> under the root.
/// Writes go to a temporary file first and are renamed into place once hashed, so a blob path
/// never holds a partial file.
/// </summary>
internal sealed class BlobStore
{
    private readonly string _root;

    public BlobStore(string root)
    {
        _root = root;
        Directory.CreateDirectory(Path.Combine(_root, "tmp"));
    }

    /// <summary>
    /// Deletes temporary files older than <paramref name="olderThan"/>: uploads abandoned by a
    /// process that stopped (younger ones may belong to another live process sharing the folder).
    /// </summary>
    public void CleanTemporaryFiles(TimeSpan olderThan)
    {
        var cutoff = DateTime.UtcNow - olderThan;
        foreach (var file in new DirectoryInfo(Path.Combine(_root, "tmp")).EnumerateFiles())
        {
            try
            {
                if (file.LastWriteTimeUtc < cutoff)
                {
                    file.Delete();
                }
            }
            catch (IOException)
            {
                // in use: leave it for the next start
            }
        }
    }

    public string PathOf(string sha256) =>
        Path.Combine(_root, "sha256", sha256[..2], sha256[2..]);

    public bool Exists(string sha256) => File.Exists(PathOf(sha256));

    public long SizeOf(string sha256) => new FileInfo(PathOf(sha256)).Length;

    public FileStream OpenRead(string sha256) =>
        new(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);

    /// <summary>A temporary file in the store's folder, to be passed to <see cref="Commit"/> once complete.</summary>
    public string NewTempPath() => Path.Combine(_root, "tmp", Guid.NewGuid().ToString("N"));

    /// <summary>Streams content into the store, hashing it on the way; returns its SHA-256 and size.</summary>
    public async Task<(string Sha256, long Size)> WriteAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var temp = NewTempPath();
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    size += read;
                }
            }
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            Commit(temp, sha);
            return (sha, size);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Moves a complete temporary file into place under its hash (a no-op when it is already stored).</summary>
    public void Commit(string tempPath, string sha256)
    {
        var target = PathOf(sha256);
        if (File.Exists(target))
        {
            File.Delete(tempPath);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            File.Move(tempPath, target);
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(tempPath); // another writer stored the same content first
        }
    }
}
