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
        context.Console.Out.WriteLine($"user: {me.Name}");
        context.Console.Out.WriteLine($"orgs: {(me.Orgs.Count == 0 ? "none" : string.Join(", ", me.Orgs.Select(o => o.Name)))}");
        return ExitCodes.Ok;
    }
}
