using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HfHub.LocalHub.Services;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>
/// The local hub's own admin surface under <c>/_localhub/</c>: create users, organisations and
/// tokens, revoke tokens. Every route but <c>health</c> needs <c>X-LocalHub-Admin: &lt;secret&gt;</c>.
/// </summary>
internal static class AdminRoutes
{
    public const string SecretHeader = "X-LocalHub-Admin";

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        app.MapGet("/_localhub/health", context => HubResponses.Json(context, new HealthBody("ok"), LocalHubJsonContext.Default.HealthBody));
        app.MapPost("/_localhub/users", RequireAdmin(state, context => CreateAccount(context, state, "user")));
        app.MapPost("/_localhub/orgs", RequireAdmin(state, context => CreateAccount(context, state, "org")));
        app.MapPost("/_localhub/orgs/{org}/members", RequireAdmin(state, context => AddMember(context, state)));
        app.MapPost("/_localhub/tokens", RequireAdmin(state, context => CreateToken(context, state)));
        app.MapPost("/_localhub/tokens/revoke", RequireAdmin(state, context => RevokeToken(context, state)));
        app.MapPost("/_localhub/canonical-repos", RequireAdmin(state, context => CreateCanonicalRepo(context, state)));
    }

    /// <summary>Wraps an admin handler: without the secret the route answers 401 and does nothing.</summary>
    public static RequestDelegate RequireAdmin(HubState state, RequestDelegate handler) =>
        context => IsAdmin(context, state)
            ? handler(context)
            : HubResponses.Error(context, StatusCodes.Status401Unauthorized, "This route needs the local hub's admin secret in the X-LocalHub-Admin header");

    private static bool IsAdmin(HttpContext context, HubState state)
    {
        var given = context.Request.Headers[SecretHeader].ToString();
        return given.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(state.AdminSecret));
    }

    private static async Task CreateAccount(HttpContext context, HubState state, string type)
    {
        var body = await RepoLookup.ReadBodyAsync(context, LocalHubJsonContext.Default.CreateAccountBody, """like {"name":"alice"}""").ConfigureAwait(false);
        if (body is null)
        {
            return;
        }
        if (!AccountNames.IsValid(body.Name))
        {
            await HubResponses.BadRequest(context, "name must be 2-42 letters, digits or single hyphens").ConfigureAwait(false);
            return;
        }
        var account = state.Accounts.Ensure(body.Name, type, body.Fullname, body.Email);
        await HubResponses.Json(context, new AccountBody(account.Id, account.Name, account.Type), LocalHubJsonContext.Default.AccountBody).ConfigureAwait(false);
    }

    private static async Task AddMember(HttpContext context, HubState state)
    {
        var body = await RepoLookup.ReadBodyAsync(context, LocalHubJsonContext.Default.MemberBody, """like {"user":"alice","role":"write"}""").ConfigureAwait(false);
        if (body is null)
        {
            return;
        }
        var org = state.Accounts.Find(context.Request.RouteValues["org"] as string ?? "");
        var user = body.User is null ? null : state.Accounts.Find(body.User);
        if (org is not { IsOrg: true } || user is null || user.IsOrg || body.Role is not ("admin" or "write" or "contributor" or "read"))
        {
            await HubResponses.BadRequest(context, "need an existing org, an existing user and a role of admin, write, contributor or read").ConfigureAwait(false);
            return;
        }
        state.Accounts.AddMember(org, user, body.Role);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task CreateToken(HttpContext context, HubState state)
    {
        var body = await RepoLookup.ReadBodyAsync(context, LocalHubJsonContext.Default.CreateTokenBody, """like {"user":"alice","role":"write"}""").ConfigureAwait(false);
        if (body is null)
        {
            return;
        }
        var user = body.User is null ? null : state.Accounts.Find(body.User);
        if (user is null || user.IsOrg || body.Role is not ("read" or "write"))
        {
            await HubResponses.BadRequest(context, "need an existing user and a role of read or write").ConfigureAwait(false);
            return;
        }
        if (body.Value is not null && !HubIds.LooksLikeToken(body.Value))
        {
            await HubResponses.BadRequest(context, "a token value must be hf_ followed by 34 letters or digits").ConfigureAwait(false);
            return;
        }
        var kind = body.Kind ?? "access_token";
        if (kind is not ("access_token" or TokenKind.FineGrained or TokenKind.OAuth))
        {
            await HubResponses.BadRequest(context, "kind must be access_token, fineGrained or oauth").ConfigureAwait(false);
            return;
        }
        string? scopes = null;
        if (kind == TokenKind.FineGrained)
        {
            if (FineGrainedScopes(state, body.FineGrained) is not { } resolved)
            {
                await HubResponses.BadRequest(context, """fineGrained must be {"global": [...], "scoped": [{"entity": {"type": "user|org|model|dataset|space", "name"}, "permissions": [...]}]} naming existing accounts and repos""").ConfigureAwait(false);
                return;
            }
            scopes = JsonSerializer.Serialize(resolved, LocalHubJsonContext.Default.FineGrainedBody);
        }
        DateTimeOffset? expires = null;
        if (body.ExpiresAt is { } expiresText)
        {
            if (!DateTimeOffset.TryParse(expiresText, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                await HubResponses.BadRequest(context, "expiresAt must be an ISO 8601 time").ConfigureAwait(false);
                return;
            }
            expires = parsed;
        }
        var token = state.Accounts.CreateToken(user, body.DisplayName ?? "token", body.Role, body.Value);
        if (kind != "access_token")
        {
            // OAuth tokens expire; the Hub's lifetime for a device login is not documented, 8 hours is chosen here.
            var expiresAt = kind == TokenKind.OAuth ? expires ?? state.Clock.GetUtcNow().AddHours(8) : expires;
            state.Accounts.SetKind(token, new TokenKind(kind, scopes, expiresAt is { } at ? HubIds.Timestamp(at) : null));
        }
        await HubResponses.Json(context, new TokenBody(token.Value, user.Name, token.DisplayName, token.Role, token.CreatedAt), LocalHubJsonContext.Default.TokenBody).ConfigureAwait(false);
    }

    /// <summary>Seeds a canonical repo, one without a namespace like <c>gpt2</c> (see <see cref="RepoService.CreateCanonicalAsync"/>).</summary>
    /// <summary>
    /// The scopes of a fine-grained token as whoami-v2 shows them (<c>entity._id</c> filled in), or null when an
    /// entity is missing. The local hub reads them only to decide read or write (see README): it does not
    /// enforce them per entity.
    /// </summary>
    private static FineGrainedBody? FineGrainedScopes(HubState state, FineGrainedInput? input)
    {
        if (input is null)
        {
            return null;
        }
        var scoped = new List<FineGrainedScopeBody>();
        foreach (var scope in input.Scoped ?? [])
        {
            var (type, name) = (scope.Entity?.Type, scope.Entity?.Name ?? "");
            string? id = type switch
            {
                "user" or "org" => state.Accounts.Find(name) is { } account && account.Type == type ? account.Id : null,
                "model" or "dataset" or "space" => name.Split('/') is [var ns, var repo] && state.Repos.Find(type, ns, repo) is { } found ? found.Id : null,
                _ => null,
            };
            if (id is null)
            {
                return null;
            }
            scoped.Add(new FineGrainedScopeBody(new FineGrainedEntityBody(id, type!, name), scope.Permissions ?? []));
        }
        return new FineGrainedBody(input.CanReadGatedRepos ?? false, input.Global ?? [], scoped);
    }

    private static async Task CreateCanonicalRepo(HttpContext context, HubState state)
    {
        using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var repos = new RepoService(state, new CommitService(state));
        var created = await repos.CreateCanonicalAsync(document.RootElement, context.RequestAborted).ConfigureAwait(false);
        await HubResponses.Result(context, created, LocalHubJsonContext.Default.RepoCreatedBody).ConfigureAwait(false);
    }

    private static async Task RevokeToken(HttpContext context, HubState state)
    {
        var body = await RepoLookup.ReadBodyAsync(context, LocalHubJsonContext.Default.RevokeTokenBody, """like {"token":"hf_…"}""").ConfigureAwait(false);
        if (body is null)
        {
            return;
        }
        if (body.Token is null || !state.Accounts.Revoke(body.Token))
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "No such live token").ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}

internal sealed record HealthBody(string Status);
// Fields are nullable: a client may leave any of them out, and the handler answers 400 for that.
internal sealed record CreateAccountBody(string? Name, string? Fullname, string? Email);
internal sealed record AccountBody(string Id, string Name, string Type);
internal sealed record MemberBody(string? User, string? Role);
/// <summary>
/// <c>kind</c>: <c>access_token</c> (default), <c>fineGrained</c> (with <c>fineGrained</c> scopes; <c>role</c> still
/// says whether it may write) or <c>oauth</c> (as from a login flow; <c>expiresAt</c> optional).
/// </summary>
internal sealed record CreateTokenBody(string? User, string? Role, string? DisplayName, string? Value, string? Kind, FineGrainedInput? FineGrained, string? ExpiresAt);
internal sealed record FineGrainedInput(bool? CanReadGatedRepos, List<string>? Global, List<FineGrainedScopeInput>? Scoped);
internal sealed record FineGrainedScopeInput(FineGrainedEntityInput? Entity, List<string>? Permissions);
internal sealed record FineGrainedEntityInput(string? Type, string? Name);
internal sealed record TokenBody(string Token, string User, string DisplayName, string Role, string CreatedAt);
internal sealed record RevokeTokenBody(string? Token);
