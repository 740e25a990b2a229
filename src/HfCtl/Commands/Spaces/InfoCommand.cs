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
        context.Output.Line($"name:      {view.Name}");
        context.Output.Line($"stage:     {view.Stage}");
        context.Output.Line($"sdk:       {view.Sdk ?? "-"}");
        context.Output.Line($"hardware:  {view.Hardware ?? "-"}{(view.RequestedHardware is { } r && r != view.Hardware ? $" (requested {r})" : "")}");
        context.Output.Line($"sleeps:    {(view.SleepTime is { } s ? $"after {s} s idle" : "never")}");
        context.Output.Line($"private:   {(view.Private == true ? "yes" : "no")}");
        context.Output.Line($"app url:   {view.AppUrl}");
        // One line per volume, in the -v syntax that would set it again.
        var volumes = info.Runtime?.Volumes ?? [];
        context.Output.Line($"volumes:   {(volumes.Count == 0 ? "none" : VolumesCommand.Describe(volumes[0]))}");
        foreach (var volume in volumes.Skip(1))
        {
            context.Output.Line($"           {VolumesCommand.Describe(volume)}");
        }
        context.PrintedHubUrls();
        if (view.ErrorMessage is { } error)
        {
            context.Output.Line($"error:     {HfHub.DisplayText.OneLine(error)}");
        }
        return ExitCodes.Ok;
    }
}
