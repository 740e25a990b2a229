using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces wakeup &lt;space&gt; [--wait]</c>: restart a PAUSED Space, visit a SLEEPING one.</summary>
internal static class WakeUpCommand
{
    private static readonly Argument<string> Space = SpaceCli.SpaceArgument();

    public static Command Create(App app)
    {
        var command = new Command("wakeup", "Wake a Space: restart it if PAUSED or failed, visit its app URL if SLEEPING") { Space, SpaceCli.Wait, SpaceCli.Timeout };
        command.SetAction(app.Handler((context, ct) => Lifecycle.RunAsync(context, context.ParseResult.GetValue(Space)!, "wakeup", false,
            context.ParseResult.GetValue(SpaceCli.Wait), context.ParseResult.GetValue(SpaceCli.Timeout), ct)));
        return command;
    }
}
