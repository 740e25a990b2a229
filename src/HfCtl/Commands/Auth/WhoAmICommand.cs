using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Auth;

/// <summary><c>hfctl auth whoami</c>: the account behind the token.</summary>
internal static class WhoAmICommand
{
    public static Command Create(App app)
    {
        var command = new Command("whoami", "Show the account the token belongs to");
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var me = await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(me, CliJsonContext.Default.WhoAmI);
            return ExitCodes.Ok;
        }
        if (context.Output.Settings.Quiet)
        {
            context.Console.Out.WriteLine(me.Name); // quiet: the one value a script wants, as the official CLI
            return ExitCodes.Ok;
        }
        context.Output.WriteRecord([("user", me.Name), ("orgs", me.Orgs.Count == 0 ? "none" : string.Join(", ", me.Orgs.Select(o => o.Name)))]);
        return ExitCodes.Ok;
    }
}
