using System.Text;
using System.Text.Json;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Services;

/// <summary>The answer to <c>preupload</c>: each file's upload mode, whether it is ignored, and its current object id.</summary>
internal sealed record PreuploadBody(IReadOnlyList<PreuploadFileBody> Files, string CommitOid);

internal sealed record PreuploadFileBody(
    string Path,
    string UploadMode,
    bool ShouldIgnore,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Oid);

/// <summary>The answer to a commit.</summary>
internal sealed record CommitAnswerBody(
    bool Success,
    string CommitOid,
    string CommitUrl,
    string HookOutput,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? PullRequestUrl);

/// <summary>
/// Commits to a repo as the Hub does: upload modes for preupload, then the commit itself under the
/// repo's lock (the parent pinned, the operations applied to the base tree, new LFS paths tracked
/// in <c>.gitattributes</c>, no empty commit, pull requests on <c>refs/pr/N</c>), and the Spaces
/// runtime told of what changed.
/// </summary>
internal sealed class CommitService(HubState state)
{
    /// <summary>Regular (in-git) files must be smaller than this; the Hub rejects larger pushes.</summary>
    public const long MaxRegularSize = 10 * 1024 * 1024;

    /// <summary>Binary files above this size must be LFS.</summary>
    public const long MaxBinaryRegularSize = 1024 * 1024;

    public const string StaleParentMessage = "The branch was updated since you opened this page. Please refresh and try again.";

    private static readonly HubError StaleParent = new(StatusCodes.Status412PreconditionFailed, StaleParentMessage);

    /// <summary>Stores a regular file's bytes in the blob store; returns its entry (git blob id, SHA-256, size).</summary>
    public async Task<GitFile> StoreRegularAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var stream = new MemoryStream(content, writable: false);
        var (sha256, size) = await state.Blobs.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        return new GitFile(path, GitObjects.BlobId(content), size, sha256, false);
    }

    /// <summary>The text of a regular file at a commit, or null when missing or LFS.</summary>
    public async Task<string?> ReadTextAsync(string repoId, string commit, string path, CancellationToken cancellationToken)
    {
        if (state.Git.GetEntry(repoId, commit, path) is not { IsDirectory: false, Lfs: false, Sha256: { } sha } || !state.Blobs.Exists(sha))
        {
            return null;
        }
        await using var stream = state.Blobs.OpenRead(sha);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The upload mode of each file of a preupload body, against the repo at <paramref name="commit"/>.</summary>
    public async Task<HubResult<PreuploadBody>> PreuploadAsync(Repo repo, string commit, JsonElement body, CancellationToken cancellationToken)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array)
        {
            return HubError.BadRequest("files must be an array of {path, sample, size}");
        }
        var attributes = GitPatterns.FromGitAttributes(body.String("gitAttributes")
            ?? await ReadTextAsync(repo.Id, commit, ".gitattributes", cancellationToken).ConfigureAwait(false));
        var ignore = GitPatterns.FromGitIgnore(body.String("gitIgnore")
            ?? await ReadTextAsync(repo.Id, commit, ".gitignore", cancellationToken).ConfigureAwait(false));
        var answers = new List<PreuploadFileBody>();
        foreach (var file in files.EnumerateArray())
        {
            var path = file.String("path");
            if (RepoNames.HasDotSegment(path))
            {
                return new HubError(StatusCodes.Status422UnprocessableEntity, $"Invalid path \"{path}\": '.' and '..' segments are not allowed");
            }
            if (!RepoNames.IsValidPath(path) || file.Int64("size") is not { } size || size < 0)
            {
                return HubError.BadRequest($"Invalid file entry: each needs a valid relative path and a size (got path \"{path}\")");
            }
            byte[] sample;
            try
            {
                sample = Convert.FromBase64String(file.String("sample") ?? "");
            }
            catch (FormatException)
            {
                return HubError.BadRequest($"sample of {path} is not base64");
            }
            var mode = UploadMode(path!, size, sample, attributes);
            var existing = state.Git.GetEntry(repo.Id, commit, path!);
            var oid = existing is { IsDirectory: false } ? existing.Lfs ? existing.Sha256 : existing.Oid : null;
            answers.Add(new PreuploadFileBody(path!, mode, ignore.Matches(path!), oid));
        }
        return new PreuploadBody(answers, commit);
    }

    /// <summary>
    /// The Hub's public rules (its exact algorithm is unpublished): never LFS when empty; LFS when
    /// <c>.gitattributes</c> tracks the path, when 10 MiB or larger, or when binary (a NUL byte in
    /// the sample, like grep's heuristic) and larger than 1 MiB.
    /// </summary>
    public static string UploadMode(string path, long size, ReadOnlySpan<byte> sample, GitPatterns attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (size == 0)
        {
            return "regular";
        }
        if (attributes.Matches(path) || size >= MaxRegularSize || (size > MaxBinaryRegularSize && sample.Contains((byte)0)))
        {
            return "lfs";
        }
        return "regular";
    }

    /// <summary>
    /// Applies a commit to <paramref name="revision"/> (a branch) or, with <paramref name="createPr"/>,
    /// opens a pull request from it; waits up to a minute for another commit to the repo to finish.
    /// </summary>
    public async Task<HubResult<CommitAnswerBody>> CommitAsync(Repo repo, CommitRequest request, string revision, bool createPr, string author, string repoUrl,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(request);
        var gate = state.Git.LockFor(repo.Id);
        if (!await gate.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false))
        {
            return new HubError(StatusCodes.Status409Conflict, "Another commit operation is in progress for this repository. Please try again later.");
        }
        try
        {
            return await CommitLockedAsync(repo, request, revision, createPr, author, repoUrl, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A pull request opened by this commit joins the discussions; a commit pushed to one goes on its timeline.</summary>
    private void RecordOnPullRequest(Repo repo, string targetRef, int? opened, string baseRef, string baseCommit, string author, string summary, string description, string commitOid)
    {
        var discussions = new DiscussionService(state);
        if (opened is { } num)
        {
            discussions.OpenedByCommit(repo, num, author, summary, description, baseRef, baseCommit, commitOid);
        }
        else if (targetRef.StartsWith("refs/pr/", StringComparison.Ordinal) && int.TryParse(targetRef.AsSpan("refs/pr/".Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pushed))
        {
            discussions.Pushed(repo, pushed, author, summary, commitOid);
        }
    }

    private async Task<HubResult<CommitAnswerBody>> CommitLockedAsync(Repo repo, CommitRequest request, string revision, bool createPr, string author, string repoUrl,
        CancellationToken cancellationToken)
    {
        var (summary, description, parentCommit, operations) = request;
        var branchRef = state.Git.BranchRef(repo.Id, revision);
        if (branchRef is null)
        {
            return HubError.RevisionNotFound(revision);
        }
        var head = state.Git.GetRef(repo.Id, branchRef)!.Target;
        string? parentFull = null;
        if (parentCommit is not null)
        {
            parentFull = state.Git.ResolveRevision(repo.Id, parentCommit);
            if (parentFull is null && createPr)
            {
                return HubError.RevisionNotFound(parentCommit);
            }
            if (!createPr && parentFull != head)
            {
                return StaleParent;
            }
        }
        var baseCommit = createPr ? parentFull ?? head : head;
        var before = state.Git.Files(repo.Id, baseCommit);
        var files = before.Values.ToDictionary(e => e.Path, e => new GitFile(e.Path, e.Oid, e.Size, e.Sha256!, e.Lfs), StringComparer.Ordinal);
        var newLfsPaths = new List<string>();
        foreach (var operation in operations)
        {
            switch (operation)
            {
                case PutFile put:
                    if (files.Keys.Any(p => p.StartsWith(put.Path + "/", StringComparison.Ordinal)))
                    {
                        return HubError.BadRequest($"Cannot add {put.Path}: a folder with that name exists");
                    }
                    files[put.Path] = put.File;
                    if (put.File.Lfs)
                    {
                        newLfsPaths.Add(put.Path);
                    }
                    break;
                case DeleteFile delete:
                    // A folder named as a deletedFile (Python's CommitOperationDelete("dir"), without
                    // the trailing slash) is deleted as a folder, as the Hub does.
                    var folderFiles = files.ContainsKey(delete.Path) ? [] : files.Keys.Where(p => p.StartsWith(delete.Path + "/", StringComparison.Ordinal)).ToList();
                    folderFiles.ForEach(p => files.Remove(p));
                    if (folderFiles.Count == 0 && !files.Remove(delete.Path))
                    {
                        return new HubError(StatusCodes.Status404NotFound, $"A file with this name doesn't exist: {delete.Path}", "EntryNotFound");
                    }
                    break;
                case DeleteFolder folder:
                    var inside = folder.Path.Length == 0 ? files.Keys.ToList() : files.Keys.Where(p => p.StartsWith(folder.Path + "/", StringComparison.Ordinal)).ToList();
                    if (inside.Count == 0)
                    {
                        return new HubError(StatusCodes.Status404NotFound, $"A folder with this name doesn't exist: {folder.Path}", "EntryNotFound");
                    }
                    inside.ForEach(p => files.Remove(p));
                    break;
            }
        }
        await TrackLfsPathsAsync(files, newLfsPaths, cancellationToken).ConfigureAwait(false);

        var changed = files.Keys.Union(before.Keys, StringComparer.Ordinal)
            .Where(p => !files.TryGetValue(p, out var now) || !before.TryGetValue(p, out var was) || now.Oid != was.Oid)
            .Order(StringComparer.Ordinal).ToList();
        string commitOid;
        string? pullRequestUrl = null;
        int? pullRequestNumber = null;
        var targetRef = branchRef;
        if (changed.Count == 0 && !createPr)
        {
            // Nothing changed: no empty commit is recorded, and the answer names the current head,
            // so a client retrying a commit whose answer it lost gets a success rather than a duplicate.
            commitOid = head;
        }
        else
        {
            var expected = head;
            if (createPr)
            {
                var number = new DiscussionService(state).NextNumber(repo.Id);
                pullRequestNumber = number;
                targetRef = $"refs/pr/{number}";
                expected = null;
                pullRequestUrl = $"{repoUrl}/discussions/{number}";
            }
            try
            {
                commitOid = state.Git.Commit(repo.Id, targetRef, expected, baseCommit, files.Values, author, summary, description).Oid;
            }
            catch (StaleBranchException)
            {
                return StaleParent;
            }
            state.Repos.Touch(repo);
            RecordOnPullRequest(repo, targetRef, pullRequestNumber, branchRef, baseCommit, author, summary, description, commitOid);
            if (repo.Type == "space" && state.SpaceHooks is { } hooks)
            {
                var branch = targetRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? targetRef["refs/heads/".Length..] : targetRef;
                hooks.OnCommitted(repo, branch, commitOid, changed);
            }
        }
        return new CommitAnswerBody(true, commitOid, $"{repoUrl}/commit/{commitOid}", "", pullRequestUrl);
    }

    /// <summary>The commit endpoint adds paths sent as <c>lfsFile</c> to <c>.gitattributes</c> when no pattern tracks them yet.</summary>
    private async Task TrackLfsPathsAsync(Dictionary<string, GitFile> files, List<string> lfsPaths, CancellationToken cancellationToken)
    {
        if (lfsPaths.Count == 0)
        {
            return;
        }
        string text = "";
        if (files.TryGetValue(".gitattributes", out var current) && !current.Lfs && state.Blobs.Exists(current.Sha256))
        {
            text = await File.ReadAllTextAsync(state.Blobs.PathOf(current.Sha256), cancellationToken).ConfigureAwait(false);
        }
        var patterns = GitPatterns.FromGitAttributes(text);
        var missing = lfsPaths.Where(p => files.TryGetValue(p, out var f) && f.Lfs && !patterns.Matches(p)).Distinct().ToList();
        if (missing.Count == 0)
        {
            return;
        }
        var builder = new StringBuilder(text);
        if (builder.Length > 0 && builder[^1] != '\n')
        {
            builder.Append('\n');
        }
        foreach (var path in missing)
        {
            builder.Append(GitPatterns.Escape(path)).Append(" filter=lfs diff=lfs merge=lfs -text\n");
        }
        files[".gitattributes"] = await StoreRegularAsync(".gitattributes", Encoding.UTF8.GetBytes(builder.ToString()), cancellationToken).ConfigureAwait(false);
    }
}
