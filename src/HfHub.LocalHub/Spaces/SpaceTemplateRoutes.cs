using HfHub.LocalHub.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Spaces;

/// <summary>One entry of <c>GET /api/spaces/templates</c>, the fields <c>huggingface_hub</c>'s <c>SpaceTemplate</c> reads.</summary>
internal sealed record SpaceTemplateBody(string Name, string RepoId, string Sdk, bool PreferredPrivate);

internal sealed record SpaceTemplateListBody(List<SpaceTemplateBody> Templates);

/// <summary>The admin body that makes an existing Space a template: <c>{"name", "repoId", "preferredPrivate"?}</c>.</summary>
internal sealed record RegisterSpaceTemplateBody(string? Name, string? RepoId, bool? PreferredPrivate);

/// <summary>
/// <c>GET /api/spaces/templates</c> (<c>{"templates": [{name, repoId, sdk, preferredPrivate}]}</c>, the
/// templates the caller can read) and the admin route <c>POST /_localhub/space-templates</c> that seeds them.
/// </summary>
internal static class SpaceTemplateRoutes
{
    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        app.MapGet("/api/spaces/templates", context => List(context, state));
        app.MapPost("/_localhub/space-templates", AdminRoutes.RequireAdmin(state, context => Register(context, state)));
    }

    private static Task List(HttpContext context, HubState state)
    {
        var caller = context.Caller();
        var templates = state.SpaceTemplates.List()
            .Where(t => state.Access.CanRead(caller, t.Space))
            .Select(t => new SpaceTemplateBody(t.Name, t.Space.FullName, t.Space.Sdk ?? "", t.PreferredPrivate))
            .ToList();
        return HubResponses.Json(context, new SpaceTemplateListBody(templates), LocalHubJsonContext.Default.SpaceTemplateListBody);
    }

    private static async Task Register(HttpContext context, HubState state)
    {
        var body = await RepoLookup.ReadBodyAsync(context, LocalHubJsonContext.Default.RegisterSpaceTemplateBody, """like {"name":"JupyterLab","repoId":"SpacesExamples/jupyterlab"}""").ConfigureAwait(false);
        if (body is null)
        {
            return;
        }
        var parts = (body.RepoId ?? "").Split('/');
        var space = parts.Length == 2 ? state.Repos.Find("space", parts[0], parts[1]) : null;
        if (string.IsNullOrWhiteSpace(body.Name) || space is null)
        {
            await HubResponses.BadRequest(context, "need a name and the repoId of an existing Space").ConfigureAwait(false);
            return;
        }
        if (!state.SpaceTemplates.Register(body.Name.Trim(), space, body.PreferredPrivate ?? false))
        {
            await HubResponses.Error(context, StatusCodes.Status409Conflict, $"Another Space is the template named {body.Name.Trim()}").ConfigureAwait(false);
            return;
        }
        await HubResponses.Json(context, new SpaceTemplateBody(body.Name.Trim(), space.FullName, space.Sdk ?? "", body.PreferredPrivate ?? false), LocalHubJsonContext.Default.SpaceTemplateBody).ConfigureAwait(false);
    }
}
