using System.CommandLine;
using HfCtl.Cli;
using HfHub.Repos;

namespace HfCtl.Commands.Repo;

/// <summary>
/// <c>hfctl repo delete REPO [--type] [-y] [--missing-ok]</c>. Without <c>-y</c> it asks on a
/// terminal and refuses (exit 2) when nobody can answer.
/// </summary>
internal static class DeleteCommand
{
    private static readonly Argument<string> Repo = RepoArguments.RepoIdArgument();
    private static readonly Option<string> Type = RepoArguments.TypeOption();
    private static readonly Option<bool> Yes = new("--yes", "-y") { Description = "Delete without asking" };
    private static readonly Option<bool> MissingOk = new("--missing-ok") { Description = "Succeed if the repo does not exist" };

    public static Command Create(App app)
    {
        var command = new Command("delete", "Delete a repository and all its files (irreversible)") { Repo, Type, Yes, MissingOk };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var repo = RepoArguments.ParseRepo(context.ParseResult.GetValue(Repo));
        var type = RepoArguments.ParseType(context.ParseResult.GetValue(Type));
        if (!context.ParseResult.GetValue(Yes))
        {
            if (!context.Console.IsInputTerminal)
            {
                throw new UsageException($"refusing to delete {type.Name()} {repo} without confirmation: pass -y");
            }
            context.Console.Err.Write($"Delete {type.Name()} {repo} and all its files? This cannot be undone. [y/N] ");
            var answer = (await context.Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.Trim();
            if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
            {
                throw new CommandFailedException("aborted: nothing was deleted", ExitCodes.Error);
            }
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await client.Repos.DeleteAsync(repo, type, context.ParseResult.GetValue(MissingOk), cancellationToken).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(new RepoDeletedView(repo.ToString(), type.Name(), deleted), FilesCliJsonContext.Default.RepoDeletedView);
        }
        else
        {
            context.Output.Success(deleted ? $"Deleted {type.Name()} {repo}" : $"{type.Name()} {repo} did not exist");
        }
        return ExitCodes.Ok;
    }
}
