using System.CommandLine;
using HfCtl.Cli;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces settings &lt;space&gt; [--sleep-time N] [--hardware F]</c>.</summary>
internal static class SettingsCommand
{
    private static readonly Argument<string> Space = SpaceCli.SpaceArgument();
    private static readonly Option<long?> SleepTime = new("--sleep-time") { Description = "Seconds of idle time before the Space sleeps; -1 = never" };
    private static readonly Option<string?> Hardware = new("--hardware") { Description = "Request a hardware flavor (the Space rebuilds on it)" };

    public static Command Create(App app)
    {
        var command = new Command("settings", "Change a Space's sleep time or hardware") { Space, SleepTime, Hardware };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var sleep = context.ParseResult.GetValue(SleepTime);
        var hardware = context.ParseResult.GetValue(Hardware);
        if (sleep is null && hardware is null)
        {
            throw new UsageException("nothing to change: give --sleep-time N and/or --hardware FLAVOR");
        }
        if (sleep is { } s && s <= 0 && s != -1)
        {
            throw new UsageException("--sleep-time must be a positive number of seconds, or -1 to never sleep");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(Space)!, cancellationToken).ConfigureAwait(false);
        SpaceRuntime runtime;
        if (hardware is not null)
        {
            runtime = await client.Spaces.RequestHardwareAsync(id, hardware, sleep, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            runtime = await client.Spaces.SetSleepTimeAsync(id, sleep!.Value, cancellationToken).ConfigureAwait(false);
        }
        if (context.Output.Json)
        {
            context.Output.WriteJson(SpaceView.From(id, runtime, null), SpacesCliJsonContext.Default.SpaceView);
            return ExitCodes.Ok;
        }
        if (hardware is not null)
        {
            context.Output.Success($"Requested {hardware} for {id} (current: {runtime.Hardware.Current ?? "none"}; stage {runtime.Stage})");
        }
        if (sleep is not null)
        {
            context.Output.Success(runtime.SleepTime is { } t ? $"{id} sleeps after {t} s without traffic" : $"{id} never sleeps");
        }
        return ExitCodes.Ok;
    }
}
