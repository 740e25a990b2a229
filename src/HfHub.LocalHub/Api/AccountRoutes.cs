using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary><c>GET /api/whoami-v2</c>, in the exact shape of the real Hub (the JS client needs <c>auth</c>).</summary>
internal static class AccountRoutes
{
    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        app.MapGet("/api/whoami-v2", context => WhoAmI(context, state));
    }

    private static Task WhoAmI(HttpContext context, HubState state)
    {
        var caller = context.Caller();
        if (caller.User is not { } user || caller.Token is not { } token)
        {
            return HubResponses.Unauthorized(context);
        }
        var orgs = state.Accounts.Memberships(user)
            .Select(m => new WhoAmIOrgBody("org", m.Org.Id, m.Org.Name, m.Org.Fullname, m.Org.Email, false, AvatarUrl(m.Org.Name), null, m.Role))
            .ToList();
        // An OAuth token shows its type and expiry and no accessToken; a fine-grained one the role
        // "fineGrained" and its scopes (account-and-auth.md §5).
        var auth = state.Accounts.KindOf(token) switch
        {
            { Kind: TokenKind.OAuth } oauth => new WhoAmIAuthBody(TokenKind.OAuth, null, oauth.ExpiresAt),
            { Kind: TokenKind.FineGrained, FineGrainedJson: { } scopes } fine => new WhoAmIAuthBody("access_token",
                new WhoAmIAccessTokenBody(token.DisplayName, TokenKind.FineGrained, token.CreatedAt,
                    JsonSerializer.Deserialize(scopes, LocalHubJsonContext.Default.FineGrainedBody)), fine.ExpiresAt),
            _ => new WhoAmIAuthBody("access_token", new WhoAmIAccessTokenBody(token.DisplayName, token.Role, token.CreatedAt, null), null),
        };
        var body = new WhoAmIBody(
            "user", user.Id, user.Name, user.Fullname, user.Email, true, false, false, null, "postpaid", AvatarUrl(user.Name), orgs, auth);
        return HubResponses.Json(context, body, LocalHubJsonContext.Default.WhoAmIBody);
    }

    /// <summary>The Hub serves generated avatars at <c>/avatars/&lt;32 hex&gt;.svg</c>.</summary>
    internal static string AvatarUrl(string name) =>
        $"/avatars/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16))}.svg";
}

internal sealed record WhoAmIBody(
    string Type, string Id, string Name, string Fullname, string? Email, bool EmailVerified, bool CanPay, bool IsPro, long? PeriodEnd,
    string BillingMode, string AvatarUrl, IReadOnlyList<WhoAmIOrgBody> Orgs, WhoAmIAuthBody Auth);

internal sealed record WhoAmIOrgBody(
    string Type, string Id, string Name, string Fullname, string? Email, bool CanPay, string AvatarUrl, long? PeriodEnd, string RoleInOrg);

internal sealed record WhoAmIAuthBody(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WhoAmIAccessTokenBody? AccessToken,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExpiresAt);

internal sealed record WhoAmIAccessTokenBody(
    string DisplayName, string Role, string CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FineGrainedBody? FineGrained);

/// <summary>A fine-grained token's scopes, as whoami-v2 shows them (the shape in account-and-auth.md §5).</summary>
internal sealed record FineGrainedBody(bool CanReadGatedRepos, List<string> Global, List<FineGrainedScopeBody> Scoped);

internal sealed record FineGrainedScopeBody(FineGrainedEntityBody Entity, List<string> Permissions);

internal sealed record FineGrainedEntityBody([property: JsonPropertyName("_id")] string Id, string Type, string Name);
