using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>
/// History and listings: <c>tree</c>, <c>paths-info</c>, <c>commits</c>, <c>refs</c>; and ref
/// changes: <c>branch</c> create/delete, <c>tag</c> create/delete, <c>super-squash</c>.
/// </summary>
internal static class TreeRoutes
{
    /// <summary>The Hub answers 413 above about a thousand paths in one paths-info call.</summary>
    public const int MaxPathsInfo = 1000;

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        foreach (var (segment, type, _) in RepoLookup.Types)
        {
            var repo = $"/api/{segment}/{{ns}}/{{name}}";
            app.MapGet($"{repo}/tree/{{**rest}}", context => Tree(context, state, type));
            app.MapPost($"{repo}/paths-info/{{**rev}}", context => PathsInfo(context, state, type));
            app.MapGet($"{repo}/commits/{{**rev}}", context => Commits(context, state, type));
            app.MapGet($"{repo}/refs", context => Refs(context, state, type));
            app.MapPost($"{repo}/branch/{{**branch}}", context => CreateBranch(context, state, type));
            app.MapDelete($"{repo}/branch/{{**branch}}", context => DeleteBranch(context, state, type));
            app.MapPost($"{repo}/tag/{{**rev}}", context => CreateTag(context, state, type));
            app.MapDelete($"{repo}/tag/{{**rev}}", context => DeleteTag(context, state, type));
            app.MapPost($"{repo}/super-squash/{{**branch}}", context => SuperSquash(context, state, type));
        }
    }

    private static bool Flag(HttpContext context, string name) =>
        context.Request.Query[name].ToString() is "true" or "1" or "True";

    private static async Task Tree(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var (revision, path) = RepoLookup.SplitRevision(RepoLookup.RawRoute(context, "rest"));
        path = path.Trim('/');
        var commit = await RepoLookup.CommitAsync(context, state, repo, revision).ConfigureAwait(false);
        if (commit is null)
        {
            return;
        }
        if (path.Length > 0 && state.Git.GetEntry(repo.Id, commit, path) is not { IsDirectory: true })
        {
            context.Response.Headers["X-Repo-Commit"] = commit;
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"Entry not found: {path} is not a folder at {revision}", "EntryNotFound").ConfigureAwait(false);
            return;
        }
        var expand = Flag(context, "expand");
        var pageSize = expand ? state.Options.TreeExpandPageSize : state.Options.TreePageSize;
        var after = DecodePathCursor(context.Request.Query["cursor"]);
        var entries = state.Git.ListEntries(repo.Id, commit, path, Flag(context, "recursive"), after, pageSize + 1).ToList();
        if (entries.Count > pageSize)
        {
            entries.RemoveAt(pageSize);
            context.Response.Headers.Link = RepoRoutes.NextLink(state, context, Base64Url.EncodeToString(Encoding.UTF8.GetBytes(entries[^1].Path)));
        }
        var commits = expand ? new Dictionary<string, GitCommit?>() : null;
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var entry in entries)
            {
                WriteEntry(w, state, repo, entry, commits);
            }
            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static string? DecodePathCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A tree / paths-info item; with <paramref name="commits"/> (expand) also <c>lastCommit</c> and <c>securityFileStatus</c>.</summary>
    private static void WriteEntry(Utf8JsonWriter w, HubState state, Repo repo, GitEntry entry, Dictionary<string, GitCommit?>? commits)
    {
        w.WriteStartObject();
        w.WriteString("type", entry.IsDirectory ? "directory" : "file");
        w.WriteString("oid", entry.Oid);
        w.WriteNumber("size", entry.IsDirectory ? 0 : entry.Lfs ? entry.Size : entry.Size);
        w.WriteString("path", entry.Path);
        if (entry.Lfs)
        {
            w.WriteStartObject("lfs");
            w.WriteString("oid", entry.Sha256);
            w.WriteNumber("size", entry.Size);
            w.WriteNumber("pointerSize", entry.PointerSize);
            w.WriteEndObject();
            Cas.XetHubRoutes.WriteTreeHash(w, state, repo, entry);
        }
        if (commits is not null)
        {
            if (!commits.TryGetValue(entry.LastCommit, out var last))
            {
                last = state.Git.GetCommit(repo.Id, entry.LastCommit);
                commits[entry.LastCommit] = last;
            }
            if (last is not null)
            {
                w.WriteStartObject("lastCommit");
                w.WriteString("id", last.Oid);
                w.WriteString("title", last.Title);
                w.WriteString("date", last.Date);
                w.WriteEndObject();
            }
            if (!entry.IsDirectory)
            {
                // The Hub's full shape (files.md §6.1): the Python client indexes avScan and
                // pickleImportScan unconditionally. The local hub scans nothing, so no virus is
                // found and, as for files the Hub does not pickle-scan, pickleImportScan is null.
                w.WriteStartObject("securityFileStatus");
                w.WriteString("status", "safe");
                w.WriteStartObject("avScan");
                w.WriteBoolean("virusFound", false);
                w.WriteNull("virusNames");
                w.WriteEndObject();
                w.WriteNull("pickleImportScan");
                w.WriteEndObject();
            }
        }
        w.WriteEndObject();
    }

    private static async Task PathsInfo(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var commit = await RepoLookup.CommitAsync(context, state, repo, RepoLookup.Revision(RepoLookup.Route(context, "rev"))).ConfigureAwait(false);
        if (commit is null)
        {
            return;
        }
        List<string> paths;
        bool expand;
        if (context.Request.HasFormContentType)
        {
            // Python sends form data: paths=a&paths=b&expand=false
            IFormCollection form;
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                // The form reader's limits (1024 values, 4 MiB a value): the Hub answers 413 to oversized paths-info calls.
                await HubResponses.Error(context, StatusCodes.Status413PayloadTooLarge, $"Payload Too Large: too many parameters (at most {MaxPathsInfo} paths)").ConfigureAwait(false);
                return;
            }
            paths = [.. form["paths"].Select(p => p ?? "")];
            expand = form["expand"].ToString() is "true" or "True" or "1";
        }
        else
        {
            using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
            if (document is null)
            {
                return;
            }
            var body = document.RootElement;
            paths = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("paths", out var p) && p.ValueKind == JsonValueKind.Array
                ? [.. p.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
                : [];
            expand = body.Bool("expand") ?? false;
        }
        if (paths.Count > MaxPathsInfo)
        {
            await HubResponses.Error(context, StatusCodes.Status413PayloadTooLarge, $"Payload Too Large: too many parameters (at most {MaxPathsInfo} paths)").ConfigureAwait(false);
            return;
        }
        var entries = paths.Select(p => p.Trim('/')).Distinct(StringComparer.Ordinal)
            .Select(p => p.Length == 0 ? null : state.Git.GetEntry(repo.Id, commit, p))
            .Where(e => e is not null).ToList();
        var commits = expand ? new Dictionary<string, GitCommit?>() : null;
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var entry in entries)
            {
                WriteEntry(w, state, repo, entry!, commits);
            }
            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task Commits(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var head = await RepoLookup.CommitAsync(context, state, repo, RepoLookup.Revision(RepoLookup.Route(context, "rev"))).ConfigureAwait(false);
        if (head is null)
        {
            return;
        }
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) && l > 0 ? Math.Min(l, 1000) : 50;
        var offset = RepoRoutes.DecodeCursor(query["cursor"])
            ?? (int.TryParse(query["p"], CultureInfo.InvariantCulture, out var page) && page > 0 ? page * limit : 0);
        var total = state.Git.GetCommit(repo.Id, head)?.Depth ?? 0;
        var history = state.Git.History(repo.Id, head, offset, limit);
        context.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        if (offset + history.Count < total)
        {
            context.Response.Headers.Link = RepoRoutes.NextLink(state, context, offset + limit);
        }
        var formatted = query["expand[]"].Concat(query["expand"]).Contains("formatted");
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var commit in history)
            {
                w.WriteStartObject();
                w.WriteString("id", commit.Oid);
                w.WriteStartArray("authors");
                w.WriteStartObject();
                w.WriteString("user", commit.Author);
                w.WriteString("avatar", $"{state.Endpoint.ToString().TrimEnd('/')}/avatars/{commit.Author}.svg");
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteString("date", commit.Date);
                w.WriteString("title", commit.Title);
                w.WriteString("message", commit.Message);
                if (formatted)
                {
                    w.WriteStartObject("formatted");
                    w.WriteString("title", commit.Title);
                    w.WriteString("message", commit.Message);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task Refs(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var refs = state.Git.Refs(repo.Id);
        var includePrs = Flag(context, "include_prs");
        void Section(Utf8JsonWriter w, string name, string prefix)
        {
            w.WriteStartArray(name);
            foreach (var item in refs.Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal)))
            {
                w.WriteStartObject();
                w.WriteString("name", item.Name[prefix.Length..]);
                w.WriteString("ref", item.Name);
                w.WriteString("targetCommit", item.Target);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            Section(w, "branches", "refs/heads/");
            Section(w, "converts", "refs/convert/");
            Section(w, "tags", "refs/tags/");
            if (includePrs)
            {
                Section(w, "pullRequests", "refs/pr/");
            }
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>A ref name git accepts (no spaces, '..', control characters, leading '-' or '/', …).</summary>
    private static bool IsValidRefName(string name) =>
        name.Length is > 0 and <= 255 && !name.StartsWith('-') && !name.StartsWith('/') && !name.EndsWith('/') && !name.EndsWith(".lock", StringComparison.Ordinal)
        && !name.Contains("..", StringComparison.Ordinal) && !name.Contains("//", StringComparison.Ordinal) && !name.Contains("@{", StringComparison.Ordinal)
        && !name.StartsWith("refs/", StringComparison.Ordinal) && !name.Any(c => char.IsControl(c) || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\');

    private static async Task CreateBranch(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.WritableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var branch = RepoLookup.Revision(RepoLookup.Route(context, "branch"));
        if (!IsValidRefName(branch))
        {
            await HubResponses.BadRequest(context, $"Invalid branch name \"{branch}\"").ConfigureAwait(false);
            return;
        }
        using var document = await RepoLookup.ReadJsonAsync(context, allowEmpty: true).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        var overwrite = body.Bool("overwrite") ?? false;
        var existing = state.Git.GetRef(repo.Id, $"refs/heads/{branch}");
        if (existing is not null && !overwrite)
        {
            await HubResponses.Error(context, StatusCodes.Status409Conflict, $"Reference refs/heads/{branch} already exists").ConfigureAwait(false);
            return;
        }
        if (body.Bool("emptyBranch") == true)
        {
            try
            {
                state.Git.Commit(repo.Id, $"refs/heads/{branch}", existing?.Target, null, [], context.Caller().User!.Name, "initial commit", "");
            }
            catch (StaleBranchException)
            {
                await HubResponses.Error(context, StatusCodes.Status409Conflict, $"Reference refs/heads/{branch} already exists").ConfigureAwait(false);
                return;
            }
            await Ok(context).ConfigureAwait(false);
            return;
        }
        var start = await RepoLookup.CommitAsync(context, state, repo, body.String("startingPoint") ?? GitStore.DefaultBranch).ConfigureAwait(false);
        if (start is null)
        {
            return;
        }
        if (!state.Git.CreateRef(repo.Id, $"refs/heads/{branch}", start, overwrite))
        {
            await HubResponses.Error(context, StatusCodes.Status409Conflict, $"Reference refs/heads/{branch} already exists").ConfigureAwait(false);
            return;
        }
        await Ok(context).ConfigureAwait(false);
    }

    private static async Task DeleteBranch(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.WritableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var branch = RepoLookup.Revision(RepoLookup.Route(context, "branch"));
        if (branch == GitStore.DefaultBranch)
        {
            await HubResponses.Forbidden(context, $"Cannot delete refs/heads/{GitStore.DefaultBranch}").ConfigureAwait(false);
            return;
        }
        if (!state.Git.DeleteRef(repo.Id, $"refs/heads/{branch}"))
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"Invalid rev id: {branch}", "RevisionNotFound").ConfigureAwait(false);
            return;
        }
        await Ok(context).ConfigureAwait(false);
    }

    private static async Task CreateTag(HttpContext context, HubState state, string type)
    {
        if (await RepoLookup.WritableWithBodyAsync(context, state, type).ConfigureAwait(false) is not { } request)
        {
            return;
        }
        var repo = request.Repo;
        using var document = request.Body;
        var tag = document.RootElement.String("tag") ?? "";
        // The revision is resolved first: a missing one is RevisionNotFound whatever the tag name, as on the Hub.
        var commit = await RepoLookup.CommitAsync(context, state, repo, RepoLookup.Revision(RepoLookup.Route(context, "rev"))).ConfigureAwait(false);
        if (commit is null)
        {
            return;
        }
        if (!IsValidRefName(tag))
        {
            await HubResponses.BadRequest(context, $"Invalid tag name \"{tag}\"").ConfigureAwait(false);
            return;
        }
        if (!state.Git.CreateRef(repo.Id, $"refs/tags/{tag}", commit))
        {
            await HubResponses.Error(context, StatusCodes.Status409Conflict, $"Tag already exists: {tag}").ConfigureAwait(false);
            return;
        }
        await Ok(context).ConfigureAwait(false);
    }

    private static async Task DeleteTag(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.WritableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var tag = RepoLookup.Revision(RepoLookup.Route(context, "rev"));
        if (!state.Git.DeleteRef(repo.Id, $"refs/tags/{tag}"))
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"Invalid rev id: {tag}", "RevisionNotFound").ConfigureAwait(false);
            return;
        }
        await Ok(context).ConfigureAwait(false);
    }

    /// <summary>Replaces a branch's history with one commit holding its current files (irreversible).</summary>
    private static async Task SuperSquash(HttpContext context, HubState state, string type)
    {
        if (await RepoLookup.WritableWithBodyAsync(context, state, type, allowEmpty: true).ConfigureAwait(false) is not { } request)
        {
            return;
        }
        var repo = request.Repo;
        using var document = request.Body;
        var branch = RepoLookup.Revision(RepoLookup.Route(context, "branch"));
        var branchRef = state.Git.BranchRef(repo.Id, branch);
        if (branchRef is null)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"Invalid rev id: {branch}", "RevisionNotFound").ConfigureAwait(false);
            return;
        }
        var message = document.RootElement.String("message") is { Length: > 0 } m ? m : $"Super-squash branch '{branch}'";
        var gate = state.Git.LockFor(repo.Id);
        await gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        GitCommit squashed;
        try
        {
            var head = state.Git.GetRef(repo.Id, branchRef)!.Target;
            var files = state.Git.Files(repo.Id, head).Values.Select(e => new GitFile(e.Path, e.Oid, e.Size, e.Sha256!, e.Lfs)).ToList();
            var lines = message.Split('\n', 2);
            squashed = state.Git.Commit(repo.Id, branchRef, head, null, files, context.Caller().User!.Name, lines[0], lines.Length > 1 ? lines[1].Trim('\n') : "");
        }
        catch (StaleBranchException)
        {
            await HubResponses.Error(context, StatusCodes.Status412PreconditionFailed, Services.CommitService.StaleParentMessage).ConfigureAwait(false);
            return;
        }
        finally
        {
            gate.Release();
        }
        state.Repos.Touch(repo);
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("success", true);
            w.WriteString("commitOid", squashed.Oid);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static Task Ok(HttpContext context) => RepoLookup.WriteJsonAsync(context, w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("success", true);
        w.WriteEndObject();
    });
}
