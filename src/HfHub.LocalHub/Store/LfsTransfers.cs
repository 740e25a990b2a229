using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HfHub.LocalHub.Store;

/// <summary>What a signed storage URL allows: one action on one object of one repo, until it expires.</summary>
public sealed record LfsGrant(string Kind, string RepoId, string Oid, long Size, long ExpiresAt, string Extra);

/// <summary>A multipart upload in progress: parts are written in place into one temporary file.</summary>
public sealed class MultipartSession(string id, string repoId, string oid, long size, long chunkSize, string tempPath)
{
    public string Id { get; } = id;
    public string RepoId { get; } = repoId;
    public string Oid { get; } = oid;
    public long Size { get; } = size;
    public long ChunkSize { get; } = chunkSize;
    public string TempPath { get; } = tempPath;
    public int PartCount => (int)((Size + ChunkSize - 1) / ChunkSize);
    public ConcurrentDictionary<int, string> Parts { get; } = new();

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
public sealed class LfsTransfers(TimeProvider clock)
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
        _sessions.TryRemove(session.Id, out _);
    }
}
