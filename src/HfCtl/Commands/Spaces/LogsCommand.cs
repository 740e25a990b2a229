using System.CommandLine;
using HfCtl.Cli;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary>
/// <c>hfctl spaces logs &lt;space&gt; [--build] [-f] [-n N]</c>: the run (or build) log. Without
/// <c>-n</c> it shows the last 50 lines and says how many were left out; <c>-f</c> keeps printing
/// new lines until the Space stops (or Ctrl-C, which ends it quietly with exit 130: stopping is
/// how one leaves a follow, not an error). The lines asked for with <c>-n</c> or <c>-f</c> are
/// printed in full in agent mode too.
/// </summary>
internal static class LogsCommand
{
    private const int DefaultLines = 50;
    private static readonly Argument<string> Space = SpaceCli.SpaceArgument();
    private static readonly Option<bool> Build = new("--build") { Description = "Show the build log instead of the run log" };
    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing new lines as they come" };
    private static readonly Option<int?> Tail = new("--tail", "-n") { Description = "Show only the last N lines" };

    public static Command Create(App app)
    {
        var command = new Command("logs", "Show a Space's run or build log") { Space, Build, Follow, Tail };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var tail = context.ParseResult.GetValue(Tail);
        if (tail is < 0)
        {
            throw new UsageException("-n must be zero or more");
        }
        var follow = context.ParseResult.GetValue(Follow);
        var kind = context.ParseResult.GetValue(Build) ? SpaceLogKind.Build : SpaceLogKind.Run;
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(Space)!, cancellationToken).ConfigureAwait(false);
        // How long a log read without --follow waits for more lines (HFCTL_LOG_DRAIN; the tests shorten it).
        client.Spaces.LogDrainTimeout = Duration.FromEnvironment(context.Environment, "HFCTL_LOG_DRAIN", client.Spaces.LogDrainTimeout);

        if (follow)
        {
            var lines = client.Spaces.GetLogsAsync(id, kind, tail ?? (context.Output.Settings.All ? null : DefaultLines), follow: true, cancellationToken);
            var output = context.Output.Uncapped;
            try
            {
                await foreach (var line in lines.ConfigureAwait(false))
                {
                    output.WriteLine(line.Text);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException)
            {
                return ExitCodes.Interrupted;
            }
            return ExitCodes.Ok;
        }

        var all = new List<SpaceLogLine>();
        await foreach (var line in client.Spaces.GetLogsAsync(id, kind, tail, follow: false, cancellationToken).ConfigureAwait(false))
        {
            all.Add(line);
        }
        if (context.Output.Json)
        {
            context.Output.WriteJson(all, SpacesCliJsonContext.Default.ListSpaceLogLine);
            return ExitCodes.Ok;
        }
        var shown = tail is not null || context.Output.Settings.All ? all : all.TakeLast(DefaultLines).ToList();
        if (shown.Count < all.Count)
        {
            context.Output.WriteSummary($"… {all.Count - shown.Count} earlier lines left out; -n N or --all to see more");
        }
        var writer = tail is not null ? context.Output.Uncapped : context.Console.Out;
        foreach (var line in shown)
        {
            writer.WriteLine(line.Text);
        }
        if (all.Count == 0 && !context.Output.Settings.Quiet)
        {
            context.Console.Err.WriteLine($"no {(kind == SpaceLogKind.Build ? "build" : "run")} log lines for {id} yet");
        }
        return ExitCodes.Ok;
    }
}
