using System.Net;
using System.Text;
using System.Text.Json;
using HfHub.Files;
using HfHub.Http;
using HfHub.Xet;

namespace HfHub.Buckets;

public sealed partial class BucketsClient
{
    /// <summary>
    /// Downloads a bucket file to <paramref name="destination"/>: by Xet reconstruction from the CAS
    /// when <c>resolve</c> names a Xet hash (every chunk and the whole checked against it), else by
    /// streaming <c>resolve</c> (checked against the size). The bytes go to <c>{destination}.incomplete</c>
    /// first and replace the destination only once verified, so a failure leaves it as it was.
    /// </summary>
    public async Task<BucketFileMetadata> DownloadFileAsync(BucketId bucket, string path, string destination, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        var meta = await GetFileMetadataAsync(bucket, path, cancellationToken).ConfigureAwait(false);
        var folder = Path.GetDirectoryName(Path.GetFullPath(destination));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
        var partial = destination + ".incomplete";
        try
        {
            if (meta.Size == 0)
            {
                await File.WriteAllBytesAsync(partial, [], cancellationToken).ConfigureAwait(false);
            }
            else if (meta.XetHash is { } hash && meta.XetTokenUrl is { } tokenUrl && XetHash.TryParse(hash, out _))
            {
                await _files.ReconstructToPathAsync(hash, meta.Size, tokenUrl, partial, path, progress, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await StreamToPathAsync(bucket, path, meta.Size, partial, progress, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (InvalidDataException e)
        {
            TryDelete(partial);
            throw new HubContentMismatchException($"the download of {path} is corrupt ({HubErrorReader.OneLine(e.Message)}); it was discarded, try again", ResolveUrl(bucket, path).ToString());
        }
        catch
        {
            TryDelete(partial);
            throw;
        }
        File.Move(partial, destination, overwrite: true);
        if (meta.LastModified is { } modified)
        {
            File.SetLastWriteTimeUtc(destination, modified.UtcDateTime);
        }
        progress?.Report(new TransferProgress(path, TransferStage.Completed, meta.Size, meta.Size));
        return meta;
    }

    /// <summary>How many files <see cref="DownloadFilesAsync"/> fetches at once: small files are round trips, not bandwidth.</summary>
    public const int ParallelDownloads = 8;

    /// <summary>
    /// Downloads many bucket files, as a tree listing or paths-info describes them, up to
    /// <see cref="ParallelDownloads"/> at a time: each straight from the CAS with the listed Xet hash and
    /// size (no <c>resolve</c> round trip per file, one read token for all, renewed before it expires),
    /// verified as <see cref="DownloadFileAsync"/> verifies, written to <c>{destination}.incomplete</c> and
    /// moved into place, with the listed mtime. A file listed without a Xet hash goes through
    /// <see cref="DownloadFileAsync"/>. The first failure stops the rest; files already moved stay.
    /// </summary>
    public async Task DownloadFilesAsync(BucketId bucket, IReadOnlyList<(BucketEntry File, string Destination)> files, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        ArgumentNullException.ThrowIfNull(files);
        var tokenUrl = _pipeline.Url($"{Api(bucket)}/xet-read-token");
        using var tokenGate = new SemaphoreSlim(1, 1);
        XetToken? token = null;
        async Task<XetToken> ReadTokenAsync(CancellationToken ct)
        {
            await tokenGate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (token is null || token.Expires < DateTimeOffset.UtcNow.AddMinutes(1))
                {
                    token = await _files.GetXetTokenAsync(tokenUrl, ct).ConfigureAwait(false);
                }
                return token;
            }
            finally
            {
                tokenGate.Release();
            }
        }
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = ParallelDownloads, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var (file, destination) = item;
            ArgumentException.ThrowIfNullOrEmpty(destination);
            if (file.Size > 0 && (file.XetHash is not { } listed || !XetHash.TryParse(listed, out _)))
            {
                await DownloadFileAsync(bucket, file.Path, destination, progress, ct).ConfigureAwait(false);
            }
            else
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(destination));
                if (!string.IsNullOrEmpty(folder))
                {
                    Directory.CreateDirectory(folder);
                }
                var partial = destination + ".incomplete";
                try
                {
                    if (file.Size == 0)
                    {
                        await File.WriteAllBytesAsync(partial, [], ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await _files.ReconstructToPathAsync(file.XetHash!, file.Size, await ReadTokenAsync(ct).ConfigureAwait(false), partial, file.Path, progress, ct).ConfigureAwait(false);
                    }
                }
                catch (InvalidDataException e)
                {
                    TryDelete(partial);
                    throw new HubContentMismatchException($"the download of {file.Path} is corrupt ({HubErrorReader.OneLine(e.Message)}); it was discarded, try again", ResolveUrl(bucket, file.Path).ToString());
                }
                catch
                {
                    TryDelete(partial);
                    throw;
                }
                File.Move(partial, destination, overwrite: true);
                progress?.Report(new TransferProgress(file.Path, TransferStage.Completed, file.Size, file.Size));
            }
            if (file.Mtime is { } mtime)
            {
                File.SetLastWriteTimeUtc(destination, mtime.UtcDateTime);
            }
        }).ConfigureAwait(false);
    }

    private async Task StreamToPathAsync(BucketId bucket, string path, long size, string partial, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ResolveUrl(bucket, path));
        using var response = await _pipeline.SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        var buffer = new byte[81920];
        long done = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            done += read;
            progress?.Report(new TransferProgress(path, TransferStage.Downloading, done, size));
        }
        if (done != size)
        {
            throw new InvalidDataException($"{done} bytes arrived, the file has {size}");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A stale partial file is replaced by the next attempt.
        }
    }

    /// <summary>Uploads one local file to <paramref name="path"/> (a batch of one <see cref="BucketAddFile"/>).</summary>
    public Task<BucketBatchResult> UploadFileAsync(BucketId bucket, string localPath, string path, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        BatchAsync(bucket, [new BucketAddFile(path, ContentSource.FromFile(localPath))], new BucketBatchOptions { Progress = progress }, cancellationToken);

    /// <summary>
    /// Applies operations to a bucket, in the order given. The contents of every <see cref="BucketAddFile"/>
    /// go to the CAS first, as one Xet session (new chunks only, no SHA-256, as the official clients do);
    /// then the operations are sent in calls of at most <see cref="MaxPerCall"/> (NDJSON, retried on
    /// transient failures: the Hub applies a replay harmlessly). Every path is checked before anything
    /// is sent. Batches are not transactional: when any operation does not land this throws
    /// <see cref="BucketBatchException"/>, whose <see cref="BucketBatchException.Result"/> says which
    /// paths landed, which the Hub refused and why, and which were not applied.
    /// </summary>
    public async Task<BucketBatchResult> BatchAsync(BucketId bucket, IEnumerable<BucketOperation> operations, BucketBatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        ArgumentNullException.ThrowIfNull(operations);
        var ops = operations.ToList();
        foreach (var op in ops)
        {
            BucketPaths.Checked(op.Path);
            if (op is BucketCopyFile copy && !XetHash.TryParse(copy.XetHash, out _))
            {
                throw new ArgumentException($"copy to '{copy.Path}': '{copy.XetHash}' is not a Xet hash", nameof(operations));
            }
        }
        var lines = await UploadAndDescribeAsync(bucket, ops, options?.Progress, cancellationToken).ConfigureAwait(false);
        var succeeded = new List<string>();
        var failed = new List<BucketBatchFailure>();
        var notApplied = new List<string>();
        HubException? broke = null;
        foreach (var call in lines.Chunk(MaxPerCall))
        {
            if (broke is not null)
            {
                notApplied.AddRange(call.Select(l => l.Path));
                continue;
            }
            try
            {
                var answer = await SendBatchAsync(bucket, call, cancellationToken).ConfigureAwait(false);
                var refused = (answer.Failed ?? []).GroupBy(f => f.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
                foreach (var line in call)
                {
                    if (refused.Remove(line.Path, out var failure))
                    {
                        failed.Add(failure);
                    }
                    else
                    {
                        succeeded.Add(line.Path);
                    }
                }
                failed.AddRange(refused.Values); // a failure the Hub reported for a path it did not get (a line it could not read)
            }
            catch (HubException e)
            {
                broke = e;
                notApplied.AddRange(call.Select(l => l.Path));
            }
        }
        var result = new BucketBatchResult(succeeded, failed, notApplied);
        if (!result.Success)
        {
            throw BucketBatchException.From(bucket, result, broke);
        }
        return result;
    }

    private sealed record BatchLine(string Path, byte[] Json);

    /// <summary>Uploads the contents of the add operations and returns every operation as its NDJSON line.</summary>
    private async Task<List<BatchLine>> UploadAndDescribeAsync(BucketId bucket, List<BucketOperation> ops, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var adds = ops.OfType<BucketAddFile>().Where(a => a.Content.Length > 0).ToList();
        var hashes = new Dictionary<BucketAddFile, string>(ReferenceEqualityComparer.Instance);
        if (adds.Count > 0)
        {
            var items = adds.Select(a => new FilesClient.XetUploadItem(a.Path, a.Content, a.Content.Length, null)).ToList();
            var uploaded = await _files.UploadXetFilesAsync(items, _pipeline.Url($"{Api(bucket)}/xet-write-token"), null, progress, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < adds.Count; i++)
            {
                hashes[adds[i]] = uploaded[i].ToString();
            }
        }
        var now = DateTimeOffset.UtcNow;
        return [.. ops.Select(op => new BatchLine(op.Path, op switch
        {
            BucketAddFile add => JsonSerializer.SerializeToUtf8Bytes(
                new BucketAddLine("addFile", add.Path, hashes.TryGetValue(add, out var h) ? h : EmptyFileHash,
                    (add.Mtime ?? (add.Content is FileContentSource file ? File.GetLastWriteTimeUtc(file.Path) : now)).ToUnixTimeMilliseconds(),
                    add.ContentType ?? GuessContentType(add.Path)),
                BucketsJsonContext.Default.BucketAddLine),
            BucketCopyFile copy => JsonSerializer.SerializeToUtf8Bytes(
                new BucketCopyLine("copyFile", copy.Path, copy.XetHash.ToLowerInvariant(), copy.Source.Kind, copy.Source.Id), BucketsJsonContext.Default.BucketCopyLine),
            BucketDeleteFile delete => JsonSerializer.SerializeToUtf8Bytes(new BucketDeleteLine("deleteFile", delete.Path), BucketsJsonContext.Default.BucketDeleteLine),
            _ => throw new ArgumentException($"unknown bucket operation {op.GetType().Name}", nameof(ops)),
        }))];
    }

    /// <summary>The Xet hash of an empty file (32 zero bytes): nothing to upload.</summary>
    private static readonly string EmptyFileHash = new('0', 64);

    /// <summary>One batch call: 200 or 422 carry the per-line answer; anything else is an error of the whole call.</summary>
    private async Task<BucketBatchAnswer> SendBatchAsync(BucketId bucket, BatchLine[] call, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        foreach (var line in call)
        {
            body.Write(line.Json);
            body.WriteByte((byte)'\n');
        }
        using var request = _pipeline.Request(HttpMethod.Post, $"{Api(bucket)}/batch");
        request.Content = new ByteArrayContent(body.ToArray());
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        request.Options.Set(RetryHandler.Retryable, true);
        using var response = await _pipeline.SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.UnprocessableEntity)
        {
            throw await HubErrorReader.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return await HubPipeline.ReadJsonAsync(response, BucketsJsonContext.Default.BucketBatchAnswer, cancellationToken).ConfigureAwait(false);
        }
        catch (HubException) when (response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            // A 422 that is not a batch answer refused the whole call.
            throw await HubErrorReader.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A content type from the path's extension, for the common cases (Python guesses with <c>mimetypes</c>); null otherwise.</summary>
    internal static string? GuessContentType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".txt" or ".log" => "text/plain",
        ".md" => "text/markdown",
        ".csv" => "text/csv",
        ".html" or ".htm" => "text/html",
        ".json" => "application/json",
        ".jsonl" => "application/jsonl",
        ".yaml" or ".yml" => "application/yaml",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".gif" => "image/gif",
        ".pdf" => "application/pdf",
        ".zip" => "application/zip",
        ".gz" => "application/gzip",
        ".tar" => "application/x-tar",
        ".db" or ".sqlite" => "application/vnd.sqlite3",
        _ => null,
    };
}

/// <summary>A batch that did not land whole: <see cref="Result"/> says which paths landed, which were refused and which were not applied.</summary>
public sealed class BucketBatchException : HubException
{
    private BucketBatchException(string message, BucketBatchResult result, int status, string? url, Exception? inner)
        : base(message, status, null, (inner as HubException)?.RequestId, url, inner) => Result = result;

    /// <summary>What landed and what did not.</summary>
    public BucketBatchResult Result { get; }

    internal static BucketBatchException From(BucketId bucket, BucketBatchResult result, HubException? broke)
    {
        var text = new StringBuilder().Append(System.Globalization.CultureInfo.InvariantCulture, $"bucket {bucket}: {result.Succeeded.Count} of {result.Succeeded.Count + result.Failed.Count + result.NotApplied.Count} operations landed");
        if (result.Failed.Count > 0)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"; refused {result.Failed.Count}, first {result.Failed[0].Path}: {HubErrorReader.OneLine(result.Failed[0].Error)}");
        }
        if (result.NotApplied.Count > 0)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"; not applied {result.NotApplied.Count} ({HubErrorReader.OneLine(broke?.Message ?? "the call failed")})");
        }
        return new BucketBatchException(text.ToString(), result, broke?.Status ?? 422, broke?.Url, broke);
    }
}
