using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using HfHub.Files;
using HfHub.Http;

namespace HfHub.Buckets;

/// <summary>
/// Storage Buckets: mutable, non-versioned object storage on Xet (buckets.md). Create, describe,
/// list, delete and move buckets; list their files; download through <c>resolve</c> and Xet; write
/// through the batch route (uploads, server-side copies, deletes). Reached as <c>client.Buckets</c>.
/// </summary>
public sealed partial class BucketsClient
{
    /// <summary>The most operations or paths one call carries, as the Python client sends.</summary>
    public const int MaxPerCall = 1000;

    private readonly HubPipeline _pipeline;
    private readonly FilesClient _files;

    internal BucketsClient(HubPipeline pipeline, FilesClient files)
    {
        _pipeline = pipeline;
        _files = files;
    }

    private static string Api(BucketId bucket) => $"api/buckets/{bucket}";

    /// <summary>
    /// Creates a bucket (<c>POST /api/buckets/{ns}/{name}</c>), private unless
    /// <see cref="CreateBucketOptions.Private"/> is false. An existing bucket throws
    /// <see cref="HubConflictException"/>, or with <see cref="CreateBucketOptions.ExistOk"/> returns its URL.
    /// </summary>
    public async Task<BucketUrl> CreateAsync(BucketId bucket, CreateBucketOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        options ??= new CreateBucketOptions();
        using var request = _pipeline.Request(HttpMethod.Post, Api(bucket));
        request.Content = JsonContent.Create(new BucketCreateRequest(options.Private, options.Region?.Value), BucketsJsonContext.Default.BucketCreateRequest);
        using var response = await _pipeline.SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var existing = response.StatusCode == HttpStatusCode.Conflict && options.ExistOk;
        if (!response.IsSuccessStatusCode && !existing)
        {
            throw await HubErrorReader.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }
        BucketCreateResponse? body = null;
        try
        {
            body = await response.Content.ReadFromJsonAsync(BucketsJsonContext.Default.BucketCreateResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException)
        {
            // The URL is rebuilt below.
        }
        var url = Uri.TryCreate(body?.Url, UriKind.Absolute, out var parsed) ? parsed : _pipeline.Url($"buckets/{bucket}");
        return new BucketUrl(url, bucket, Created: !existing);
    }

    /// <summary>Describes a bucket (<c>GET /api/buckets/{id}</c>); a missing or hidden one throws <see cref="HubNotFoundException"/>.</summary>
    public Task<BucketInfo> GetAsync(BucketId bucket, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        return _pipeline.GetJsonAsync(Api(bucket), BucketsJsonContext.Default.BucketInfo, cancellationToken);
    }

    /// <summary>Lists the buckets of a namespace (the caller's when null) that the caller may see, following pagination.</summary>
    public IAsyncEnumerable<BucketInfo> ListAsync(string? ns = null, string? search = null, CancellationToken cancellationToken = default)
    {
        var url = $"api/buckets/{Uri.EscapeDataString(string.IsNullOrEmpty(ns) ? "me" : ns)}";
        if (!string.IsNullOrEmpty(search))
        {
            url += "?search=" + Uri.EscapeDataString(search);
        }
        return _pipeline.GetPagedAsync(url, BucketsJsonContext.Default.ListBucketInfo, cancellationToken);
    }

    /// <summary>
    /// Deletes a bucket and every file in it, at once and for good. Returns false when it did not
    /// exist and <paramref name="missingOk"/> is true; otherwise a missing bucket throws <see cref="HubNotFoundException"/>.
    /// </summary>
    public async Task<bool> DeleteAsync(BucketId bucket, bool missingOk = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        using var request = _pipeline.Request(HttpMethod.Delete, Api(bucket));
        request.Options.Set(RetryHandler.Retryable, true);
        try
        {
            using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HubNotFoundException) when (missingOk)
        {
            return false;
        }
    }

    /// <summary>Renames a bucket or moves it to another namespace (<c>POST /api/repos/move</c> with <c>type: bucket</c>).</summary>
    public async Task MoveAsync(BucketId from, BucketId to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        using var request = _pipeline.Request(HttpMethod.Post, "api/repos/move");
        request.Content = JsonContent.Create(new BucketMoveRequest(from.ToString(), to.ToString(), "bucket"), BucketsJsonContext.Default.BucketMoveRequest);
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Lists files and folders under <paramref name="prefix"/> (the root when null): every one when
    /// <paramref name="recursive"/>, else the first level. The prefix goes with its '/' encoded, as Python sends it.
    /// </summary>
    public IAsyncEnumerable<BucketEntry> ListTreeAsync(BucketId bucket, string? prefix = null, bool recursive = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var trimmed = prefix?.Trim('/');
        var url = $"{Api(bucket)}/tree{(string.IsNullOrEmpty(trimmed) ? "" : "/" + Uri.EscapeDataString(trimmed))}?recursive={(recursive ? "true" : "false")}";
        return _pipeline.GetPagedAsync(url, BucketsJsonContext.Default.ListBucketEntry, cancellationToken);
    }

    /// <summary>Describes the given file paths (<see cref="MaxPerCall"/> per call); folders and missing paths are left out.</summary>
    public async Task<IReadOnlyList<BucketEntry>> GetPathsInfoAsync(BucketId bucket, IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        ArgumentNullException.ThrowIfNull(paths);
        var result = new List<BucketEntry>();
        foreach (var batch in paths.Distinct(StringComparer.Ordinal).Chunk(MaxPerCall))
        {
            using var request = _pipeline.Request(HttpMethod.Post, $"{Api(bucket)}/paths-info");
            request.Content = JsonContent.Create(new BucketPathsRequest(batch), BucketsJsonContext.Default.BucketPathsRequest);
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            request.Options.Set(RetryHandler.Retryable, true);
            using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            result.AddRange(await HubPipeline.ReadJsonAsync(response, BucketsJsonContext.Default.ListBucketEntry, cancellationToken).ConfigureAwait(false));
        }
        return result;
    }

    /// <summary>The URL of a bucket file's bytes: <c>{endpoint}/buckets/{id}/resolve/{path}</c> ('/' in the path encoded).</summary>
    public Uri ResolveUrl(BucketId bucket, string path)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        return _pipeline.Url($"buckets/{bucket}/resolve/{Uri.EscapeDataString(BucketPaths.Checked(path))}");
    }

    /// <summary>What <c>HEAD …/resolve/{path}</c> says of a file: size, Xet hash, type, modification time; a missing file throws <see cref="HubNotFoundException"/>.</summary>
    public async Task<BucketFileMetadata> GetFileMetadataAsync(BucketId bucket, string path, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, ResolveUrl(bucket, path));
        request.Options.Set(RetryHandler.Retryable, true);
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return MetadataOf(path, response);
    }

    private static BucketFileMetadata MetadataOf(string path, HttpResponseMessage response)
    {
        string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
        var size = long.TryParse(Header("X-Linked-Size"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var linked)
            ? linked
            : response.Content.Headers.ContentLength ?? 0;
        var links = response.Headers.TryGetValues("Link", out var linkValues) ? string.Join(", ", linkValues) : null;
        var tokenUrl = LinkHeader.Find(links, "xet-auth") is { } link && Uri.TryCreate(response.RequestMessage?.RequestUri, link, out var resolved) ? resolved : null;
        return new BucketFileMetadata(path, size, Header("X-Xet-Hash"), response.Content.Headers.ContentType?.MediaType, response.Content.Headers.LastModified, tokenUrl);
    }
}

internal sealed record BucketCreateRequest(bool Private, string? Region);

internal sealed record BucketCreateResponse(string? Url, string? Id);

internal sealed record BucketMoveRequest(string FromRepo, string ToRepo, string Type);

internal sealed record BucketPathsRequest(IReadOnlyList<string> Paths);

internal sealed record BucketAddLine(string Type, string Path, string XetHash, long Mtime, string? ContentType);

internal sealed record BucketCopyLine(string Type, string Path, string XetHash, string SourceRepoType, string SourceRepoId);

internal sealed record BucketDeleteLine(string Type, string Path);

internal sealed record BucketBatchAnswer(bool Success, int Processed, int Succeeded, List<BucketBatchFailure>? Failed);

/// <summary>Source-generated JSON for bucket payloads.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(BucketInfo))]
[JsonSerializable(typeof(List<BucketInfo>))]
[JsonSerializable(typeof(List<BucketEntry>))]
[JsonSerializable(typeof(BucketCreateRequest))]
[JsonSerializable(typeof(BucketCreateResponse))]
[JsonSerializable(typeof(BucketMoveRequest))]
[JsonSerializable(typeof(BucketPathsRequest))]
[JsonSerializable(typeof(BucketAddLine))]
[JsonSerializable(typeof(BucketCopyLine))]
[JsonSerializable(typeof(BucketDeleteLine))]
[JsonSerializable(typeof(BucketBatchAnswer))]
internal sealed partial class BucketsJsonContext : JsonSerializerContext;
