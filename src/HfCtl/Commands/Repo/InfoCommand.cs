using System.CommandLine;
using HfCtl.Cli;
using HfHub.Repos;

namespace HfCtl.Commands.Repo;

/// <summary><c>hfctl repo info REPO [--type] [--revision]</c>.</summary>
internal static class InfoCommand
{
    private static readonly Argument<string> Repo = RepoArguments.RepoIdArgument();
    private static readonly Option<string> Type = RepoArguments.TypeOption();
    private static readonly Option<string?> Revision = RepoArguments.RevisionOption();

    public static Command Create(App app)
    {
        var command = new Command("info", "Show a repository's id, visibility, head commit and files") { Repo, Type, Revision };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var target = RepoArguments.WholeRepo(RepoArguments.ParseTarget(context.ParseResult, Repo, Type, Revision), context.ParseResult.GetValue(Repo));
        var (repo, type) = (target.Repo, target.Type);
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        repo = await RepoResolver.ForReadAsync(client, repo, type, cancellationToken).ConfigureAwait(false);
        var info = await client.Repos.GetInfoAsync(repo, type, target.Revision, cancellationToken: cancellationToken).ConfigureAwait(false);
        var view = new RepoInfoView(info.Id, type.Name(), info.Private, info.Sha, info.Author, info.Sdk, info.LastModified, info.CreatedAt,
            [.. (info.Siblings ?? []).Select(s => s.Rfilename)]);
        if (context.Output.Json)
        {
            context.Output.WriteJson(view, FilesCliJsonContext.Default.RepoInfoView);
            return ExitCodes.Ok;
        }
        context.Output.WriteRecord(
        [
            ("id", view.Id),
            ("type", view.Type),
            ("private", view.Private ? "yes" : "no"),
            ("sha", view.Sha),
            ("sdk", view.Sdk),
            ("last modified", context.Output.Time(view.LastModified)),
            ("url", client.Repos.WebUrl(repo, type).ToString()),
            ("files", view.Files.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]);
        return ExitCodes.Ok;
    }
}
