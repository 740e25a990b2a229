using System.Globalization;
using HfHub.LocalHub.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Faults;

/// <summary>
/// <c>ANY /_localhub/redirect/{status}/{path}</c> answers with that redirect status and
/// <c>Location: /{path}?{query}</c>, so clients' redirect handling can be tested against a real
/// server: the Hub answers 307 for a renamed repo, and a client must then send the same method and
/// body again (RFC 9110 §15.4.8). The target is always on this host, so the route redirects nowhere else.
/// </summary>
internal static class RedirectRoutes
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.Map("/_localhub/redirect/{status:int}/{**path}", context =>
        {
            var status = int.Parse((string)context.Request.RouteValues["status"]!, CultureInfo.InvariantCulture);
            if (status is not (301 or 302 or 303 or 307 or 308))
            {
                return HubResponses.Error(context, StatusCodes.Status400BadRequest, $"not a redirect status: {status}");
            }
            context.Response.StatusCode = status;
            context.Response.Headers.Location = "/" + context.Request.RouteValues["path"] + context.Request.QueryString;
            return Task.CompletedTask;
        });
}
