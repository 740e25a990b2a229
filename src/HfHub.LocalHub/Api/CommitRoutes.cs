using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>
/// <c>POST /api/{type}s/{id}/preupload/{rev}</c> (upload-mode negotiation) and
/// <c>POST /api/{type}s/{id}/commit/{rev}</c> (the NDJSON commit endpoint).
/// </summary>
internal static class CommitRoutes
{
    /// <summary>Regular (in-git) files must be smaller than this; the Hub rejects larger pushes.</summary>
    public const long MaxRegularSize = 10 * 1024 * 1024;

    /// <summary>Binary files above this size must be LFS.</summary>
    public const long MaxBinaryRegularSize = 1024 * 1024;

    public const string StaleParentMessage = "The branch was updated since you opened this page. Please refresh and try again.";

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        foreach (var (segment, type, prefix) in RepoLookup.Types)
        {
            app.MapPost($"/api/{segment}/{{ns}}/{{name}}/preupload/{{**rev}}", context => Preupload(context, state, type));
            app.MapPost($"/api/{segment}/{{ns}}/{{name}}/commit/{{**rev}}", context => Commit(context, state, type, prefix));
        }
    }

    /// <summary>Stores a regular file's bytes in the blob store; returns its entry (git blob id, SHA-256, size).</summary>
    public static async Task<GitFile> StoreRegularAsync(HubState state, string path, byte[] content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(content);
        using var stream = new MemoryStream(content, writable: false);
        var (sha256, size) = await state.Blobs.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        return new GitFile(path, GitObjects.BlobId(content), size, sha256, false);
    }

    /// <summary>The text of a regular file at a commit, or null when missing or LFS.</summary>
    public static async Task<string?> ReadTextAsync(HubState state, string repoId, string commit, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Git.GetEntry(repoId, commit, path) is not { IsDirectory: false, Lfs: false, Sha256: { } sha } || !state.Blobs.Exists(sha))
        {
            return null;
        }
        await using var stream = state.Blobs.OpenRead(sha);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    private static bool IsCreatePr(HttpContext context) =>
        context.Request.Query["create_pr"].ToString() is "1" or "true" or "True";

    private static async Task<Repo?> TargetRepoAsync(HttpContext context, HubState state, string type)
    {
        // Pull requests are open to anyone who can read the repo; direct commits need write access.
        if (!IsCreatePr(context))
        {
            return await RepoLookup.WritableAsync(context, state, type).ConfigureAwait(false);
        }
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is not null && context.Caller().IsAnonymous)
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return null;
        }
        return repo;
    }

    private static async Task Preupload(HttpContext context, HubState state, string type)
    {
        var repo = await TargetRepoAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var commit = await RepoLookup.CommitAsync(context, state, repo, RepoLookup.Revision(RepoLookup.Route(context, "rev"))).ConfigureAwait(false);
        if (commit is null)
        {
            return;
        }
        using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array)
        {
            await HubResponses.BadRequest(context, "files must be an array of {path, sample, size}").ConfigureAwait(false);
            return;
        }
        var attributes = GitPatterns.FromGitAttributes(body.String("gitAttributes")
            ?? await ReadTextAsync(state, repo.Id, commit, ".gitattributes", context.RequestAborted).ConfigureAwait(false));
        var ignore = GitPatterns.FromGitIgnore(body.String("gitIgnore")
            ?? await ReadTextAsync(state, repo.Id, commit, ".gitignore", context.RequestAborted).ConfigureAwait(false));
        var answers = new List<(string Path, string Mode, bool Ignore, string? Oid)>();
        foreach (var file in files.EnumerateArray())
        {
            var path = file.String("path");
            if (RepoNames.HasDotSegment(path))
            {
                await HubResponses.Error(context, StatusCodes.Status422UnprocessableEntity, $"Invalid path \"{path}\": '.' and '..' segments are not allowed").ConfigureAwait(false);
                return;
            }
            if (!RepoNames.IsValidPath(path) || file.Int64("size") is not { } size || size < 0)
            {
                await HubResponses.BadRequest(context, $"Invalid file entry: each needs a valid relative path and a size (got path \"{path}\")").ConfigureAwait(false);
                return;
            }
            byte[] sample;
            try
            {
                sample = Convert.FromBase64String(file.String("sample") ?? "");
            }
            catch (FormatException)
            {
                await HubResponses.BadRequest(context, $"sample of {path} is not base64").ConfigureAwait(false);
                return;
            }
            var mode = UploadMode(path!, size, sample, attributes);
            var existing = state.Git.GetEntry(repo.Id, commit, path!);
            var oid = existing is { IsDirectory: false } ? existing.Lfs ? existing.Sha256 : existing.Oid : null;
            answers.Add((path!, mode, ignore.Matches(path!), oid));
        }
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("files");
            foreach (var (path, mode, shouldIgnore, oid) in answers)
            {
                w.WriteStartObject();
                w.WriteString("path", path);
                w.WriteString("uploadMode", mode);
                w.WriteBoolean("shouldIgnore", shouldIgnore);
                if (oid is not null)
                {
                    w.WriteString("oid", oid);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("commitOid", commit);
            w.WriteEndObject();
        }).ConfigureAwait(false);
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

    private abstract record Operation(string Path);

    private sealed record PutOperation(GitFile File) : Operation(File.Path);

    private sealed record DeleteFileOperation(string Path) : Operation(Path);

    private sealed record DeleteFolderOperation(string Path) : Operation(Path);

    private sealed class BadCommitException(string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
    {
        public int Status { get; } = status;
    }

    private static async Task Commit(HttpContext context, HubState state, string type, string prefix)
    {
        var repo = await TargetRepoAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var revision = RepoLookup.Revision(RepoLookup.Route(context, "rev"));
        var createPr = IsCreatePr(context);
        string summary, description;
        string? parentCommit;
        List<Operation> operations;
        try
        {
            (summary, description, parentCommit, operations) = await ReadCommitAsync(context, state, repo).ConfigureAwait(false);
        }
        catch (BadCommitException e)
        {
            await HubResponses.Error(context, e.Status, e.Message).ConfigureAwait(false);
            return;
        }
        catch (JsonException)
        {
            await HubResponses.BadRequest(context, "Each line of the body must be a JSON object {\"key\": …, \"value\": {…}}").ConfigureAwait(false);
            return;
        }
        catch (LineTooLongException e)
        {
            await HubResponses.Error(context, StatusCodes.Status413PayloadTooLarge, e.Message).ConfigureAwait(false);
            return;
        }

        var gate = state.Git.LockFor(repo.Id);
        if (!await gate.WaitAsync(TimeSpan.FromSeconds(60), context.RequestAborted).ConfigureAwait(false))
        {
            await HubResponses.Error(context, StatusCodes.Status409Conflict, "Another commit operation is in progress for this repository. Please try again later.").ConfigureAwait(false);
            return;
        }
        try
        {
            await CommitLockedAsync(context, state, repo, prefix, revision, createPr, summary, description, parentCommit, operations).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task CommitLockedAsync(HttpContext context, HubState state, Repo repo, string prefix, string revision, bool createPr,
        string summary, string description, string? parentCommit, List<Operation> operations)
    {
        var branchRef = state.Git.BranchRef(repo.Id, revision);
        if (branchRef is null)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"Invalid rev id: {revision}", "RevisionNotFound").ConfigureAwait(false);
            return;
        }
        var head = state.Git.GetRef(repo.Id, branchRef)!.Target;
        string? parentFull = null;
        if (parentCommit is not null)
        {
            parentFull = state.Git.ResolveRevision(repo.Id, parentCommit);
            if (parentFull is null && createPr)
            {
                await HubResponses.Error(context, StatusCodes.Status404NotFound, $"Invalid rev id: {parentCommit}", "RevisionNotFound").ConfigureAwait(false);
                return;
            }
            if (!createPr && parentFull != head)
            {
                await HubResponses.Error(context, StatusCodes.Status412PreconditionFailed, StaleParentMessage).ConfigureAwait(false);
                return;
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
                case PutOperation put:
                    if (files.Keys.Any(p => p.StartsWith(put.Path + "/", StringComparison.Ordinal)))
                    {
                        await HubResponses.BadRequest(context, $"Cannot add {put.Path}: a folder with that name exists").ConfigureAwait(false);
                        return;
                    }
                    files[put.Path] = put.File;
                    if (put.File.Lfs)
                    {
                        newLfsPaths.Add(put.Path);
                    }
                    break;
                case DeleteFileOperation delete:
                    // A folder named as a deletedFile (Python's CommitOperationDelete("dir"), without
                    // the trailing slash) is deleted as a folder, as the Hub does.
                    var folderFiles = files.ContainsKey(delete.Path) ? [] : files.Keys.Where(p => p.StartsWith(delete.Path + "/", StringComparison.Ordinal)).ToList();
                    folderFiles.ForEach(p => files.Remove(p));
                    if (folderFiles.Count == 0 && !files.Remove(delete.Path))
                    {
                        await HubResponses.Error(context, StatusCodes.Status404NotFound, $"A file with this name doesn't exist: {delete.Path}", "EntryNotFound").ConfigureAwait(false);
                        return;
                    }
                    break;
                case DeleteFolderOperation folder:
                    var inside = folder.Path.Length == 0 ? files.Keys.ToList() : files.Keys.Where(p => p.StartsWith(folder.Path + "/", StringComparison.Ordinal)).ToList();
                    if (inside.Count == 0)
                    {
                        await HubResponses.Error(context, StatusCodes.Status404NotFound, $"A folder with this name doesn't exist: {folder.Path}", "EntryNotFound").ConfigureAwait(false);
                        return;
                    }
                    inside.ForEach(p => files.Remove(p));
                    break;
            }
        }
        await TrackLfsPathsAsync(context, state, files, newLfsPaths).ConfigureAwait(false);

        var changed = files.Keys.Union(before.Keys, StringComparer.Ordinal)
            .Where(p => !files.TryGetValue(p, out var now) || !before.TryGetValue(p, out var was) || now.Oid != was.Oid)
            .Order(StringComparer.Ordinal).ToList();
        var author = context.Caller().User!.Name;
        string commitOid;
        string? pullRequestUrl = null;
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
                var number = state.Git.NextPullRequestNumber(repo.Id);
                targetRef = $"refs/pr/{number}";
                expected = null;
                pullRequestUrl = $"{RepoRoutes.Url(state, prefix, repo.FullName)}/discussions/{number}";
            }
            try
            {
                commitOid = state.Git.Commit(repo.Id, targetRef, expected, baseCommit, files.Values, author, summary, description).Oid;
            }
            catch (StaleBranchException)
            {
                await HubResponses.Error(context, StatusCodes.Status412PreconditionFailed, StaleParentMessage).ConfigureAwait(false);
                return;
            }
            state.Repos.Touch(repo);
            if (repo.Type == "space" && state.SpaceHooks is { } hooks)
            {
                var branch = targetRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? targetRef["refs/heads/".Length..] : targetRef;
                hooks.OnCommitted(repo, branch, commitOid, changed);
            }
        }
        var commitUrl = $"{RepoRoutes.Url(state, prefix, repo.FullName)}/commit/{commitOid}";
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("success", true);
            w.WriteString("commitOid", commitOid);
            w.WriteString("commitUrl", commitUrl);
            w.WriteString("hookOutput", "");
            if (pullRequestUrl is not null)
            {
                w.WriteString("pullRequestUrl", pullRequestUrl);
            }
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>The commit endpoint adds paths sent as <c>lfsFile</c> to <c>.gitattributes</c> when no pattern tracks them yet.</summary>
    private static async Task TrackLfsPathsAsync(HttpContext context, HubState state, Dictionary<string, GitFile> files, List<string> lfsPaths)
    {
        if (lfsPaths.Count == 0)
        {
            return;
        }
        string text = "";
        if (files.TryGetValue(".gitattributes", out var current) && !current.Lfs && state.Blobs.Exists(current.Sha256))
        {
            text = await File.ReadAllTextAsync(state.Blobs.PathOf(current.Sha256), context.RequestAborted).ConfigureAwait(false);
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
        files[".gitattributes"] = await StoreRegularAsync(state, ".gitattributes", Encoding.UTF8.GetBytes(builder.ToString()), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the NDJSON body line by line (both "\n"-terminated and unterminated last lines), storing
    /// regular files' bytes as it goes, so only one line is in memory at a time.
    /// </summary>
    private static async Task<(string Summary, string Description, string? ParentCommit, List<Operation> Operations)> ReadCommitAsync(
        HttpContext context, HubState state, Repo repo)
    {
        string? summary = null, description = null, parentCommit = null;
        var operations = new List<Operation>();
        var first = true;
        await foreach (var read in ReadLinesAsync(context.Request.BodyReader, context.RequestAborted).ConfigureAwait(false))
        {
            var line = read;
            if (first && line.Span.StartsWith(Encoding.UTF8.Preamble))
            {
                line = line[Encoding.UTF8.Preamble.Length..];
            }
            first = false;
            if (line.Span.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }
            using var document = RepoLookup.ParseJson(line) ?? throw new JsonException("not a JSON line");
            var root = document.RootElement;
            var key = root.String("key");
            var value = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("value", out var v) ? v : default;
            if (summary is null && key != "header")
            {
                throw new BadCommitException("The first line must be the header: {\"key\": \"header\", \"value\": {\"summary\": …}}");
            }
            switch (key)
            {
                case "header":
                    if (summary is not null)
                    {
                        throw new BadCommitException("Only one header line is allowed");
                    }
                    summary = value.String("summary");
                    if (string.IsNullOrWhiteSpace(summary))
                    {
                        throw new BadCommitException("summary is required in the commit header");
                    }
                    description = value.String("description") ?? "";
                    parentCommit = value.String("parentCommit");
                    if (parentCommit is not null && (parentCommit.Length is < 5 or > 40 || !parentCommit.All(char.IsAsciiHexDigit)))
                    {
                        throw new BadCommitException($"parentCommit must be a commit id (5 to 40 hex digits), not \"{parentCommit}\"");
                    }
                    break;
                case "file":
                    {
                        var path = CheckPath(value.String("path"));
                        if (value.String("oldPath") is not null)
                        {
                            throw new BadCommitException("Renames (oldPath) are not supported by this hub");
                        }
                        byte[] content;
                        try
                        {
                            content = value.String("encoding") is "utf-8" or "utf8"
                                ? Encoding.UTF8.GetBytes(value.String("content") ?? "")
                                : Convert.FromBase64String(value.String("content") ?? "");
                        }
                        catch (FormatException)
                        {
                            throw new BadCommitException($"The content of {path} is not valid base64");
                        }
                        if (content.Length >= MaxRegularSize)
                        {
                            throw new BadCommitException($"Your push was rejected because it contains files larger than 10 MiB ({path}). Please use https://git-lfs.github.com/ to store large files.");
                        }
                        operations.Add(new PutOperation(await StoreRegularAsync(state, path, content, context.RequestAborted).ConfigureAwait(false)));
                        break;
                    }
                case "lfsFile":
                    {
                        var path = CheckPath(value.String("path"));
                        var oid = value.String("oid")?.ToLowerInvariant();
                        if (value.String("algo") is { } algo && algo is not ("sha256" or "sha_256"))
                        {
                            throw new BadCommitException($"Unsupported LFS hash algorithm {algo} for {path}");
                        }
                        if (oid is not { Length: 64 } || !oid.All(char.IsAsciiHexDigit))
                        {
                            throw new BadCommitException($"oid of {path} must be a SHA-256 (64 hex digits)");
                        }
                        // An LFS object uploaded to the repo, or a Xet file a shard registered for it under this SHA-256.
                        var stored = state.Git.LfsObjectSize(repo.Id, oid) is { } lfsSize && state.Blobs.Exists(oid) ? lfsSize : state.Cas.RepoFile(repo.Id, oid)?.Size;
                        if (stored is null)
                        {
                            throw new BadCommitException($"Your push was rejected because an LFS pointer pointed to a file that does not exist ({path}, oid {oid}). Upload it with the LFS batch API first.");
                        }
                        if (value.TryGetProperty("size", out var sizeValue) && sizeValue.ValueKind == JsonValueKind.Number && value.Int64("size") != stored)
                        {
                            throw new BadCommitException($"The size of {path} ({sizeValue.GetRawText()}) does not match the uploaded LFS object ({stored})");
                        }
                        var pointer = Encoding.UTF8.GetBytes(GitObjects.Pointer(oid, stored.Value));
                        operations.Add(new PutOperation(new GitFile(path, GitObjects.BlobId(pointer), stored.Value, oid, true)));
                        break;
                    }
                case "deletedFile":
                    operations.Add(new DeleteFileOperation(CheckPath(value.String("path"))));
                    break;
                case "deletedFolder":
                    {
                        var raw = (value.String("path") ?? "").Trim('/');
                        operations.Add(new DeleteFolderOperation(raw.Length == 0 || raw == "." ? "" : CheckPath(raw)));
                        break;
                    }
                default:
                    throw new BadCommitException($"Unknown operation key \"{key}\" (file, lfsFile, deletedFile, deletedFolder)");
            }
        }
        if (summary is null)
        {
            throw new BadCommitException("The commit body is empty: a header line with a summary is required");
        }
        return (summary, description!, parentCommit, operations);
    }

    /// <summary>
    /// The longest commit line read (413 above): a regular file under 10 MiB is at most about
    /// 13.4 MiB of base64, plus its path. Longer lines are refused before they are buffered whole,
    /// so a body without newlines cannot grow memory without bound.
    /// </summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    private sealed class LineTooLongException() : Exception($"A line of the commit body is longer than {MaxLineBytes / (1024 * 1024)} MiB: files of 10 MiB or more must be uploaded with LFS");

    /// <summary>The body's '\n'-separated lines (a last line without '\n' too), each copied out of the pipe, none longer than <see cref="MaxLineBytes"/>.</summary>
    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadLinesAsync(PipeReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var lines = new List<byte[]>();
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, end);
                if (line.Length > MaxLineBytes)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    throw new LineTooLongException();
                }
                lines.Add(line.ToArray());
                buffer = buffer.Slice(buffer.GetPosition(1, end));
            }
            var tooLong = buffer.Length > MaxLineBytes;
            var last = result.IsCompleted && !tooLong && buffer.Length > 0 ? buffer.ToArray() : null;
            reader.AdvanceTo(buffer.Start, buffer.End);
            foreach (var line in lines)
            {
                yield return line;
            }
            if (tooLong)
            {
                throw new LineTooLongException();
            }
            if (result.IsCompleted)
            {
                if (last is not null)
                {
                    yield return last;
                }
                yield break;
            }
        }
    }

    private static string CheckPath(string? path)
    {
        path = path?.TrimStart('/');
        if (path is not null && path.StartsWith("./", StringComparison.Ordinal))
        {
            path = path[2..];
        }
        if (RepoNames.HasDotSegment(path))
        {
            throw new BadCommitException($"Invalid path \"{path}\": '.' and '..' segments are not allowed", StatusCodes.Status422UnprocessableEntity);
        }
        return RepoNames.IsValidPath(path) ? path! : throw new BadCommitException($"Invalid path \"{path}\": paths are relative, without empty or '.git' segments");
    }
}
