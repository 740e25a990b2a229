using System.CommandLine;
using System.Globalization;
using HfCtl.Cli;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary>A search hit as <c>hfctl spaces search</c> prints it (and as its <c>--json</c> writes it).</summary>
internal sealed record SpaceSearchView(string Name, string? Title, string? Sdk, string? Stage, int Likes, double? Score, IReadOnlyList<string>? Tags)
{
    public static SpaceSearchView From(SpaceSearchResult hit) =>
        new(hit.Id, hit.Title, hit.Sdk, hit.Runtime?.Stage, hit.Likes, hit.SemanticRelevancyScore, hit.Tags);
}

/// <summary><c>hfctl spaces search QUERY</c>: Spaces by meaning, best match first, as <c>hf spaces search</c>.</summary>
internal static class SearchCommand
{
    public static Command Create(App app)
    {
        var query = new Argument<string>("query") { Description = "What the Space should do, in words (e.g. \"remove image background\")" };
        var sdk = new Option<string[]>("--sdk") { Description = "Only Spaces with this SDK: gradio, docker, static (repeatable)" };
        var filter = new Option<string[]>("--filter") { Description = "Only Spaces with this tag (repeatable)" };
        var nonRunning = new Option<bool>("--include-non-running") { Description = "Also Spaces that are not running (sleeping, paused, failed)" };
        var limit = new Option<int?>("--limit") { Description = "Show at most this many results" };
        var command = new Command("search", "Search Spaces by what they do, best match first") { query, sdk, filter, nonRunning, limit };
        command.SetAction(app.Handler(async (context, cancellationToken) =>
        {
            var text = context.ParseResult.GetValue(query)?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                throw new UsageException("the search query cannot be empty: say what the Space should do");
            }
            if (context.ParseResult.GetValue(limit) is < 1)
            {
                throw new UsageException("--limit must be at least 1");
            }
            var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
            var results = await client.Spaces.SearchAsync(text, new SpaceSearchOptions
            {
                Sdks = context.ParseResult.GetValue(sdk) ?? [],
                Filters = context.ParseResult.GetValue(filter) ?? [],
                IncludeNonRunning = context.ParseResult.GetValue(nonRunning),
            }, cancellationToken).ConfigureAwait(false);
            var shown = results.Take(context.ParseResult.GetValue(limit) ?? int.MaxValue).Select(SpaceSearchView.From).ToList();
            context.Output.WriteList(shown,
            [
                new Column<SpaceSearchView>("name", r => r.Name),
                new Column<SpaceSearchView>("title", r => HfHub.DisplayText.OneLine(r.Title ?? "-")),
                new Column<SpaceSearchView>("sdk", r => r.Sdk ?? "-"),
                new Column<SpaceSearchView>("stage", r => r.Stage ?? "-") { Color = r => SpaceCli.StageColor(r.Stage ?? "") },
                new Column<SpaceSearchView>("likes", r => r.Likes.ToString(CultureInfo.InvariantCulture)),
                new Column<SpaceSearchView>("score", r => r.Score?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-"),
            ], SpacesCliJsonContext.Default.ListSpaceSearchView, "Spaces");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
