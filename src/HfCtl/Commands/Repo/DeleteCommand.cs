using System.CommandLine;
using HfCtl.Cli;
using HfHub.Repos;

namespace HfCtl.Commands.Repo;

/// <summary>
/// <c>hfctl repo delete REPO [--type] [-y] [--missing-ok]</c>. Without <c>-y</c> it asks on a
/// terminal and refuses (exit 2) when nobody can answer (<see cref="Confirmation"/>).
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
        var target = RepoArguments.WholeRepo(RepoArguments.ParseTarget(context.ParseResult, Repo, Type), context.ParseResult.GetValue(Repo));
        var (repo, type) = (target.Repo, target.Type);
        var yes = context.ParseResult.GetValue(Yes);
        Confirmation.RefuseUnanswerable(context, yes, $"delete {type.Name()} {repo}");
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        repo = await RepoResolver.ForWriteAsync(client, repo, cancellationToken).ConfigureAwait(false);
        await Confirmation.RequireAsync(context, yes, $"delete {type.Name()} {repo}",
            $"Delete {type.Name()} {repo} and all its files? This cannot be undone.", cancellationToken).ConfigureAwait(false);
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
