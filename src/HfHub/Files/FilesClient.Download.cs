using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using HfHub.Http;
using HfHub.Repos;

namespace HfHub.Files;

public sealed partial class FilesClient
{
    /// <summary>
    /// What the Hub says about a file at a revision, from a <c>resolve</c> HEAD: the commit, the
    /// etag (SHA-256 for LFS files, git blob id otherwise), the real size and the LFS redirect.
    /// Relative redirects (renamed repos) are followed; absolute ones are reported, not followed.
    /// </summary>
    public async Task<FileMetadata> GetFileMetadataAsync(RepoId repo, string pathInRepo, RepoType type = RepoType.Model, string? revision = null, CancellationToken cancellationToken = default)
    {
        var url = ResolveUrl(repo, pathInRepo, type, revision);
        for (var hops = 0; hops < 10; hops++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, url);
            request.Options.Set(HubPipeline.NoRedirects, true);
            using var response = await _pipeline.SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var redirect = (int)response.StatusCode is >= 300 and < 400;
            if (redirect && response.Headers.Location is { IsAbsoluteUri: false } relative)
            {
                url = new Uri(url, relative);
                continue;
            }
            if (!response.IsSuccessStatusCode && !redirect)
            {
                throw await HubErrorReader.ReadAsync(response, cancellationToken).ConfigureAwait(false);
            }
            var commit = Header(response, "X-Repo-Commit")
                ?? throw new HubException($"{url.GetLeftPart(UriPartial.Path)} answered without X-Repo-Commit: it does not look like a Hugging Face Hub", (int)response.StatusCode);
            var etag = NormalizeEtag(Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.Tag ?? Header(response, "ETag"))
                ?? throw new HubException($"{url.GetLeftPart(UriPartial.Path)} answered without an ETag", (int)response.StatusCode);
            long? size = long.TryParse(Header(response, "X-Linked-Size"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var linked) ? linked
                : redirect ? null : response.Content.Headers.ContentLength;
            if (size is null)
            {
                throw new HubException($"{url.GetLeftPart(UriPartial.Path)} did not say how large the file is", (int)response.StatusCode);
            }
            var xetHash = Header(response, "X-Xet-Hash");
            var links = response.Headers.TryGetValues("Link", out var linkValues) ? string.Join(",", linkValues) : null;
            Uri? xetTokenUrl = LinkHeader.Find(links, "xet-auth") is { } auth && Uri.TryCreate(url, auth, out var resolvedAuth) ? resolvedAuth : null;
            return new FileMetadata(commit, etag, size.Value, redirect ? response.Headers.Location : null)
            {
                XetHash = xetHash is not null && HfHub.Xet.XetHash.TryParse(xetHash, out _) ? xetHash : null,
                XetTokenUrl = xetTokenUrl,
            };
        }
        throw new HubException($"too many redirects resolving {pathInRepo}");
    }

    /// <summary>
    /// Downloads one file into the cache shared with the Python client (or into
    /// <see cref="DownloadOptions.LocalDir"/>) and returns its local path. A partial download left
    /// by an interruption is resumed with <c>Range</c>; the content is checked against its
    /// SHA-256 (LFS) or git blob id before it is moved into place. When the Hub cannot be reached
    /// a cached copy of the revision is returned.
    /// </summary>
    public async Task<string> DownloadFileAsync(RepoId repo, string pathInRepo, DownloadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentException.ThrowIfNullOrEmpty(pathInRepo);
        options ??= new DownloadOptions();
        if (options.LocalDir is { } localDir)
        {
            return await DownloadToLocalDirAsync(repo, pathInRepo, localDir, options, cancellationToken).ConfigureAwait(false);
        }
        var cache = new HubCacheLayout(options.CacheDir ?? _options.Environment.HubCache);
        var revision = options.RevisionOrMain;
        var type = options.Type;
        if (!options.Force && HubCacheLayout.IsCommitHash(revision) && HubCacheLayout.EntryExists(cache.SnapshotPath(repo, type, revision, pathInRepo)))
        {
            return cache.SnapshotPath(repo, type, revision, pathInRepo);
        }
        FileMetadata meta;
        try
        {
            meta = await GetFileMetadataAsync(repo, pathInRepo, type, revision, cancellationToken).ConfigureAwait(false);
        }
        catch (HubConnectionException) when (!options.Force && cache.ReadRef(repo, type, revision) is { } cached
            && HubCacheLayout.EntryExists(cache.SnapshotPath(repo, type, cached, pathInRepo)))
        {
            return cache.SnapshotPath(repo, type, cached, pathInRepo);
        }
        var snapshot = cache.SnapshotPath(repo, type, meta.CommitHash, pathInRepo);
        var blob = cache.BlobPath(repo, type, meta.Etag);
        cache.WriteRef(repo, type, revision, meta.CommitHash);
        if (!options.Force && HubCacheLayout.EntryExists(snapshot) && HubCacheLayout.EntryExists(blob))
        {
            Report(options.Progress, pathInRepo, TransferStage.Completed, meta.Size, meta.Size);
            return snapshot;
        }
        await using (await FileLocks.AcquireAsync(cache.LockPath(repo, type, meta.Etag), cancellationToken).ConfigureAwait(false))
        {
            var shared = meta.IsLfs && meta.XetHash is not null && SharedBlobStore.IsEnabled(_options.Environment) ? new SharedBlobStore(cache.Root) : null;
            if (!options.Force && HubCacheLayout.EntryExists(blob))
            {
                Report(options.Progress, pathInRepo, TransferStage.Completed, meta.Size, meta.Size);
            }
            else if (!options.Force && shared is not null && await shared.TryLinkAsync(blob, meta.XetHash!, meta.Size, cancellationToken).ConfigureAwait(false))
            {
                Trace($"{pathInRepo}: found in the shared blob store, no transfer");
                Report(options.Progress, pathInRepo, TransferStage.Completed, meta.Size, meta.Size);
            }
            else
            {
                var viaXet = await FetchAsync(ResolveUrl(repo, pathInRepo, type, meta.CommitHash), blob + ".incomplete", blob, meta, pathInRepo, options.Force, options.Progress, cancellationToken).ConfigureAwait(false);
                // Only a Xet reconstruction is keyed by the Xet hash itself, so only it goes into the store (as in the Python client).
                if (viaXet && shared is not null)
                {
                    await shared.PublishAsync(blob, meta.XetHash!, meta.Size, cancellationToken).ConfigureAwait(false);
                }
            }
            HubCacheLayout.LinkSnapshot(blob, snapshot);
        }
        return snapshot;
    }

    /// <summary>
    /// Downloads one file at a revision to a path the caller chooses (written to
    /// <c>&lt;destination&gt;.incomplete</c>, verified, then renamed over the destination).
    /// Returns what the Hub said about the file.
    /// </summary>
    public async Task<FileMetadata> DownloadToPathAsync(RepoId repo, string pathInRepo, string destination, RepoType type = RepoType.Model, string? revision = null, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        var meta = await GetFileMetadataAsync(repo, pathInRepo, type, revision, cancellationToken).ConfigureAwait(false);
        await DownloadToPathAsync(repo, pathInRepo, destination, type, meta, progress, flushWhileDownloading: false, cancellationToken).ConfigureAwait(false);
        return meta;
    }

    /// <summary>
    /// <see cref="DownloadToPathAsync(RepoId, string, string, RepoType, string?, IProgress{TransferProgress}?, CancellationToken)"/>
    /// for a caller that already knows the file's commit, size and hash (<paramref name="known"/>), so no
    /// HEAD is sent. With <paramref name="flushWhileDownloading"/> the file is flushed to disk in the
    /// background as it arrives, for a caller that flushes it afterwards (e.g. to make a restored
    /// database durable before it is opened) and wants little left to flush then.
    /// </summary>
    public async Task DownloadToPathAsync(RepoId repo, string pathInRepo, string destination, RepoType type, FileMetadata known, IProgress<TransferProgress>? progress = null, bool flushWhileDownloading = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        var full = Path.GetFullPath(destination);
        await FetchAsync(ResolveUrl(repo, pathInRepo, type, known.CommitHash), full + ".incomplete", full, known, pathInRepo, restart: false, progress, cancellationToken, flushWhileDownloading).ConfigureAwait(false);
    }

    /// <summary>
    /// Downloads every file of a revision (filtered by include/exclude), several at a time, into
    /// the cache or a local dir. Every remote path is checked before anything is written: a path
    /// that would escape the target folder aborts the whole download with <see cref="UnsafePathException"/>.
    /// </summary>
    public async Task<SnapshotResult> SnapshotDownloadAsync(RepoId repo, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        options ??= new SnapshotOptions();
        var revision = options.RevisionOrMain;
        var info = await _repos.GetInfoAsync(repo, options.Type, revision, cancellationToken: cancellationToken).ConfigureAwait(false);
        var commit = info.Sha ?? throw new HubException($"the Hub did not say which commit {revision} of {repo} is");
        var filter = new PathFilter(options.Include, options.Exclude);
        var files = new List<string>();
        await foreach (var entry in ListTreeAsync(repo, options.Type, commit, recursive: true, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entry.IsFile && filter.IsMatch(entry.Path))
            {
                files.Add(entry.Path);
            }
        }
        var cache = new HubCacheLayout(options.CacheDir ?? _options.Environment.HubCache);
        var folder = options.LocalDir is { } local ? Path.GetFullPath(local) : cache.SnapshotFolder(repo, options.Type, commit);
        foreach (var path in files)
        {
            _ = RepoPath.SafeJoin(folder, path);
        }
        Directory.CreateDirectory(folder);
        var perFile = options with { Revision = commit };
        await Parallel.ForEachAsync(
            files,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxWorkers), CancellationToken = cancellationToken },
            async (path, token) => await DownloadFileAsync(repo, path, perFile, token).ConfigureAwait(false)).ConfigureAwait(false);
        if (options.LocalDir is null)
        {
            cache.WriteRef(repo, options.Type, revision, commit);
        }
        return new SnapshotResult(folder, commit, files);
    }

    private async Task<string> DownloadToLocalDirAsync(RepoId repo, string pathInRepo, string localDir, DownloadOptions options, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(localDir);
        var destination = RepoPath.SafeJoin(root, pathInRepo);
        // The Python client's bookkeeping: .cache/huggingface/download/<path>.metadata = commit, etag, timestamp.
        var metaFolder = Path.Combine(root, ".cache", "huggingface", "download");
        var metadataPath = RepoPath.SafeJoin(metaFolder, pathInRepo + ".metadata");
        var saved = ReadLocalMetadata(metadataPath);
        var revision = options.RevisionOrMain;
        if (!options.Force && saved is not null && File.Exists(destination) && HubCacheLayout.IsCommitHash(revision) && saved.Value.Commit == revision)
        {
            return destination;
        }
        var meta = await GetFileMetadataAsync(repo, pathInRepo, options.Type, revision, cancellationToken).ConfigureAwait(false);
        if (!options.Force && saved is { } known && known.Etag == meta.Etag && File.Exists(destination) && new FileInfo(destination).Length == meta.Size)
        {
            WriteLocalMetadata(metadataPath, meta);
            Report(options.Progress, pathInRepo, TransferStage.Completed, meta.Size, meta.Size);
            return destination;
        }
        var incomplete = RepoPath.SafeJoin(metaFolder, $"{pathInRepo}.{meta.Etag}.incomplete");
        await FetchAsync(ResolveUrl(repo, pathInRepo, options.Type, meta.CommitHash), incomplete, destination, meta, pathInRepo, options.Force, options.Progress, cancellationToken).ConfigureAwait(false);
        WriteLocalMetadata(metadataPath, meta);
        return destination;
    }

    private static (string Commit, string Etag)? ReadLocalMetadata(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return lines.Length >= 2 ? (lines[0].Trim(), lines[1].Trim()) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void WriteLocalMetadata(string path, FileMetadata meta)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        File.WriteAllText(path, $"{meta.CommitHash}\n{meta.Etag}\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n");
    }

    /// <summary>
    /// Streams a file's bytes into <paramref name="incomplete"/> (resuming what is there with
    /// <c>Range</c>, restarting if the server ignores it), retries broken streams from where they
    /// stopped, verifies size and hash, then renames into <paramref name="destination"/>.
    /// </summary>
    /// <returns>True when the bytes came through Xet reconstruction, false when through <c>resolve</c>.</returns>
    private async Task<bool> FetchAsync(Uri url, string incomplete, string destination, FileMetadata meta, string displayPath, bool restart, IProgress<TransferProgress>? progress, CancellationToken cancellationToken, bool flushWhileDownloading = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(incomplete)!);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        if (await TryXetFetchAsync(meta, incomplete, destination, displayPath, progress, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }
        var expectSha256 = meta.Etag.Length == 64 && meta.Etag.All(char.IsAsciiHexDigit);
        var expectGitSha1 = meta.Etag.Length == 40 && meta.Etag.All(char.IsAsciiHexDigit);
        var file = new FileStream(incomplete, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            BufferSize = 0,
        });
        var buffer = ArrayPool<byte>.Shared.Rent(ContentHasher.BufferSize);
        var buffers = new[] { buffer, ArrayPool<byte>.Shared.Rent(ContentHasher.BufferSize) };
        var hashing = Task.CompletedTask;
        var flushing = flushWhileDownloading ? new BackgroundFlush(file.SafeFileHandle) : null;
        IncrementalHash? hash = null;
        try
        {
            if (restart || file.Length > meta.Size)
            {
                file.SetLength(0);
            }
            hash = NewHash();
            long have = 0;
            // Hash what an earlier attempt left, so the whole file is verified in the end.
            file.Position = 0;
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, ContentHasher.BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash?.AppendData(buffer, 0, read);
                have += read;
            }
            Report(progress, displayPath, TransferStage.Downloading, have, meta.Size);
            TimeSpan? resumeAfter;
            for (var attempt = 0; have < meta.Size; attempt++)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    request.Headers.AcceptEncoding.ParseAdd("identity");
                    if (have > 0)
                    {
                        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(have, null);
                    }
                    using var response = await _pipeline.SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                    await hashing.ConfigureAwait(false);
                    if (have > 0 && response.StatusCode != HttpStatusCode.PartialContent)
                    {
                        // The server ignored Range: start over.
                        file.SetLength(0);
                        file.Position = 0;
                        have = 0;
                        hash?.Dispose();
                        hash = NewHash();
                    }
                    await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    // Two buffers: while one is hashed on another core, the next is read and written,
                    // so verification costs (almost) no wall time.
                    var current = 0;
                    while (have < meta.Size)
                    {
                        var target = buffers[current];
                        var want = (int)Math.Min(ContentHasher.BufferSize, meta.Size - have);
                        var filled = 0;
                        while (filled < want && (read = await body.ReadAsync(target.AsMemory(filled, want - filled), cancellationToken).ConfigureAwait(false)) > 0)
                        {
                            filled += read;
                        }
                        if (filled == 0)
                        {
                            break;
                        }
                        try
                        {
                            await file.WriteAsync(target.AsMemory(0, filled), cancellationToken).ConfigureAwait(false);
                        }
                        catch (IOException e)
                        {
                            throw LocalWriteException.From(e, destination, incomplete);
                        }
                        await hashing.ConfigureAwait(false);
                        var running = hash;
                        hashing = running is null ? Task.CompletedTask : Task.Run(() => running.AppendData(target, 0, filled), CancellationToken.None);
                        have += filled;
                        current ^= 1;
                        flushing?.Written(have);
                        Report(progress, displayPath, TransferStage.Downloading, have, meta.Size);
                    }
                    if (have < meta.Size)
                    {
                        throw new IOException($"the download of {displayPath} ended after {have} of {meta.Size} bytes");
                    }
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && (resumeAfter = _pipeline.Retry.NextDelay(attempt, e)) is not null)
                {
                    // A stream that broke after its headers: the pipeline cannot send it again, so it
                    // is resumed here from what arrived, with the same policy's budget and backoff.
                    await hashing.ConfigureAwait(false);
                    await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                    await Task.Delay(resumeAfter.Value, cancellationToken).ConfigureAwait(false);
                }
            }
            await hashing.ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushing is not null)
            {
                await flushing.CompleteAsync().ConfigureAwait(false);
            }
            if (hash is not null)
            {
                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!string.Equals(actual, meta.Etag, StringComparison.OrdinalIgnoreCase))
                {
                    await file.DisposeAsync().ConfigureAwait(false);
                    File.Delete(incomplete);
                    throw new HubContentMismatchException($"the download of {displayPath} is corrupt: expected {(expectSha256 ? "sha256" : "git blob id")} {meta.Etag}, got {actual}; it was discarded, try again", url.GetLeftPart(UriPartial.Path));
                }
            }
        }
        finally
        {
            await hashing.ConfigureAwait(false);
            // Not while a flush still uses the file (its error, if any, is reported above).
            await (flushing?.CompleteAsync() ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            hash?.Dispose();
            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
            await file.DisposeAsync().ConfigureAwait(false);
        }
        File.Move(incomplete, destination, overwrite: true);
        Report(progress, displayPath, TransferStage.Completed, meta.Size, meta.Size);
        return false;

        IncrementalHash? NewHash()
        {
            if (expectSha256)
            {
                return IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            }
            if (!expectGitSha1)
            {
                return null;
            }
            var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            sha1.AppendData(ContentHasher.GitBlobHeader(meta.Size));
            return sha1;
        }
    }

    private static void Report(IProgress<TransferProgress>? progress, string path, TransferStage stage, long done, long total) =>
        progress?.Report(new TransferProgress(path, stage, done, total));

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>Strips a weak marker and quotes: <c>W/"abc"</c> → <c>abc</c>.</summary>
    internal static string? NormalizeEtag(string? etag)
    {
        if (string.IsNullOrWhiteSpace(etag))
        {
            return null;
        }
        var value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }
        return value.Trim('"');
    }
}
