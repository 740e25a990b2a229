using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Spaces;

/// <summary>
/// <c>hfctl spaces wait &lt;space&gt; [--timeout 5m]</c>: polls until the stage is final. Exit 0 when
/// RUNNING, 8 on an error stage, 9 on timeout, 10 when PAUSED or SLEEPING (<see cref="SpaceExitCodes"/>).
/// </summary>
internal static class WaitCommand
{
    private static readonly Argument<string> Space = SpaceCli.SpaceArgument();

    public static Command Create(App app)
    {
        var command = new Command("wait", "Wait until a Space stops building/starting; exit 0 if RUNNING, 8 error stage, 9 timeout, 10 paused/sleeping")
        {
            Space, SpaceCli.Timeout,
        };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var timeout = SpaceCli.ParseTimeout(context.ParseResult.GetValue(SpaceCli.Timeout));
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(Space)!, cancellationToken).ConfigureAwait(false);
        return await SpaceCli.WaitAsync(context, client, id, timeout, cancellationToken).ConfigureAwait(false);
    }
}
