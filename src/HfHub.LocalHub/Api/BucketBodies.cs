using System.Text.Json.Serialization;

namespace HfHub.LocalHub.Api;

/// <summary>The answer to a bucket's creation: its web URL (Python parses it) and its id (JS reads it).</summary>
internal sealed record BucketCreatedBody(string Url, string Id);

/// <summary>A bucket as info and list describe it (buckets.md §3; Python's <c>BucketInfo</c> reads all five).</summary>
internal sealed record BucketInfoBody(string Id, bool Private, string CreatedAt, long Size, long TotalFiles);

/// <summary>
/// A tree or paths-info entry: a file (<c>size</c>, <c>xetHash</c>, <c>mtime</c> when the writer
/// gave one) or a directory; times are ISO 8601, which Python parses with <c>parse_datetime</c>.
/// </summary>
internal sealed record BucketEntryBody(
    string Type,
    string Path,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Size,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? XetHash,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Mtime,
    string UploadedAt);

/// <summary>The body of a paths-info call.</summary>
internal sealed record BucketPathsBody(List<string>? Paths);

/// <summary>A Xet token for a bucket, as for repos.</summary>
internal sealed record BucketXetTokenBody(string AccessToken, long Exp, string CasUrl);

/// <summary>The batch answer (JS <c>ApiBucketBatchResponse</c>): one failure per refused line.</summary>
internal sealed record BucketBatchBody(bool Success, int Processed, int Succeeded, List<BucketBatchFailure> Failed);

/// <summary>A refused batch line: its path (empty when the line named none) and why.</summary>
internal sealed record BucketBatchFailure(string Path, string Error);
