using System.Text;
using System.Text.Json;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Services;

/// <summary>
/// <c>POST /api/buckets/{id}/batch</c> (buckets.md §4): NDJSON lines <c>addFile</c>, <c>copyFile</c>,
/// <c>deleteFile</c>, applied one by one in the order sent, each on its own (the Hub's batches are not
/// transactional): a refused line is reported in <c>failed</c> and the others still apply. Replays are
/// harmless: an add or copy puts the same object again, and deleting a path that is not there counts
/// as done (whether production reports it as a failure is UNCONFIRMED; treating it as done is what
/// lets a retried batch succeed). More than <see cref="MaxOperations"/> lines is refused whole (400).
/// </summary>
internal sealed class BucketBatchService(HubState state)
{
    /// <summary>The most operations one call may carry: the official clients never send more (Python's chunk size).</summary>
    public const int MaxOperations = 1000;

    /// <summary>The Xet hash of an empty file (xet.md §3.3): 32 zero bytes; no CAS entry is needed for it.</summary>
    public static readonly string EmptyFileHash = new('0', 64);

    public async Task<HubResult<BucketBatchBody>> ApplyAsync(HttpContext context, Repo bucket)
    {
        ArgumentNullException.ThrowIfNull(context);
        var text = await ReadBodyAsync(context).ConfigureAwait(false);
        if (text is null)
        {
            return new HubError(StatusCodes.Status413PayloadTooLarge, $"Payload Too Large: a batch body is limited to {RepoLookup.MaxJsonBody / (1024 * 1024)} MiB");
        }
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count > MaxOperations)
        {
            return HubError.BadRequest($"A batch holds at most {MaxOperations} operations; this one has {lines.Count}: split it");
        }
        var failed = new List<BucketBatchFailure>();
        foreach (var line in lines)
        {
            var (path, error) = ApplyLine(context.Caller(), bucket, line);
            if (error is not null)
            {
                failed.Add(new BucketBatchFailure(path ?? "", error));
            }
        }
        return new BucketBatchBody(failed.Count == 0, lines.Count, lines.Count - failed.Count, failed);
    }

    private static async Task<string?> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > RepoLookup.MaxJsonBody)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Applies one line; returns its path and, when refused, why.</summary>
    private (string? Path, string? Error) ApplyLine(HubCaller caller, Repo bucket, string line)
    {
        using var document = RepoLookup.ParseJson(Encoding.UTF8.GetBytes(line));
        if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return (null, "not a JSON object");
        }
        var op = document.RootElement;
        var path = op.String("path");
        if (BucketKeys.Problem(path) is { } problem)
        {
            return (path, $"Invalid path: {problem}");
        }
        var type = op.String("type");
        if (type == "deleteFile")
        {
            state.Buckets.Remove(bucket, path!);
            return (path, null);
        }
        if (type is not ("addFile" or "copyFile"))
        {
            return (path, "type must be addFile, copyFile or deleteFile");
        }
        var hash = op.String("xetHash")?.ToLowerInvariant();
        if (hash is null || hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
        {
            return (path, "xetHash must be a Xet file hash (64 hexadecimal characters)");
        }
        return type == "addFile" ? Add(bucket, path!, hash, op) : Copy(caller, bucket, path!, hash, op);
    }

    /// <summary>An <c>addFile</c>: the file must be in the CAS and uploaded with this bucket's token (or copied into it).</summary>
    private (string, string?) Add(Repo bucket, string path, string hash, JsonElement op)
    {
        long size;
        if (hash == EmptyFileHash)
        {
            size = 0;
        }
        else if (state.Cas.RepoCanRead(bucket.Id, hash) && state.Cas.FindFile(hash) is { } file)
        {
            size = file.Size;
        }
        else
        {
            return (path, $"Unknown xetHash {hash}: upload the file's shard with this bucket's write token first");
        }
        if (op.TryGetProperty("mtime", out var m) && m.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
        {
            return (path, "mtime must be milliseconds since the epoch");
        }
        state.Buckets.Put(bucket, path, hash, size, op.Int64("mtime"), op.String("contentType"));
        return (path, null);
    }

    /// <summary>A <c>copyFile</c>: the caller must read the source, and the source must hold the hash; no bytes move.</summary>
    private (string, string?) Copy(HubCaller caller, Repo bucket, string path, string hash, JsonElement op)
    {
        var sourceType = op.String("sourceRepoType");
        var id = (op.String("sourceRepoId") ?? "").Split('/');
        if (sourceType is not ("model" or "dataset" or "space" or "bucket") || id.Length != 2)
        {
            return (path, "sourceRepoType must be model, dataset, space or bucket and sourceRepoId namespace/name");
        }
        var source = sourceType == BucketStore.Type ? state.Buckets.Find(id[0], id[1]) : state.Repos.Find(sourceType, id[0], id[1]);
        if (source is null || !state.Access.CanRead(caller, source))
        {
            return (path, $"Source {sourceType} {id[0]}/{id[1]} not found");
        }
        string? contentType = null;
        if (source.Type == BucketStore.Type)
        {
            if (!state.Buckets.HoldsHash(source, hash))
            {
                return (path, $"The source bucket has no file with xetHash {hash}");
            }
            contentType = state.Buckets.Objects(source, "").FirstOrDefault(o => o.XetHash == hash)?.ContentType;
        }
        else if (hash != EmptyFileHash && !state.Cas.RepoCanRead(source.Id, hash))
        {
            return (path, $"The source {sourceType} has no Xet file with xetHash {hash}");
        }
        var size = hash == EmptyFileHash ? 0 : state.Cas.FindFile(hash)?.Size;
        if (size is null)
        {
            return (path, $"Unknown xetHash {hash}");
        }
        if (hash != EmptyFileHash)
        {
            state.Cas.GrantBucket(bucket.Id, hash);
        }
        state.Buckets.Put(bucket, path, hash, size.Value, null, contentType);
        return (path, null);
    }
}
