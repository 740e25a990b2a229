using System.CommandLine;
using HfCtl.Cli;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces list</c>: Spaces with their stage, hardware and app URL.</summary>
internal static class ListCommand
{
    private static readonly Option<string?> Author = new("--author") { Description = "Only Spaces of this user or organisation" };
    private static readonly Option<string?> Search = new("--search") { Description = "Only Spaces whose id contains this text" };
    private static readonly Option<string?> Stage = new("--stage") { Description = "Only Spaces in this stage (e.g. RUNNING, RUNTIME_ERROR, SLEEPING)" };
    private static readonly Option<int?> Limit = new("--limit") { Description = "Fetch at most this many Spaces" };

    public static Command Create(App app)
    {
        var command = new Command("list", "List Spaces with stage, hardware and app URL") { Author, Search, Stage, Limit };
        command.Aliases.Add("ls");
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var stage = context.ParseResult.GetValue(Stage)?.Trim().ToUpperInvariant();
        if (context.ParseResult.GetValue(Limit) is < 1)
        {
            throw new UsageException("--limit must be at least 1");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var options = new SpaceListOptions
        {
            Author = context.ParseResult.GetValue(Author),
            Search = context.ParseResult.GetValue(Search),
            Limit = stage is null ? context.ParseResult.GetValue(Limit) : null,
        };
        var rows = new List<SpaceView>();
        await foreach (var space in client.Spaces.ListAsync(options, cancellationToken).ConfigureAwait(false))
        {
            var view = SpaceView.From(space.Id, space.Runtime, space);
            if (stage is null || view.Stage == stage)
            {
                rows.Add(view);
                if (stage is not null && context.ParseResult.GetValue(Limit) is { } limit && rows.Count >= limit)
                {
                    break;
                }
            }
        }
        context.Output.WriteList(rows,
        [
            new Column<SpaceView>("name", r => r.Name),
            new Column<SpaceView>("stage", r => r.Stage) { Color = r => SpaceCli.StageColor(r.Stage) },
            new Column<SpaceView>("hardware", r => r.Hardware ?? r.RequestedHardware ?? "-"),
            new Column<SpaceView>("app url", r => r.AppUrl ?? "-"),
        ], SpacesCliJsonContext.Default.ListSpaceView, "Spaces");
        if (rows.Count > 0)
        {
            context.PrintedHubUrls();
        }
        return ExitCodes.Ok;
    }
}
