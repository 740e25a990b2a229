using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HfHub.LocalHub.Store;

/// <summary>What a signed storage URL allows: one action on one object of one repo, until it expires.</summary>
internal sealed record LfsGrant(string Kind, string RepoId, string Oid, long Size, long ExpiresAt, string Extra);

/// <summary>
/// A multipart upload in progress: parts are written in place into one temporary file (no
/// assembly copy), and hashed in order as soon as each next part is complete, so the completion
/// call rarely has more than the last parts left to hash.
/// </summary>
internal sealed class MultipartSession(string id, string repoId, string oid, long size, long chunkSize, string tempPath) : IDisposable
{
    private readonly SemaphoreSlim _hashGate = new(1, 1);
    private readonly Lock _flags = new();
    private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _hashedParts;
    private bool _hashInvalid;

    public string Id { get; } = id;
    public string RepoId { get; } = repoId;
    public string Oid { get; } = oid;
    public long Size { get; } = size;
    public long ChunkSize { get; } = chunkSize;
    public string TempPath { get; } = tempPath;
    public int PartCount => (int)((Size + ChunkSize - 1) / ChunkSize);
    public ConcurrentDictionary<int, string> Parts { get; } = new();

    /// <summary>A part is about to be (re)written: if it was complete already, the running hash no longer holds.</summary>
    public void PartStarting(int number)
    {
        lock (_flags)
        {
            if (Parts.TryRemove(number, out _) || number <= _hashedParts)
            {
                _hashInvalid = true;
            }
        }
    }

    /// <summary>Records a complete part and hashes every complete part that is next in order.</summary>
    public async Task PartCompletedAsync(int number, string etag, CancellationToken cancellationToken)
    {
        Parts[number] = etag;
        await _hashGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await AdvanceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _hashGate.Release();
        }
    }

    /// <summary>The SHA-256 of the whole object (all parts must be complete); re-reads the file only if a part was rewritten after being hashed.</summary>
    public async Task<string> FinishHashAsync(CancellationToken cancellationToken)
    {
        await _hashGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await AdvanceAsync(cancellationToken).ConfigureAwait(false);
            bool invalid;
            lock (_flags)
            {
                invalid = _hashInvalid || _hashedParts != PartCount;
            }
            if (invalid)
            {
                _hash.Dispose();
                _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await HashRangeAsync(0, Size, cancellationToken).ConfigureAwait(false);
            }
            return Convert.ToHexStringLower(_hash.GetHashAndReset());
        }
        finally
        {
            _hashGate.Release();
        }
    }

    private async Task AdvanceAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int next;
            lock (_flags)
            {
                if (_hashInvalid || !Parts.ContainsKey(_hashedParts + 1))
                {
                    return;
                }
                next = _hashedParts + 1;
            }
            var (offset, length) = Range(next);
            await HashRangeAsync(offset, length, cancellationToken).ConfigureAwait(false);
            lock (_flags)
            {
                _hashedParts = next;
            }
        }
    }

    private async Task HashRangeAsync(long offset, long length, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(TempPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        file.Position = offset;
        var buffer = new byte[(int)Math.Min(1 << 20, Math.Max(length, 1))];
        while (length > 0)
        {
            var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("the multipart file is shorter than its parts");
            }
            _hash.AppendData(buffer, 0, read);
            length -= read;
        }
    }

    public void Dispose()
    {
        _hash.Dispose();
        _hashGate.Dispose();
    }

    /// <summary>The byte range of part <paramref name="number"/> (1-based).</summary>
    public (long Offset, long Length) Range(int number)
    {
        var offset = (number - 1) * ChunkSize;
        return (offset, Math.Min(ChunkSize, Size - offset));
    }
}

/// <summary>
/// Pre-signed storage URLs and multipart sessions. The official clients send no Authorization
/// to upload, part and completion URLs (and must not: the URLs may point to another host), so
/// each URL carries an HMAC-signed grant bound to one repo, one object id and size, and an
/// expiry, like an S3 pre-signed URL. The signing key and the sessions live in memory: a
/// restarted hub refuses the URLs of the previous process and clients ask for new ones.
/// </summary>
internal sealed class LfsTransfers(TimeProvider clock)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, MultipartSession> _sessions = new();

    /// <summary>How long upload and download URLs stay valid (the Hub's batch answers say 86400 s for uploads).</summary>
    public static readonly TimeSpan UploadLifetime = TimeSpan.FromDays(1);
    public static readonly TimeSpan DownloadLifetime = TimeSpan.FromHours(1);

    public string Sign(string kind, string repoId, string oid, long size, TimeSpan lifetime, string extra = "")
    {
        var expires = clock.GetUtcNow().Add(lifetime).ToUnixTimeSeconds();
        var payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{kind}|{repoId}|{oid}|{size}|{expires}|{extra}"));
        var mac = HMACSHA256.HashData(_key, payload);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>The grant of a signed token of the given kind; null when forged, of another kind, or expired.</summary>
    public LfsGrant? Verify(string? token, string kind)
    {
        if (token is null || token.Split('.') is not [var payloadText, var macText])
        {
            return null;
        }
        byte[] payload, mac;
        try
        {
            payload = Base64Url.DecodeFromChars(payloadText);
            mac = Base64Url.DecodeFromChars(macText);
        }
        catch (FormatException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key, payload)))
        {
            return null;
        }
        var parts = Encoding.UTF8.GetString(payload).Split('|');
        if (parts.Length != 6 || parts[0] != kind
            || !long.TryParse(parts[3], CultureInfo.InvariantCulture, out var size)
            || !long.TryParse(parts[4], CultureInfo.InvariantCulture, out var expires)
            || expires < clock.GetUtcNow().ToUnixTimeSeconds())
        {
            return null;
        }
        return new LfsGrant(parts[0], parts[1], parts[2], size, expires, parts[5]);
    }

    /// <summary>Starts (or reuses, for a repeated batch call) a multipart session for an object.</summary>
    public MultipartSession StartMultipart(string repoId, string oid, long size, long chunkSize, BlobStore blobs)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        var key = $"{repoId}:{oid}:{size}:{chunkSize}";
        return _sessions.GetOrAdd(key, _ =>
        {
            var temp = blobs.NewTempPath();
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite))
            {
                file.SetLength(size);
            }
            return new MultipartSession(key, repoId, oid, size, chunkSize, temp);
        });
    }

    public MultipartSession? Session(string id) => _sessions.TryGetValue(id, out var session) ? session : null;

    public void EndSession(MultipartSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (_sessions.TryRemove(session.Id, out _))
        {
            session.Dispose();
        }
    }
}
