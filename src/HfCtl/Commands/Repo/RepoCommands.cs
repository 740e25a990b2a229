using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Repo;

/// <summary><c>hfctl repo</c>: create, delete, describe, list repositories and their files.</summary>
internal static class RepoCommands
{
    public static Command Create(App app)
    {
        var repo = new Command("repo", "Create, delete, describe and list repositories (models, datasets, Spaces)");
        repo.Aliases.Add("repos");
        repo.Subcommands.Add(CreateCommand.Create(app));
        repo.Subcommands.Add(DeleteCommand.Create(app));
        repo.Subcommands.Add(InfoCommand.Create(app));
        repo.Subcommands.Add(ListCommand.Create(app));
        repo.Subcommands.Add(FilesCommand.Create(app));
        return repo;
    }
}
