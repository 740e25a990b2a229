using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces info &lt;space&gt;</c>: stage, hardware, sleep time and app URL of one Space.</summary>
internal static class InfoCommand
{
    private static readonly Argument<string> Space = SpaceCli.SpaceArgument();

    public static Command Create(App app)
    {
        var command = new Command("info", "Show a Space's stage, hardware, sleep time, app URL and volumes") { Space };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(Space)!, cancellationToken).ConfigureAwait(false);
        var info = await client.Spaces.GetAsync(id, cancellationToken).ConfigureAwait(false);
        var view = SpaceView.From(info.Id, info.Runtime, info);
        if (context.Output.Json)
        {
            context.Output.WriteJson(view, SpacesCliJsonContext.Default.SpaceView);
            return ExitCodes.Ok;
        }
        // Volumes in the -v syntax that would set them again, one "volume" line each.
        var volumes = info.Runtime?.Volumes ?? [];
        IEnumerable<(string, string?)> volumeLines = volumes.Count == 0 ? [("volumes", "none")] : volumes.Select(v => ("volume", (string?)VolumesCommand.Describe(v)));
        context.Output.WriteRecord(
        [
            ("name", view.Name),
            ("stage", view.Stage),
            ("sdk", view.Sdk ?? "-"),
            ("hardware", $"{view.Hardware ?? "-"}{(view.RequestedHardware is { } r && r != view.Hardware ? $" (requested {r})" : "")}"),
            ("sleeps", view.SleepTime is { } s ? $"after {s} s idle" : "never"),
            ("private", view.Private == true ? "yes" : "no"),
            ("app url", view.AppUrl),
            .. volumeLines,
            ("last modified", view.LastModified),
            ("error", view.ErrorMessage is { } error ? HfHub.DisplayText.OneLine(error) : null),
        ]);
        context.PrintedHubUrls();
        return ExitCodes.Ok;
    }
}
