using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>A user as the access-request lists name them.</summary>
internal sealed record AccessRequestUser(string User, string Fullname, string? Email);

/// <summary>One entry of <c>GET …/user-access-request/{status}</c>, the fields <c>huggingface_hub</c>'s <c>AccessRequest</c> reads.</summary>
internal sealed record AccessRequestBody(AccessRequestUser User, string Status, string Timestamp);

/// <summary>The answer to asking for, or being granted, access.</summary>
internal sealed record AccessStatusBody(string Status);

/// <summary>
/// Access requests to gated repos (see <see cref="RepoGate"/>). The admin routes are those
/// <c>huggingface_hub</c> calls (<c>list_pending_access_requests</c>, <c>accept_access_request</c>,
/// <c>reject_access_request</c>, <c>cancel_access_request</c>, <c>grant_access</c>), with the statuses its
/// docstrings give: 400 when the repo is not gated, 403 for a read-only caller, 404 for an unknown user
/// or request. Asking for access happens on the Hub's web page, which no client calls; the local hub
/// serves it as <c>POST /{repo}/ask-access</c> (the page form's path, an emulator choice): under
/// <c>auto</c> the request is accepted at once, under <c>manual</c> it waits for an admin.
/// </summary>
internal static class GatedRoutes
{
    private static readonly string[] Statuses = ["pending", "accepted", "rejected"];

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        foreach (var (segment, type, prefix) in RepoLookup.Types)
        {
            var api = $"/api/{segment}/{{ns}}/{{name}}/user-access-request";
            app.MapGet(api + "/{status}", context => List(context, state, type));
            app.MapPost(api + "/handle", context => Handle(context, state, type));
            app.MapPost(api + "/grant", context => Grant(context, state, type));
            app.MapPost($"/{prefix}{{ns}}/{{name}}/ask-access", context => Ask(context, state, type));
        }
    }

    private static async Task Ask(HttpContext context, HubState state, string type)
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
        var gated = state.Git.Settings(repo.Id).Gated;
        if (gated is not ("auto" or "manual"))
        {
            await HubResponses.BadRequest(context, $"The {repo.Type} {repo.FullName} is not gated").ConfigureAwait(false);
            return;
        }
        // A standing already taken (accepted, rejected, or pending) is kept: asking again changes nothing.
        var status = state.GatedAccess.StatusOf(repo.Id, user);
        if (status is null)
        {
            status = gated == "auto" ? "accepted" : "pending";
            state.GatedAccess.Set(repo.Id, user, status);
        }
        await HubResponses.Json(context, new AccessStatusBody(status), LocalHubJsonContext.Default.AccessStatusBody).ConfigureAwait(false);
    }

    private static async Task List(HttpContext context, HubState state, string type)
    {
        var status = RepoLookup.Route(context, "status");
        var repo = await GatedRepoForAdminAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        if (!Statuses.Contains(status))
        {
            await HubResponses.BadRequest(context, "status must be one of pending, accepted, rejected").ConfigureAwait(false);
            return;
        }
        var entries = state.GatedAccess.List(repo.Id, status)
            .Select(a => new AccessRequestBody(new AccessRequestUser(a.User.Name, a.User.Fullname, a.User.Email), a.Status, a.Timestamp))
            .ToList();
        await HubResponses.Json(context, entries, LocalHubJsonContext.Default.ListAccessRequestBody).ConfigureAwait(false);
    }

    private static async Task Handle(HttpContext context, HubState state, string type)
    {
        var target = await TargetAsync(context, state, type).ConfigureAwait(false);
        if (target is not var (repo, user, body))
        {
            return;
        }
        var status = body.String("status");
        if (!Statuses.Contains(status))
        {
            await HubResponses.BadRequest(context, "status must be one of pending, accepted, rejected").ConfigureAwait(false);
            return;
        }
        var current = state.GatedAccess.StatusOf(repo.Id, user);
        if (current is null)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"No access request from {user.Name} for {repo.FullName}").ConfigureAwait(false);
            return;
        }
        if (current == status)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"The access request of {user.Name} is already {status}").ConfigureAwait(false);
            return;
        }
        state.GatedAccess.Set(repo.Id, user, status!);
        await HubResponses.Json(context, new AccessStatusBody(status!), LocalHubJsonContext.Default.AccessStatusBody).ConfigureAwait(false);
    }

    private static async Task Grant(HttpContext context, HubState state, string type)
    {
        var target = await TargetAsync(context, state, type).ConfigureAwait(false);
        if (target is not var (repo, user, _))
        {
            return;
        }
        if (state.GatedAccess.StatusOf(repo.Id, user) == "accepted")
        {
            await HubResponses.BadRequest(context, $"{user.Name} already has access to {repo.FullName}").ConfigureAwait(false);
            return;
        }
        state.GatedAccess.Set(repo.Id, user, "accepted");
        await HubResponses.Json(context, new AccessStatusBody("accepted"), LocalHubJsonContext.Default.AccessStatusBody).ConfigureAwait(false);
    }

    /// <summary>The gated repo (for a caller who may write to it), the user the body's <c>user</c> names, and the body.</summary>
    private static async Task<(Repo Repo, Account User, System.Text.Json.JsonElement Body)?> TargetAsync(HttpContext context, HubState state, string type)
    {
        var repo = await GatedRepoForAdminAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return null;
        }
        using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }
        var body = document.RootElement.Clone();
        if (body.String("user") is not { Length: > 0 } name || state.Accounts.Find(name) is not { IsOrg: false } user)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "User not found").ConfigureAwait(false);
            return null;
        }
        return (repo, user, body);
    }

    private static async Task<Repo?> GatedRepoForAdminAsync(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.WritableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return null;
        }
        if (state.Git.Settings(repo.Id).Gated is not ("auto" or "manual"))
        {
            await HubResponses.BadRequest(context, $"The {repo.Type} {repo.FullName} is not gated").ConfigureAwait(false);
            return null;
        }
        return repo;
    }
}
