using System.Security.Cryptography;
using System.Text;
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
        var body = new WhoAmIBody(
            "user", user.Id, user.Name, user.Fullname, user.Email, true, false, false, null, "postpaid", AvatarUrl(user.Name), orgs,
            new WhoAmIAuthBody("access_token", new WhoAmIAccessTokenBody(token.DisplayName, token.Role, token.CreatedAt)));
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

internal sealed record WhoAmIAuthBody(string Type, WhoAmIAccessTokenBody AccessToken);

internal sealed record WhoAmIAccessTokenBody(string DisplayName, string Role, string CreatedAt);
