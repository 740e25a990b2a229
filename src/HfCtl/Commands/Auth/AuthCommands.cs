using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Auth;

/// <summary><c>hfctl auth</c>: log in and out, and see who the token belongs to.</summary>
internal static class AuthCommands
{
    public static Command Create(App app)
    {
        var auth = new Command("auth", "Log in, log out, and check the token in use");
        auth.Subcommands.Add(LoginCommand.Create(app));
        auth.Subcommands.Add(LogoutCommand.Create(app));
        auth.Subcommands.Add(WhoAmICommand.Create(app));
        auth.Subcommands.Add(StatusCommand.Create(app));
        return auth;
    }
}
