using System.Globalization;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Spaces;

/// <summary>One hit of <c>GET /api/spaces/semantic-search</c>: the fields <c>huggingface_hub</c>'s <c>SpaceSearchResult</c> reads.</summary>
internal sealed record SpaceSearchHitBody(
    string Id, string Author, string Title, string? Emoji, string? Sdk, int Likes, bool Private, List<string> Tags,
    SpaceRuntimeBody Runtime, [property: System.Text.Json.Serialization.JsonPropertyName("ai_short_description")] string? AiShortDescription,
    [property: System.Text.Json.Serialization.JsonPropertyName("ai_category")] string? AiCategory, double SemanticRelevancyScore, int TrendingScore);

/// <summary>
/// Spaces search (<c>GET /api/spaces/semantic-search?q=…[&amp;sdk=…][&amp;filter=…][&amp;includeNonRunning=true]</c>).
/// The Hub ranks by embeddings (multi-word queries) or full text (one word); the local hub stands in with
/// words: a Space's score is the share of the query's words found in its id, title and README, hits
/// scoring 0 are left out, the best first, at most 50. Only running Spaces unless <c>includeNonRunning</c>,
/// only those the caller can see. Tags are the README's <c>tags</c>; the AI fields are absent (null).
/// </summary>
internal static class SpaceSearchRoutes
{
    private const int MaxHits = 50;

    public static void Map(IEndpointRouteBuilder app, HubState state) =>
        app.MapGet("/api/spaces/semantic-search", context => Search(context, state));

    private static async Task Search(HttpContext context, HubState state)
    {
        var query = context.Request.Query;
        var words = query["q"].ToString().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
        {
            await HubResponses.BadRequest(context, "q is required: the words to search for").ConfigureAwait(false);
            return;
        }
        var sdks = query["sdk"].Where(s => !string.IsNullOrEmpty(s)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var filters = query["filter"].Where(s => !string.IsNullOrEmpty(s)).ToList();
        var includeNonRunning = query["includeNonRunning"].ToString() is "true" or "1" or "True";
        var spaces = state.Repos.List("space", null, null, state.Access.ReadableNamespaces(context.Caller()), 0, int.MaxValue);
        var hits = new List<SpaceSearchHitBody>();
        foreach (var space in spaces)
        {
            if (sdks.Count > 0 && !sdks.Contains(space.Sdk ?? ""))
            {
                continue;
            }
            var runtime = state.Spaces.Runtime(space);
            if (!includeNonRunning && runtime.Stage != SpaceStages.Running)
            {
                continue;
            }
            var commit = state.Git.ResolveRevision(space.Id, GitStore.DefaultBranch);
            var readme = commit is null ? null : RepoJson.ReadReadme(state, space, commit);
            var card = CardData.Parse(readme) ?? [];
            var title = card.FirstOrDefault(c => c.Key == "title").Value as string ?? space.Name;
            var tags = card.FirstOrDefault(c => c.Key == "tags").Value is IEnumerable<object> list ? list.Select(t => t.ToString() ?? "").ToList() : [];
            if (filters.Any(f => !tags.Contains(f, StringComparer.OrdinalIgnoreCase)))
            {
                continue;
            }
            var text = $"{space.FullName} {title} {readme}".ToLowerInvariant();
            var score = (double)words.Count(w => text.Contains(w, StringComparison.Ordinal)) / words.Length;
            if (score > 0)
            {
                hits.Add(new SpaceSearchHitBody(space.FullName, space.Namespace, title, card.FirstOrDefault(c => c.Key == "emoji").Value as string, space.Sdk,
                    state.Likes.Count(space.Id), space.Private, tags, runtime, null, null, Math.Round(score, 3, MidpointRounding.AwayFromZero), 0));
            }
        }
        var ranked = hits.OrderByDescending(h => h.SemanticRelevancyScore).ThenBy(h => h.Id, StringComparer.OrdinalIgnoreCase).Take(MaxHits).ToList();
        context.Response.Headers["X-Total-Count"] = ranked.Count.ToString(CultureInfo.InvariantCulture);
        await HubResponses.Json(context, ranked, LocalHubJsonContext.Default.ListSpaceSearchHitBody).ConfigureAwait(false);
    }
}
