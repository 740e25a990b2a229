using System.CommandLine;
using HfCtl.Cli;
using HfHub.Auth;

namespace HfCtl.Commands.Auth;

/// <summary><c>hfctl auth logout</c>: removes the saved token (file and stored entry).</summary>
internal static class LogoutCommand
{
    public static Command Create(App app)
    {
        var command = new Command("logout", "Remove the saved token from this machine");
        command.SetAction(app.Handler((context, _) => Task.FromResult(Run(context))));
        return command;
    }

    private static int Run(CommandContext context)
    {
        var removed = TokenStore.RemoveActive(context.Environment);
        if (removed)
        {
            context.Output.Success($"Logged out: removed {context.Environment.TokenPath}");
        }
        else
        {
            context.Output.Line($"Not logged in: no token file at {context.Environment.TokenPath}");
        }
        if (context.Environment.Get("HF_TOKEN") is not null || context.Environment.Get("HUGGING_FACE_HUB_TOKEN") is not null)
        {
            context.Output.Warn("a token is still set in the environment (HF_TOKEN or HUGGING_FACE_HUB_TOKEN); unset it to log out fully");
        }
        return ExitCodes.Ok;
    }
}
