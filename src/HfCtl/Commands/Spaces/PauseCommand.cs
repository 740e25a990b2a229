using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces pause &lt;space&gt;</c>.</summary>
internal static class PauseCommand
{
    private static readonly Argument<string> Space = SpaceCli.SpaceArgument();

    public static Command Create(App app)
    {
        var command = new Command("pause", "Pause a Space: it stays PAUSED (and free) until restarted") { Space };
        command.SetAction(app.Handler((context, ct) => Lifecycle.RunAsync(context, context.ParseResult.GetValue(Space)!, "pause", false, false, null, ct)));
        return command;
    }
}
