using HfCtl.Cli;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary>The shared body of restart, pause and wakeup (and of the seed's <c>spaces action</c>).</summary>
internal static class Lifecycle
{
    public static async Task<int> RunAsync(CommandContext context, string space, string action, bool factory, bool wait, string? timeoutText, CancellationToken cancellationToken)
    {
        var timeout = SpaceCli.ParseTimeout(timeoutText);
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = await SpaceCli.ResolveAsync(client, space, cancellationToken).ConfigureAwait(false);
        SpaceRuntime runtime;
        switch (action)
        {
            case "restart":
                runtime = await client.Spaces.RestartAsync(id, factory, cancellationToken).ConfigureAwait(false);
                SpaceCli.PrintRuntime(context, id, runtime, factory ? "Factory-rebooted" : "Restarted");
                break;
            case "pause":
                runtime = await client.Spaces.PauseAsync(id, cancellationToken).ConfigureAwait(false);
                SpaceCli.PrintRuntime(context, id, runtime, "Paused");
                return ExitCodes.Ok;
            case "wakeup":
                var before = await client.Spaces.GetRuntimeAsync(id, cancellationToken).ConfigureAwait(false);
                runtime = await client.Spaces.WakeUpAsync(id, null, cancellationToken).ConfigureAwait(false);
                var how = before.Stage switch
                {
                    SpaceStage.Paused => "restarted from PAUSED",
                    SpaceStage.Sleeping or SpaceStage.Stopped => "visited its app URL",
                    _ when SpaceStage.IsError(before.Stage) && before.Stage != SpaceStage.NoAppFile => $"restarted from {before.Stage}",
                    _ => $"already {before.Stage}",
                };
                SpaceCli.PrintRuntime(context, id, runtime, $"Woke up ({how})");
                break;
            default:
                throw new UsageException($"unknown action '{action}': use restart, pause or wakeup");
        }
        return wait ? await SpaceCli.WaitAsync(context, client, id, timeout, cancellationToken).ConfigureAwait(false) : ExitCodes.Ok;
    }
}
