using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>A like as <c>GET /api/users/{user}/likes</c> lists it (what <c>list_liked_repos</c> reads).</summary>
internal sealed record LikedRepoBody(string CreatedAt, LikedRepoRef Repo);

internal sealed record LikedRepoRef(string Name, string Type);

/// <summary>A user as <c>GET …/likers</c> lists them (what <c>list_repo_likers</c> reads).</summary>
internal sealed record LikerBody(string User, string Fullname, string Type, bool IsPro, string AvatarUrl);

/// <summary>One repo as <c>GET /api/settings/repositories</c> lists it (<c>huggingface_hub</c>'s <c>RepoStorageInfo</c>).</summary>
internal sealed record RepoStorageBody(string Id, string Type, string UpdatedAt, string Visibility, long Storage, double StoragePercent);

/// <summary>
/// Likes (<c>DELETE …/like</c>, a user's likes, a repo's likers; the count shows as <c>likes</c>
/// in repo info) and the storage page's repo list (<c>/api/settings/repositories</c> for the caller,
/// <c>/api/organizations/{org}/settings/repositories</c> for an organisation's members), behind
/// <c>hf repos ls</c>. Lists come in one page: a local hub's are short.
/// </summary>
internal static class LikeRoutes
{
    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        foreach (var (segment, type, _) in RepoLookup.Types)
        {
            app.MapPost($"/api/{segment}/{{ns}}/{{name}}/like", context => RefuseLike(context, state, type));
            app.MapDelete($"/api/{segment}/{{ns}}/{{name}}/like", context => Unlike(context, state, type));
            app.MapGet($"/api/{segment}/{{ns}}/{{name}}/likers", context => Likers(context, state, type));
        }
        app.MapGet("/api/users/{user}/likes", context => LikesOf(context, state));
        app.MapPost("/_localhub/likes", AdminRoutes.RequireAdmin(state, context => SeedLike(context, state)));
        app.MapGet("/api/settings/repositories", context => Storage(context, state, null));
        app.MapGet("/api/organizations/{org}/settings/repositories", context => Storage(context, state, RepoLookup.Route(context, "org")));
    }

    /// <summary>
    /// "To prevent spam usage, it is not possible to like a repository from a script" (huggingface_hub's
    /// <c>unlike</c> docstring): likes are given on the Hub's pages, so an API call is refused (403; the
    /// production status is not documented). Tests seed likes with the admin route instead.
    /// </summary>
    private static async Task RefuseLike(HttpContext context, HubState state, string type)
    {
        if (await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false) is null)
        {
            return;
        }
        await HubResponses.Forbidden(context, "Liking a repo is only possible on the Hub's website, not from a script").ConfigureAwait(false);
    }

    /// <summary>Admin: <c>{"user", "type", "repo"}</c> makes the user like the repo, as a click on its page would.</summary>
    private static async Task SeedLike(HttpContext context, HubState state)
    {
        using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        var type = RepoLookup.TypeOf(body.String("type"));
        var id = body.String("repo") ?? "";
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        var repo = type is null ? null : slash < 0 ? state.Repos.Find(type, "", id) : state.Repos.Find(type, id[..slash], id[(slash + 1)..]);
        if (state.Accounts.Find(body.String("user") ?? "") is not { IsOrg: false } user || repo is null)
        {
            await HubResponses.BadRequest(context, "need an existing user, a repo type and an existing repo id").ConfigureAwait(false);
            return;
        }
        state.Likes.Like(user, repo);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task Unlike(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        if (context.Caller().User is not { } user)
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return;
        }
        state.Likes.Unlike(user, repo);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task Likers(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var likers = state.Likes.Likers(repo.Id)
            .Select(a => new LikerBody(a.Name, a.Fullname, "user", false, AccountRoutes.AvatarUrl(a.Name)))
            .ToList();
        await HubResponses.Json(context, likers, LocalHubJsonContext.Default.ListLikerBody).ConfigureAwait(false);
    }

    /// <summary>A user's likes, of the repos the caller can see.</summary>
    private static async Task LikesOf(HttpContext context, HubState state)
    {
        if (state.Accounts.Find(RepoLookup.Route(context, "user")) is not { IsOrg: false } user)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "User not found").ConfigureAwait(false);
            return;
        }
        var caller = context.Caller();
        var likes = state.Likes.LikedBy(user)
            .Select(l => (Repo: state.Repos.FindById(l.RepoId), l.LikedAt))
            .Where(l => l.Repo is not null && state.Access.CanRead(caller, l.Repo))
            .Select(l => new LikedRepoBody(l.LikedAt, new LikedRepoRef(l.Repo!.FullName, l.Repo.Type)))
            .ToList();
        await HubResponses.Json(context, likes, LocalHubJsonContext.Default.ListLikedRepoBody).ConfigureAwait(false);
    }

    /// <summary>The repos of the caller's namespace (or an organisation the caller belongs to), with the storage each uses.</summary>
    private static async Task Storage(HttpContext context, HubState state, string? org)
    {
        var caller = context.Caller();
        if (caller.User is not { } user)
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return;
        }
        var ns = org ?? user.Name;
        if (org is not null && (state.Accounts.Find(org) is not { IsOrg: true } || !state.Access.ReadableNamespaces(caller).Contains(org, StringComparer.OrdinalIgnoreCase)))
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "Organization not found").ConfigureAwait(false);
            return;
        }
        var repos = state.Repos.InNamespace(ns).Select(r => (Repo: r, Storage: state.Git.UsedStorage(r.Id))).ToList();
        var total = repos.Sum(r => r.Storage);
        var body = repos
            .Select(r => new RepoStorageBody(r.Repo.FullName, r.Repo.Type, r.Repo.LastModified, r.Repo.Private ? "private" : "public",
                r.Storage, total == 0 ? 0 : Math.Round(100.0 * r.Storage / total, 2)))
            .ToList();
        await HubResponses.Json(context, body, LocalHubJsonContext.Default.ListRepoStorageBody).ConfigureAwait(false);
    }
}
