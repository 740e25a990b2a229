using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces action &lt;space&gt; restart|pause|wakeup</c>: the lifecycle verbs as one command with the verb as an argument.</summary>
internal static class ActionCommand
{
    private static readonly Argument<string> Space = SpaceCli.SpaceArgument();
    private static readonly Argument<string> Action = new("action") { Description = "restart, pause or wakeup" };

    public static Command Create(App app)
    {
        Action.AcceptOnlyFromAmong("restart", "pause", "wakeup");
        var command = new Command("action", "Restart, pause or wake up a Space") { Space, Action, SpaceCli.Wait, SpaceCli.Timeout };
        command.SetAction(app.Handler((context, ct) => Lifecycle.RunAsync(context, context.ParseResult.GetValue(Space)!, context.ParseResult.GetValue(Action)!,
            false, context.ParseResult.GetValue(SpaceCli.Wait), context.ParseResult.GetValue(SpaceCli.Timeout), ct)));
        return command;
    }
}
