using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.LocalHub;

/// <summary><c>hfctl local-hub</c>: run the Hub emulator for other clients.</summary>
internal static class LocalHubCommands
{
    public static Command Create(App app)
    {
        var command = new Command("local-hub", "Run the local Hugging Face Hub emulator");
        command.Subcommands.Add(ServeCommand.Create(app));
        return command;
    }
}
