using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using HfHub.Http;
using HfHub.Repos;

namespace HfHub.Files;

public sealed partial class FilesClient
{
    private const int PreuploadBatch = 100;
    private const int LfsBatch = 100;
    private static readonly MediaTypeHeaderValue LfsMediaType = new("application/vnd.git-lfs+json");

    /// <summary>
    /// Makes one commit: hashes additions (in parallel, streaming), asks the Hub which must go to
    /// LFS (<c>preupload</c>), uploads LFS objects it does not have yet (basic or multipart, parts in
    /// parallel, each retried), drops additions whose content is already there, and posts the NDJSON
    /// commit. When nothing changed no commit is sent and <see cref="CommitResult.Committed"/> is false.
    /// A stale <see cref="CommitBuilder.ParentCommit"/> throws <see cref="HubConflictException"/> (412).
    /// </summary>
    public async Task<CommitResult> CommitAsync(RepoId repo, CommitBuilder commit, CommitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(commit);
        options ??= new CommitOptions();
        if (string.IsNullOrWhiteSpace(commit.Message))
        {
            throw new ArgumentException("the commit message cannot be empty");
        }
        if (commit.ParentCommit is { } parent && (parent.Length is < 5 or > 40 || !parent.All(char.IsAsciiHexDigit)))
        {
            throw new ArgumentException($"invalid parent commit '{parent}': expected 5 to 40 hex digits");
        }

        // The last addition of a path wins, as in a working tree.
        var additions = new List<CommitAddFile>();
        var lastIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var add in commit.Operations.OfType<CommitAddFile>())
        {
            if (lastIndex.TryGetValue(add.PathInRepo, out var index))
            {
                additions[index] = add;
            }
            else
            {
                lastIndex[add.PathInRepo] = additions.Count;
                additions.Add(add);
            }
        }

        var plans = await PlanAdditionsAsync(repo, additions, options, cancellationToken).ConfigureAwait(false);
        await UploadLfsAsync(repo, plans.Values.Where(p => p.Mode == UploadMode.Lfs).ToList(), options, cancellationToken).ConfigureAwait(false);
        if (options.BeforeCommit is { } beforeCommit)
        {
            await beforeCommit(cancellationToken).ConfigureAwait(false);
        }

        var lines = new List<PayloadLine>();
        var emitted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in commit.Operations)
        {
            switch (operation)
            {
                case CommitAddFile add when plans.TryGetValue(add.PathInRepo, out var plan) && emitted.Add(add.PathInRepo):
                    if (plan.Mode == UploadMode.Lfs)
                    {
                        lines.Add(new LfsFileLine(plan.Path, plan.Digest.Sha256, plan.Digest.Size));
                    }
                    else if (plan.Mode == UploadMode.Regular)
                    {
                        lines.Add(new RegularFileLine(plan.Path, plan.Content));
                    }
                    break;
                case CommitDeleteFile delete:
                    lines.Add(new DeletedFileLine(delete.PathInRepo));
                    break;
                case CommitDeleteFolder folder:
                    lines.Add(new DeletedFolderLine(folder.PathInRepo.TrimEnd('/')));
                    break;
            }
        }
        var unchanged = plans.Values.Count(p => p.Mode is UploadMode.Unchanged or UploadMode.Ignored);
        var added = plans.Values.Count(p => p.Mode is UploadMode.Lfs or UploadMode.Regular);
        if (lines.Count == 0)
        {
            // Every addition was a no-op: no empty commit, like the official clients.
            var head = plans.Values.Select(p => p.HeadCommit).FirstOrDefault(h => h is not null)
                ?? (await _repos.GetInfoAsync(repo, options.Type, options.Branch, cancellationToken: cancellationToken).ConfigureAwait(false)).Sha
                ?? "";
            return new CommitResult(head, "", null, false, 0, unchanged);
        }

        var headBefore = plans.Values.Select(p => p.HeadCommit).FirstOrDefault(h => h is not null);
        var body = await PostCommitAsync(repo, commit, lines, headBefore, options, cancellationToken).ConfigureAwait(false);
        foreach (var plan in plans.Values.Where(p => p.Mode == UploadMode.Regular))
        {
            options.Progress?.Report(new TransferProgress(plan.Path, TransferStage.Completed, plan.Digest.Size, plan.Digest.Size));
        }
        return new CommitResult(body.CommitOid!, body.CommitUrl ?? "", body.PullRequestUrl, true, added, unchanged);
    }

    /// <summary>
    /// Posts the NDJSON commit. The official clients never retry it, since a lost answer to a commit
    /// that landed would commit twice. Here the pipeline may send it again after a transient failure
    /// (429, 5xx, dropped or cut-off answer), with <c>parentCommit</c> pinned to the head seen before,
    /// so a retry can never land on top of the first attempt: if the Hub then answers 412 and the
    /// branch head is a commit with this very title, the first attempt landed and that commit is the
    /// result. Without a head to pin (a new branch) or for a pull request it is sent once.
    /// </summary>
    private async Task<CommitResponse> PostCommitAsync(RepoId repo, CommitBuilder commit, List<PayloadLine> lines, string? headBefore, CommitOptions options, CancellationToken cancellationToken)
    {
        var pinned = commit.ParentCommit ?? headBefore;
        using var request = _pipeline.Request(HttpMethod.Post, $"api/{options.Type.ApiSegment()}/{repo}/commit/{Rev(options.Branch)}{(options.CreatePullRequest ? "?create_pr=1" : "")}");
        request.Content = Payload(commit.ParentCommit);
        if (pinned is not null && !options.CreatePullRequest)
        {
            request.Options.Set(RetryHandler.Retryable, true);
            request.Options.Set(RetryHandler.FreshContent, _ => ValueTask.FromResult(Payload(pinned)));
        }
        try
        {
            using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await HubPipeline.ReadJsonAsync(response, FilesJsonContext.Default.CommitResponse, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(body.CommitOid))
            {
                throw new HubException("the Hub accepted the commit but did not say which commit it made", (int)response.StatusCode);
            }
            return body;
        }
        catch (HubConflictException) when (request.Options.TryGetValue(RetryHandler.Sends, out var sends) && sends > 1)
        {
            var head = await FirstCommitAsync(repo, options, cancellationToken).ConfigureAwait(false);
            if (head is not null && head.Title.Trim() == commit.Message.Trim())
            {
                return new CommitResponse(head.Id, _pipeline.Url($"{options.Type.UrlPrefix()}{repo}/commit/{head.Id}").ToString(), null, null);
            }
            throw;
        }

        HttpContent Payload(string? parent)
        {
            var content = new CommitPayload(commit.Message, commit.Description, parent, lines);
            content.Headers.ContentType = CommitPayload.MediaType;
            return content;
        }
    }

    private async Task<CommitInfo?> FirstCommitAsync(RepoId repo, CommitOptions options, CancellationToken cancellationToken)
    {
        await foreach (var commit in ListCommitsAsync(repo, options.Type, options.Branch, 1, cancellationToken).ConfigureAwait(false))
        {
            return commit;
        }
        return null;
    }

    /// <summary>Uploads one file (local path) in its own commit.</summary>
    public Task<CommitResult> UploadFileAsync(RepoId repo, string localPath, string? pathInRepo = null, UploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        pathInRepo ??= Path.GetFileName(localPath);
        return UploadAsync(repo, ContentSource.FromFile(localPath), pathInRepo, options, cancellationToken);
    }

    /// <summary>Uploads a seekable stream as one file in its own commit.</summary>
    public Task<CommitResult> UploadFileAsync(RepoId repo, Stream content, string pathInRepo, UploadOptions? options = null, CancellationToken cancellationToken = default) =>
        UploadAsync(repo, ContentSource.FromStream(content), pathInRepo, options, cancellationToken);

    private Task<CommitResult> UploadAsync(RepoId repo, ContentSource source, string pathInRepo, UploadOptions? options, CancellationToken cancellationToken)
    {
        options ??= new UploadOptions();
        var builder = new CommitBuilder(options.CommitMessage ?? $"Upload {RepoPath.Normalize(pathInRepo)} with hfctl")
        {
            Description = options.CommitDescription,
            ParentCommit = options.ParentCommit,
        };
        builder.Add(new CommitAddFile(pathInRepo, source));
        return CommitAsync(repo, builder, options, cancellationToken);
    }

    /// <summary>
    /// Uploads a folder: every file under it that passes the include/exclude patterns goes to
    /// <paramref name="pathInRepo"/> (the repo root by default). Files whose content the repo
    /// already has are skipped; very large change sets are split into several commits.
    /// </summary>
    public async Task<UploadFolderResult> UploadFolderAsync(RepoId repo, string folder, string? pathInRepo = null, UploadFolderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= new UploadFolderOptions();
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"no such folder: {folder}");
        }
        var prefix = string.IsNullOrEmpty(pathInRepo) || pathInRepo is "." or "/" ? "" : RepoPath.Normalize(pathInRepo).TrimEnd('/') + "/";
        var filter = new PathFilter(options.Include, options.Exclude);
        var files = new List<(string Local, string Relative)>();
        foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false }))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            // Never upload git internals or the local-dir download metadata.
            if (relative.StartsWith(".git/", StringComparison.Ordinal) || relative == ".git"
                || relative.StartsWith(".cache/huggingface/", StringComparison.Ordinal) || !filter.IsMatch(relative))
            {
                continue;
            }
            // A link out of the folder would upload what the caller never named (the Python client
            // follows it); refuse rather than skip silently, so the caller can --exclude it knowingly.
            if (RepoPath.LinkOutside(root, file) is { } link)
            {
                throw new ArgumentException($"'{Path.GetRelativePath(root, link)}' is a symbolic link to outside {folder}: refusing to upload what it points to (exclude it, or copy the file in)");
            }
            files.Add((file, relative));
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));

        var commits = new List<CommitResult>();
        int uploaded = 0, unchanged = 0;
        var chunks = files.Chunk(Math.Max(1, options.MaxFilesPerCommit ?? int.MaxValue)).ToList();
        string? head = null;
        for (var i = 0; i < chunks.Count; i++)
        {
            var message = options.CommitMessage ?? "Upload folder using hfctl";
            if (chunks.Count > 1)
            {
                message += $" (part {i + 1} of {chunks.Count})";
            }
            var builder = new CommitBuilder(message) { Description = options.CommitDescription, ParentCommit = i == 0 ? options.ParentCommit : null };
            foreach (var (local, relative) in chunks[i])
            {
                builder.AddFile(prefix + relative, local);
            }
            var result = await CommitAsync(repo, builder, options, cancellationToken).ConfigureAwait(false);
            uploaded += result.FilesAdded;
            unchanged += result.FilesUnchanged;
            head = result.CommitOid;
            if (result.Committed)
            {
                commits.Add(result);
            }
        }
        head ??= (await _repos.GetInfoAsync(repo, options.Type, options.Branch, cancellationToken: cancellationToken).ConfigureAwait(false)).Sha ?? "";
        return new UploadFolderResult(commits, uploaded, unchanged, head);
    }

    private enum UploadMode
    {
        Regular,
        Lfs,
        Unchanged,
        Ignored,
    }

    private sealed class AdditionPlan(string path, ContentSource content, ContentDigest digest)
    {
        public string Path { get; } = path;
        public ContentSource Content { get; } = content;
        public ContentDigest Digest { get; } = digest;
        public UploadMode Mode { get; set; } = UploadMode.Regular;
        public string? RemoteOid { get; set; }
        public string? HeadCommit { get; set; }
    }

    private async Task<Dictionary<string, AdditionPlan>> PlanAdditionsAsync(RepoId repo, List<CommitAddFile> additions, CommitOptions options, CancellationToken cancellationToken)
    {
        var plans = new AdditionPlan[additions.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, additions.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Math.Min(options.MaxParallelFiles, Environment.ProcessorCount)), CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var add = additions[i];
                var size = add.Content.Length;
                if (add.KnownDigest is { } known && known.Size == size && (known.GitSha1 is not null || size >= ContentHasher.GitHashLimit))
                {
                    plans[i] = new AdditionPlan(add.PathInRepo, add.Content, known);
                    return;
                }
                long done = 0;
                var progress = options.Progress is { } p
                    ? new SyncProgress<long>(n => p.Report(new TransferProgress(add.PathInRepo, TransferStage.Hashing, Interlocked.Add(ref done, n), size)))
                    : null;
                await using var stream = await add.Content.OpenAsync(token).ConfigureAwait(false);
                var digest = await ContentHasher.HashStreamAsync(stream, size, size < ContentHasher.GitHashLimit, progress, token).ConfigureAwait(false);
                plans[i] = new AdditionPlan(add.PathInRepo, add.Content, digest);
            }).ConfigureAwait(false);

        var byPath = plans.ToDictionary(p => p.Path, StringComparer.Ordinal);
        if (plans.Length == 0)
        {
            return byPath;
        }
        var anyWithoutOid = false;
        foreach (var batch in plans.Chunk(PreuploadBatch))
        {
            var body = new PreuploadRequest([.. batch.Select(p => new PreuploadFile(p.Path, Convert.ToBase64String(p.Digest.Sample.Span), p.Digest.Size))]);
            using var request = _pipeline.Request(HttpMethod.Post, $"api/{options.Type.ApiSegment()}/{repo}/preupload/{Rev(options.Branch)}{(options.CreatePullRequest ? "?create_pr=1" : "")}");
            request.Content = JsonContent.Create(body, FilesJsonContext.Default.PreuploadRequest);
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            request.Options.Set(RetryHandler.Retryable, true);
            using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var answer = await HubPipeline.ReadJsonAsync(response, FilesJsonContext.Default.PreuploadResponse, cancellationToken).ConfigureAwait(false);
            foreach (var file in answer.Files ?? [])
            {
                if (!byPath.TryGetValue(file.Path, out var plan))
                {
                    continue;
                }
                plan.HeadCommit = answer.CommitOid;
                plan.RemoteOid = file.Oid;
                // Empty files always go in git: storage backends refuse empty objects.
                plan.Mode = file.ShouldIgnore ? UploadMode.Ignored
                    : file.UploadMode == "lfs" && plan.Digest.Size > 0 ? UploadMode.Lfs
                    : UploadMode.Regular;
            }
            anyWithoutOid |= batch.Any(p => p.RemoteOid is null && p.Mode != UploadMode.Ignored);
        }
        foreach (var plan in plans)
        {
            if (plan.RemoteOid is { } oid && IsSameContent(plan, oid, null))
            {
                plan.Mode = UploadMode.Unchanged;
            }
        }
        if (anyWithoutOid)
        {
            // The preupload answer's oid is not documented; paths-info says for certain what is there.
            try
            {
                var remote = await GetPathsInfoAsync(repo, [.. plans.Where(p => p.Mode is UploadMode.Regular or UploadMode.Lfs).Select(p => p.Path)], options.Type, options.Branch, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var entry in remote)
                {
                    if (entry.IsFile && byPath.TryGetValue(entry.Path, out var plan) && plan.Mode is UploadMode.Regular or UploadMode.Lfs
                        && IsSameContent(plan, entry.Oid, entry.Lfs))
                    {
                        plan.Mode = UploadMode.Unchanged;
                    }
                }
            }
            catch (HubNotFoundException)
            {
                // A branch that does not exist yet has no files to compare with.
            }
        }
        foreach (var plan in plans.Where(p => p.Mode is UploadMode.Unchanged or UploadMode.Ignored))
        {
            options.Progress?.Report(new TransferProgress(plan.Path, TransferStage.Completed, plan.Digest.Size, plan.Digest.Size));
        }
        return byPath;
    }

    /// <summary>Same content: the LFS sha256 matches, or the git blob id of a regular file matches.</summary>
    private static bool IsSameContent(AdditionPlan plan, string oid, TreeLfs? lfs)
    {
        if (lfs is not null)
        {
            return lfs.Size == plan.Digest.Size && string.Equals(lfs.Oid, plan.Digest.Sha256, StringComparison.OrdinalIgnoreCase);
        }
        return string.Equals(oid, plan.Digest.Sha256, StringComparison.OrdinalIgnoreCase)
            || (plan.Digest.GitSha1 is { } sha1 && string.Equals(oid, sha1, StringComparison.OrdinalIgnoreCase));
    }

    private async Task UploadLfsAsync(RepoId repo, List<AdditionPlan> lfs, CommitOptions options, CancellationToken cancellationToken)
    {
        // One upload per distinct object: two paths with the same content share it.
        var distinct = lfs.GroupBy(p => p.Digest.Sha256, StringComparer.Ordinal).Select(g => g.First()).ToList();
        foreach (var batch in distinct.Chunk(LfsBatch))
        {
            var body = new LfsBatchRequest(
                "upload",
                XetDisabled ? ["basic", "multipart"] : ["basic", "multipart", "xet"],
                [.. batch.Select(p => new LfsObject(p.Digest.Sha256, p.Digest.Size))],
                "sha256",
                options.CreatePullRequest ? null : new LfsRef(options.Branch));
            using var request = _pipeline.Request(HttpMethod.Post, $"{options.Type.UrlPrefix()}{repo}.git/info/lfs/objects/batch");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.git-lfs+json"));
            request.Content = JsonContent.Create(body, FilesJsonContext.Default.LfsBatchRequest, LfsMediaType);
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            request.Options.Set(RetryHandler.Retryable, true);
            using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var answer = await HubPipeline.ReadJsonAsync(response, FilesJsonContext.Default.LfsBatchResponse, cancellationToken).ConfigureAwait(false);
            var byOid = batch.ToDictionary(p => p.Digest.Sha256, StringComparer.OrdinalIgnoreCase);
            var work = new List<(AdditionPlan Plan, LfsBatchObject Object)>();
            foreach (var obj in answer.Objects ?? [])
            {
                if (!byOid.TryGetValue(obj.Oid, out var plan))
                {
                    continue;
                }
                if (obj.Error is { } error)
                {
                    throw new HubException($"the Hub refused to store {plan.Path}: {error.Message ?? "error " + error.Code}", error.Code);
                }
                if (obj.Actions?.Upload is null)
                {
                    // Already stored: nothing to send.
                    options.Progress?.Report(new TransferProgress(plan.Path, TransferStage.Completed, plan.Digest.Size, plan.Digest.Size));
                    continue;
                }
                work.Add((plan, obj));
            }
            if (string.Equals(answer.Transfer, "xet", StringComparison.Ordinal))
            {
                await UploadXetAsync(work, options, cancellationToken).ConfigureAwait(false);
                continue;
            }
            await Parallel.ForEachAsync(
                work,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelFiles), CancellationToken = cancellationToken },
                async (item, token) => await UploadObjectAsync(item.Plan, item.Object, options, token).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    private async Task UploadObjectAsync(AdditionPlan plan, LfsBatchObject obj, CommitOptions options, CancellationToken cancellationToken)
    {
        var upload = obj.Actions!.Upload!;
        var size = plan.Digest.Size;
        long sent = 0;
        void Sent(long delta) =>
            options.Progress?.Report(new TransferProgress(plan.Path, TransferStage.Uploading, Interlocked.Add(ref sent, delta), size));

        if (upload.Header is { } header && header.TryGetValue("chunk_size", out var chunkValue))
        {
            var chunkSize = long.Parse(chunkValue.ValueKind == System.Text.Json.JsonValueKind.String ? chunkValue.GetString()! : chunkValue.GetRawText(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            if (chunkSize <= 0)
            {
                throw new HubException($"the Hub sent an invalid multipart chunk size for {plan.Path}");
            }
            var parts = header
                .Where(h => h.Key.Length > 0 && h.Key.All(char.IsAsciiDigit))
                .Select(h => (Number: int.Parse(h.Key, CultureInfo.InvariantCulture), Url: h.Value.GetString() ?? ""))
                .OrderBy(p => p.Number)
                .ToList();
            var expected = (int)((size + chunkSize - 1) / chunkSize);
            if (parts.Count != expected)
            {
                throw new HubException($"the Hub sent {parts.Count} part URLs for {plan.Path} but {expected} are needed");
            }
            var etags = new string[parts.Count];
            var parallel = plan.Content.SupportsParallelSlices ? Math.Max(1, options.MaxParallelParts) : 1;
            await Parallel.ForEachAsync(
                Enumerable.Range(0, parts.Count),
                new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    var offset = i * chunkSize;
                    var length = Math.Min(chunkSize, size - offset);
                    etags[i] = await PutSliceAsync(new Uri(parts[i].Url), plan.Content, offset, length, Sent, requireEtag: true, token).ConfigureAwait(false);
                }).ConfigureAwait(false);
            var completion = new LfsCompletion(obj.Oid, [.. parts.Select((p, i) => new LfsPart(p.Number, etags[i]))]);
            using var request = new HttpRequestMessage(HttpMethod.Post, upload.Href);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.git-lfs+json"));
            request.Content = JsonContent.Create(completion, FilesJsonContext.Default.LfsCompletion, LfsMediaType);
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            // The completion URL authenticates itself; the token never goes to upload URLs.
            request.Options.Set(HubPipeline.Anonymous, true);
            request.Options.Set(HubPipeline.NoRedirects, true);
            request.Options.Set(RetryHandler.Retryable, true);
            using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (string.IsNullOrEmpty(upload.Href))
            {
                throw new HubException($"the Hub sent no upload URL for {plan.Path}");
            }
            await PutSliceAsync(new Uri(upload.Href), plan.Content, 0, size, Sent, requireEtag: false, cancellationToken).ConfigureAwait(false);
        }

        if (obj.Actions.Verify?.Href is { Length: > 0 } verify)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, verify);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.git-lfs+json"));
            request.Content = JsonContent.Create(new LfsObject(obj.Oid, size), FilesJsonContext.Default.LfsObject, LfsMediaType);
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            request.Options.Set(RetryHandler.Retryable, true);
            using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        options.Progress?.Report(new TransferProgress(plan.Path, TransferStage.Completed, size, size));
    }

    /// <summary>
    /// PUTs a slice to a pre-signed URL without the token. The pipeline retries transient failures,
    /// opening the slice again for each attempt and taking back the progress the failed one reported.
    /// Returns the response's ETag.
    /// </summary>
    private async Task<string> PutSliceAsync(Uri url, ContentSource source, long offset, long length, Action<long> sent, bool requireEtag, CancellationToken cancellationToken)
    {
        long sentThisAttempt = 0;
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = await SliceAsync(cancellationToken).ConfigureAwait(false) };
        request.Options.Set(HubPipeline.Anonymous, true);
        request.Options.Set(HubPipeline.NoRedirects, true);
        request.Options.Set(RetryHandler.Retryable, true);
        request.Options.Set(RetryHandler.FreshContent, SliceAsync);
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var etag = response.Headers.ETag?.Tag
            ?? (response.Headers.TryGetValues("ETag", out var values) ? values.FirstOrDefault() : null);
        if (requireEtag && string.IsNullOrEmpty(etag))
        {
            throw new HubException($"the storage answered a part upload without an ETag ({url.GetLeftPart(UriPartial.Path)})", (int)response.StatusCode);
        }
        return etag ?? "";

        async ValueTask<HttpContent> SliceAsync(CancellationToken token)
        {
            if (Interlocked.Exchange(ref sentThisAttempt, 0) is var resent and not 0)
            {
                sent(-resent);
            }
            var body = await source.OpenSliceAsync(offset, length, token).ConfigureAwait(false);
            return new UploadContent(body, length, n =>
            {
                Interlocked.Add(ref sentThisAttempt, n);
                sent(n);
            });
        }
    }
}

/// <summary>Streams a body (which it owns) with a known length from a pooled 1 MiB buffer, reporting bytes as they go.</summary>
internal sealed class UploadContent(Stream body, long length, Action<long> progress) : HttpContent
{
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
        }
        base.Dispose(disposing);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(ContentHasher.BufferSize);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, ContentHasher.BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                progress(read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long computed)
    {
        computed = length;
        return true;
    }
}

