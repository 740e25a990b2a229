using System.CommandLine;
using System.Text.Json.Nodes;
using HfCtl.Cli;
using HfHub.Repos;

namespace HfCtl.Commands.Spaces;

/// <summary>A Space's card as <c>hfctl spaces card --json</c> writes it.</summary>
internal sealed record SpaceCardView(string Name, JsonObject Metadata, string Text);

/// <summary>
/// <c>hfctl spaces card SPACE [--metadata|--text]</c>: the Space's README, as <c>hf spaces card</c>. The
/// whole card by default; <c>--metadata</c> its YAML front matter (a record, or a JSON object with
/// <c>--json</c>); <c>--text</c> the body without it. Long cards are cut at 50 lines unless <c>--all</c>.
/// </summary>
internal static class CardCommand
{
    private static readonly Argument<string> Space = SpaceCli.SpaceArgument();
    private static readonly Option<bool> Metadata = new("--metadata") { Description = "Only the card's metadata (the YAML front matter)" };
    private static readonly Option<bool> Text = new("--text") { Description = "Only the card's text, without the front matter" };
    private static readonly Option<string?> Revision = new("--revision") { Description = "A branch, tag or commit (default main)" };

    public static Command Create(App app)
    {
        var command = new Command("card", "Print a Space's card (README): all of it, --metadata or --text") { Space, Metadata, Text, Revision };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var result = context.ParseResult;
        var (metadataOnly, textOnly) = (result.GetValue(Metadata), result.GetValue(Text));
        if (metadataOnly && textOnly)
        {
            throw new UsageException("--metadata and --text cannot be used together");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = await SpaceCli.ResolveAsync(client, result.GetValue(Space)!, cancellationToken).ConfigureAwait(false);
        var card = await client.Files.GetCardAsync(RepoId.Parse(id), RepoType.Space, result.GetValue(Revision), cancellationToken).ConfigureAwait(false);
        if (metadataOnly || context.Output.Json)
        {
            JsonObject metadata;
            try
            {
                metadata = CardMetadata.Parse(card.FrontMatter);
            }
            catch (FormatException e)
            {
                throw new CommandFailedException($"{id}: {e.Message}", ExitCodes.Error);
            }
            if (context.Output.Json)
            {
                if (metadataOnly)
                {
                    context.Output.WriteJson(metadata, SpacesCliJsonContext.Default.JsonObject);
                }
                else
                {
                    context.Output.WriteJson(new SpaceCardView(id, metadata, textOnly ? card.Text : card.Content), SpacesCliJsonContext.Default.SpaceCardView);
                }
                return ExitCodes.Ok;
            }
            if (metadata.Count == 0)
            {
                context.Output.Line($"{id} has no card metadata");
                return ExitCodes.Ok;
            }
            context.Output.WriteRecord([.. metadata.Select(p => (p.Key, (string?)CardMetadata.OneLine(p.Value)))], verbatimKeys: true);
            return ExitCodes.Ok;
        }
        var shown = textOnly ? card.Text.TrimStart('\r', '\n') : card.Content;
        var lines = shown.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        context.Output.WriteCapped(lines, "lines");
        return ExitCodes.Ok;
    }
}
