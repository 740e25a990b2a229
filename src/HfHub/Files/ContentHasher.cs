using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HfHub.Files;

/// <summary>What the Hub needs to know about a file's content before it is uploaded.</summary>
/// <param name="Size">The length in bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content: the LFS object id.</param>
/// <param name="GitSha1">Lower-case hex git blob id (<c>sha1("blob {size}\0" + content)</c>), when it was computed.</param>
/// <param name="Sample">Up to the first 512 bytes, sent to <c>preupload</c> so the Hub can tell text from binary.</param>
public sealed record ContentDigest(long Size, string Sha256, string? GitSha1, ReadOnlyMemory<byte> Sample);

/// <summary>
/// Streaming hashes: SHA-256 and the git blob SHA-1 in one pass over 1 MiB pooled buffers, so no
/// file is ever held in memory whole.
/// </summary>
public static class ContentHasher
{
    /// <summary>The read size for hashing and uploads: large enough to keep the hash loop busy.</summary>
    public const int BufferSize = 1 << 20;

    /// <summary>Files at least this large are always LFS on the Hub, so their git blob id is never needed.</summary>
    public const long GitHashLimit = 10L * 1024 * 1024;

    internal const int SampleSize = 512;

    /// <summary>Hashes a file; the git blob id is computed only when <paramref name="gitSha1"/> is true.</summary>
    public static async Task<ContentDigest> HashFileAsync(string path, bool gitSha1 = true, IProgress<long>? bytesHashed = null, CancellationToken cancellationToken = default)
    {
        await using var stream = OpenSequential(path);
        return await HashStreamAsync(stream, stream.Length, gitSha1, bytesHashed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hashes <paramref name="size"/> bytes of a stream from its current position.</summary>
    public static Task<ContentDigest> HashStreamAsync(Stream stream, long size, bool gitSha1 = true, IProgress<long>? bytesHashed = null, CancellationToken cancellationToken = default) =>
        HashStreamAsync(stream, size, copyTo: null, gitSha1, bytesHashed, cancellationToken);

    /// <summary>
    /// Hashes <paramref name="size"/> bytes of a stream and, when <paramref name="copyTo"/> is given,
    /// writes them there in the same pass (a copy that costs no second read): e.g. snapshotting a
    /// file that may change and committing the copy with
    /// <see cref="CommitBuilder.AddFile(string, string, ContentDigest)"/>, hashed once.
    /// </summary>
    public static async Task<ContentDigest> HashStreamAsync(Stream stream, long size, Stream? copyTo, bool gitSha1, IProgress<long>? bytesHashed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sha1 = gitSha1 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA1) : null;
        sha1?.AppendData(GitBlobHeader(size));
        var sample = new byte[(int)Math.Min(size, SampleSize)];
        var sampled = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            int read;
            while (total < size && (read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferSize, size - total)), cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (sampled < sample.Length)
                {
                    var take = Math.Min(read, sample.Length - sampled);
                    buffer.AsSpan(0, take).CopyTo(sample.AsSpan(sampled));
                    sampled += take;
                }
                // The write goes out while this buffer is hashed; both only read the buffer.
                var writing = copyTo is null ? ValueTask.CompletedTask : copyTo.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                sha256.AppendData(buffer, 0, read);
                sha1?.AppendData(buffer, 0, read);
                await writing.ConfigureAwait(false);
                total += read;
                bytesHashed?.Report(read);
            }
            if (total != size)
            {
                throw new IOException($"expected {size} bytes but the content ended after {total} (was the file changed while reading?)");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new ContentDigest(size, Hex(sha256.GetHashAndReset()), sha1 is null ? null : Hex(sha1.GetHashAndReset()), sample);
    }

    /// <summary>The git blob id of in-memory content.</summary>
    public static string GitBlobSha1(ReadOnlySpan<byte> content)
    {
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha1.AppendData(GitBlobHeader(content.Length));
        sha1.AppendData(content);
        return Hex(sha1.GetHashAndReset());
    }

    /// <summary><c>blob {size}\0</c>, the prefix git hashes before a blob's bytes.</summary>
    internal static byte[] GitBlobHeader(long size) =>
        Encoding.ASCII.GetBytes("blob " + size.ToString(CultureInfo.InvariantCulture) + "\0");

    internal static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    /// <summary>Opens a file for one sequential read with a large unbuffered read path.</summary>
    internal static FileStream OpenSequential(string path) =>
        new(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            BufferSize = 0,
        });
}
