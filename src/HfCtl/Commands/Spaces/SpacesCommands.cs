using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces</c>: list, create, run, configure and watch Spaces.</summary>
internal static class SpacesCommands
{
    public static Command Create(App app)
    {
        var spaces = new Command("spaces", "List, create, restart, pause, wake, configure and watch Spaces");
        spaces.Subcommands.Add(ListCommand.Create(app));
        spaces.Subcommands.Add(SearchCommand.Create(app));
        spaces.Subcommands.Add(InfoCommand.Create(app));
        spaces.Subcommands.Add(CardCommand.Create(app));
        spaces.Subcommands.Add(CreateCommand.Create(app));
        spaces.Subcommands.Add(TemplatesCommand.Create(app));
        spaces.Subcommands.Add(ActionCommand.Create(app));
        spaces.Subcommands.Add(RestartCommand.Create(app));
        spaces.Subcommands.Add(PauseCommand.Create(app));
        spaces.Subcommands.Add(WakeUpCommand.Create(app));
        spaces.Subcommands.Add(WaitCommand.Create(app));
        spaces.Subcommands.Add(LogsCommand.Create(app));
        spaces.Subcommands.Add(SettingsCommand.Create(app));
        spaces.Subcommands.Add(DevModeCommand.Create(app));
        spaces.Subcommands.Add(HardwareCommand.Create(app));
        spaces.Subcommands.Add(SecretsCommand.Create(app));
        spaces.Subcommands.Add(VariablesCommand.Create(app));
        spaces.Subcommands.Add(VolumesCommand.Create(app));
        spaces.Subcommands.Add(DuplicateCommand.Create(app));
        spaces.Subcommands.Add(DeleteCommand.Create(app));
        spaces.Subcommands.Add(DeployCommand.Create(app));
        return spaces;
    }
}
