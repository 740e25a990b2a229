using System.Buffers;
using System.Security.Cryptography;

namespace HfHub.Persistence;

/// <summary>A file's SHA-256 (lower-case hex, as the Hub's LFS oids) and size.</summary>
public readonly record struct FileDigest(string Sha256, long Size)
{
    private const int BufferSize = 1 << 20;

    /// <summary>Hashes a file while reading it in 1 MiB blocks (never the whole file in memory).</summary>
    public static async Task<FileDigest> OfFileAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = OpenRead(path);
        return await CopyAsync(stream, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a stream to its end, hashing it and writing it to <paramref name="destination"/> when given.</summary>
    public static async Task<FileDigest> CopyAsync(Stream source, Stream? destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long size = 0;
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                if (destination is not null)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                size += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new FileDigest(Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    /// <summary>The git blob id (SHA-1 of <c>blob {size}\0</c> + content), as the Hub reports for regular files.</summary>
    public static async Task<string> GitBlobIdAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = OpenRead(path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
#pragma warning disable CA5350 // git's object ids are SHA-1 by definition; this is an identity check, not security.
        hash.AppendData(System.Text.Encoding.ASCII.GetBytes($"blob {stream.Length}\0"));
#pragma warning restore CA5350
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
}
