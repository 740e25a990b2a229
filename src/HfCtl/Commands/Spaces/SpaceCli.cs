using System.CommandLine;
using HfCtl.Cli;
using HfHub;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary>The exit codes of <c>hfctl spaces wait</c> (and of <c>--wait</c>), beyond the common ones in <see cref="ExitCodes"/>.</summary>
public static class SpaceExitCodes
{
    /// <summary>The Space ended in an error stage: BUILD_ERROR, RUNTIME_ERROR, CONFIG_ERROR, NO_APP_FILE.</summary>
    public const int Failed = 8;
    /// <summary>The Space was still building or starting when the timeout passed.</summary>
    public const int Timeout = 9;
    /// <summary>The Space is PAUSED, SLEEPING or STOPPED: it will not run until woken or restarted.</summary>
    public const int NotRunning = 10;

    /// <summary>The exit code for a final stage.</summary>
    public static int ForStage(string stage) => stage switch
    {
        SpaceStage.Running => ExitCodes.Ok,
        _ when SpaceStage.IsAsleep(stage) => NotRunning,
        _ => Failed,
    };
}

/// <summary>Arguments and helpers shared by the <c>spaces</c> commands.</summary>
internal static class SpaceCli
{
    public static Argument<string> SpaceArgument() => new("space") { Description = "The Space: namespace/name, or a name of your own namespace" };

    public static readonly Option<bool> Wait = new("--wait") { Description = "Wait until the Space is RUNNING (or fails); exit code as 'spaces wait'" };

    public static readonly Option<string> Timeout = new("--timeout") { Description = "How long to wait, e.g. 90s, 5m, 1h (default 5m)", DefaultValueFactory = _ => "5m" };

    /// <summary>Resolves a Space id; a bare name means the token's own namespace (see <see cref="RepoResolver"/>).</summary>
    public static Task<string> ResolveAsync(HubClient client, string text, CancellationToken cancellationToken) =>
        RepoResolver.SpaceAsync(client, text, cancellationToken);

    /// <summary>
    /// How often a wait asks for the Space's stage: once a second like the official client, or
    /// <c>HFCTL_POLL_INTERVAL</c> (e.g. <c>100ms</c>, as the tests set it against their local hub).
    /// </summary>
    public static TimeSpan PollInterval(CommandContext context) =>
        Duration.FromEnvironment(context.Environment, "HFCTL_POLL_INTERVAL", TimeSpan.FromSeconds(1));

    /// <summary>The <c>--timeout</c> of a wait (default 5m).</summary>
    public static TimeSpan ParseTimeout(string? text) => Duration.Parse(text ?? "5m", "--timeout");

    /// <summary>Waits for a final stage, printing each new stage on stderr (unless quiet); returns the exit code.</summary>
    public static async Task<int> WaitAsync(CommandContext context, HubClient client, string id, TimeSpan timeout, CancellationToken cancellationToken, bool printResult = true)
    {
        SpaceRuntime runtime;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            runtime = await client.Spaces.WaitAsync(id, new SpaceWaitOptions
            {
                Timeout = timeout,
                PollInterval = PollInterval(context),
                OnStage = r =>
                {
                    context.Console.ProgressSink?.Report(new CliProgress(waited.Elapsed.TotalSeconds, timeout.TotalSeconds, $"{id}: {r.Stage}"));
                    if (!context.Output.Settings.Quiet && !context.Output.Json)
                    {
                        context.Console.Err.WriteLine($"{id}: {r.Stage}");
                    }
                },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new CommandFailedException(e.Message, SpaceExitCodes.Timeout);
        }
        var code = SpaceExitCodes.ForStage(runtime.Stage);
        if (!printResult)
        {
            // The caller prints its own result (e.g. dev-mode's connection details).
        }
        else if (context.Output.Json)
        {
            context.Output.WriteJson(SpaceView.From(id, runtime, null), SpacesCliJsonContext.Default.SpaceView);
        }
        else if (code == ExitCodes.Ok)
        {
            context.Output.Success($"{id} is RUNNING on {runtime.Hardware.Current ?? "its hardware"}");
        }
        if (code != ExitCodes.Ok)
        {
            var reason = runtime.ErrorMessage is { Length: > 0 } m ? $": {HfHub.DisplayText.OneLine(m)}" : "";
            throw new CommandFailedException($"{id} is {runtime.Stage}{reason}", code);
        }
        return code;
    }

    /// <summary>A stage's colour on a colour terminal: running green, errors red, on the way yellow; others plain.</summary>
    public static string? StageColor(string stage) => stage switch
    {
        SpaceStage.Running => "green",
        _ when SpaceStage.IsError(stage) => "red",
        _ when SpaceStage.IsIntermediate(stage) => "yellow",
        _ => null,
    };

    /// <summary>Prints a runtime after a lifecycle call.</summary>
    public static void PrintRuntime(CommandContext context, string id, SpaceRuntime runtime, string verb)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(SpaceView.From(id, runtime, null), SpacesCliJsonContext.Default.SpaceView);
            return;
        }
        context.Output.Success($"{verb} {id}: {runtime.Stage}");
    }
}

/// <summary>One Space as hfctl prints it (<c>--json</c> fields).</summary>
public sealed record SpaceView(
    string Name, string Stage, string? Hardware, string? RequestedHardware, string? Sdk, bool? Private, long? SleepTime,
    string? AppUrl, string? LastModified, string? ErrorMessage, IReadOnlyList<SpaceVolume>? Volumes)
{
    public static SpaceView From(string id, SpaceRuntime? runtime, SpaceInfo? info) => new(
        id, runtime?.Stage ?? "UNKNOWN", runtime?.Hardware.Current, runtime?.Hardware.Requested, info?.Sdk ?? runtime?.Sdk, info?.Private,
        runtime?.SleepTime, info?.AppUrl, info?.LastModified?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        runtime?.ErrorMessage, runtime?.Volumes);
}
