using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Api;

/// <summary>
/// The Spaces' app host: what <c>https://{subdomain}.hf.space</c> is on the real Hub is
/// <c>{hub}/_spaces/{subdomain}/…</c> here. A RUNNING app answers with its page; a SLEEPING one
/// wakes up and answers 503 while it starts (as keep-alive tools observe); a PAUSED one stays down.
/// </summary>
internal static class SpaceAppHostRoutes
{
    public static void Map(WebApplication app, HubState state)
    {
        app.Map("/_spaces/{subdomain}", context => Serve(context, state));
        app.Map("/_spaces/{subdomain}/{**path}", context => Serve(context, state));
    }

    private static Task Serve(HttpContext context, HubState state)
    {
        var subdomain = context.Request.RouteValues["subdomain"] as string ?? "";
        var space = FindBySubdomain(state, subdomain);
        if (space is null || !state.Access.CanRead(context.Caller(), space))
        {
            return HubResponses.Error(context, StatusCodes.Status404NotFound, "Sorry, we can't find the Space you are looking for.");
        }
        var path = "/" + (context.Request.RouteValues["path"] as string ?? "");
        var (status, body, stage) = state.Spaces.AppRequest(space, context.Request.Method, path);
        context.Response.StatusCode = status;
        context.Response.Headers["X-Space-Stage"] = stage;
        if (status != StatusCodes.Status200OK)
        {
            context.Response.Headers.RetryAfter = "1";
            context.Response.ContentType = "text/plain; charset=utf-8";
        }
        else
        {
            context.Response.ContentType = "text/html; charset=utf-8";
        }
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>The Space whose id maps to this subdomain (computed, so a moved Space gets its new subdomain).</summary>
    private static Repo? FindBySubdomain(HubState state, string subdomain)
    {
        using var connection = state.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT namespace, name FROM repos
            WHERE type = 'space' AND replace(replace(replace(lower(namespace || '/' || name), '/', '-'), '_', '-'), '.', '-') = $sub
            LIMIT 1;
            """;
        command.Parameters.AddWithValue("$sub", subdomain.ToLowerInvariant());
        using var reader = command.ExecuteReader();
        return reader.Read() ? state.Repos.Find("space", reader.GetString(0), reader.GetString(1)) : null;
    }
}
