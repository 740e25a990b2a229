using System.Text.Json.Serialization;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>A ref as <c>refs</c> lists it.</summary>
internal sealed record RefBody(string Name, string Ref, string TargetCommit);

/// <summary>The <c>refs</c> answer; pull requests only when asked for (<c>include_prs</c>).</summary>
internal sealed record RefsBody(
    IReadOnlyList<RefBody> Branches,
    IReadOnlyList<RefBody> Converts,
    IReadOnlyList<RefBody> Tags,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RefBody>? PullRequests);

/// <summary>The answer to a super-squash: the one commit left.</summary>
internal sealed record SquashedBody(bool Success, string CommitOid);

/// <summary>Refs: the <c>refs</c> listing, <c>branch</c> and <c>tag</c> create/delete, and <c>super-squash</c>.</summary>
internal static class RefRoutes
{
    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        foreach (var (segment, type, _) in RepoLookup.Types)
        {
            var repo = $"/api/{segment}/{{ns}}/{{name}}";
            app.MapGet($"{repo}/refs", context => Refs(context, state, type));
            app.MapPost($"{repo}/branch/{{**branch}}", context => CreateBranch(context, state, type));
            app.MapDelete($"{repo}/branch/{{**branch}}", context => DeleteBranch(context, state, type));
            app.MapPost($"{repo}/tag/{{**rev}}", context => CreateTag(context, state, type));
            app.MapDelete($"{repo}/tag/{{**rev}}", context => DeleteTag(context, state, type));
            app.MapPost($"{repo}/super-squash/{{**branch}}", context => SuperSquash(context, state, type));
        }
    }

    private static async Task Refs(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var refs = state.Git.Refs(repo.Id);
        List<RefBody> Section(string prefix) =>
            [.. refs.Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(r => new RefBody(r.Name[prefix.Length..], r.Name, r.Target))];
        var body = new RefsBody(Section("refs/heads/"), Section("refs/convert/"), Section("refs/tags/"),
            TreeRoutes.Flag(context, "include_prs") ? Section("refs/pr/") : null);
        await HubResponses.Json(context, body, LocalHubJsonContext.Default.RefsBody).ConfigureAwait(false);
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
        await HubResponses.Json(context, new SquashedBody(true, squashed.Oid), LocalHubJsonContext.Default.SquashedBody).ConfigureAwait(false);
    }

    private static Task Ok(HttpContext context) => HubResponses.Json(context, new SuccessBody(true), LocalHubJsonContext.Default.SuccessBody);
}
