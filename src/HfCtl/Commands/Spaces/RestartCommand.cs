using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces restart &lt;space&gt; [--factory-reboot] [--wait]</c>.</summary>
internal static class RestartCommand
{
    private static readonly Argument<string> Space = SpaceCli.SpaceArgument();
    private static readonly Option<bool> Factory = new("--factory-reboot") { Description = "Rebuild without the build cache" };

    public static Command Create(App app)
    {
        var command = new Command("restart", "Restart (rebuild) a Space, from any stage including PAUSED") { Space, Factory, SpaceCli.Wait, SpaceCli.Timeout };
        command.SetAction(app.Handler((context, ct) => Lifecycle.RunAsync(context, context.ParseResult.GetValue(Space)!, "restart",
            context.ParseResult.GetValue(Factory), context.ParseResult.GetValue(SpaceCli.Wait), context.ParseResult.GetValue(SpaceCli.Timeout), ct)));
        return command;
    }
}
