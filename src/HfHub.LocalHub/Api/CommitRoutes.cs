using HfHub.LocalHub.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>
/// <c>POST /api/{type}s/{id}/preupload/{rev}</c> (upload-mode negotiation) and
/// <c>POST /api/{type}s/{id}/commit/{rev}</c> (the NDJSON commit endpoint): who may, and what the
/// request names; <see cref="CommitService"/> does the work.
/// </summary>
internal static class CommitRoutes
{
    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        var commits = new CommitService(state);
        var reader = new CommitBodyReader(state, commits);
        foreach (var (segment, type, prefix) in RepoLookup.Types)
        {
            app.MapPost($"/api/{segment}/{{ns}}/{{name}}/preupload/{{**rev}}", context => Preupload(context, state, commits, type));
            app.MapPost($"/api/{segment}/{{ns}}/{{name}}/commit/{{**rev}}", context => Commit(context, state, commits, reader, type, prefix));
        }
    }

    private static bool IsCreatePr(HttpContext context) =>
        context.Request.Query["create_pr"].ToString() is "1" or "true" or "True";

    private static async Task<Store.Repo?> TargetRepoAsync(HttpContext context, HubState state, string type)
    {
        // Pull requests are open to anyone who can read the repo; direct commits need write access.
        if (!IsCreatePr(context))
        {
            return await RepoLookup.WritableAsync(context, state, type).ConfigureAwait(false);
        }
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is not null && context.Caller().IsAnonymous)
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return null;
        }
        return repo;
    }

    private static async Task Preupload(HttpContext context, HubState state, CommitService commits, string type)
    {
        var repo = await TargetRepoAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var commit = await RepoLookup.CommitAsync(context, state, repo, RepoLookup.Revision(RepoLookup.Route(context, "rev"))).ConfigureAwait(false);
        if (commit is null)
        {
            return;
        }
        using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var answer = await commits.PreuploadAsync(repo, commit, document.RootElement, context.RequestAborted).ConfigureAwait(false);
        await HubResponses.Result(context, answer, LocalHubJsonContext.Default.PreuploadBody).ConfigureAwait(false);
    }

    private static async Task Commit(HttpContext context, HubState state, CommitService commits, CommitBodyReader reader, string type, string prefix)
    {
        var repo = await TargetRepoAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var revision = RepoLookup.Revision(RepoLookup.Route(context, "rev"));
        var request = await reader.ReadAsync(repo, context.Request.BodyReader, context.RequestAborted).ConfigureAwait(false);
        if (request.Error is { } invalid)
        {
            await invalid.WriteAsync(context).ConfigureAwait(false);
            return;
        }
        var answer = await commits.CommitAsync(repo, request.Value, revision, IsCreatePr(context), context.Caller().User!.Name,
            RepoRoutes.Url(state, prefix, repo.FullName), context.RequestAborted).ConfigureAwait(false);
        await HubResponses.Result(context, answer, LocalHubJsonContext.Default.CommitAnswerBody).ConfigureAwait(false);
    }
}
