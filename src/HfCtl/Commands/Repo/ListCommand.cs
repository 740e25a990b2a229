using System.CommandLine;
using HfCtl.Cli;
using HfHub.Repos;

namespace HfCtl.Commands.Repo;

/// <summary><c>hfctl repo list [--type] [--author] [--search] [--limit]</c>.</summary>
internal static class ListCommand
{
    private static readonly Option<string> Type = RepoArguments.TypeOption();
    private static readonly Option<string?> Author = new("--author", "--namespace") { Description = "Only repos of this user or organisation" };
    private static readonly Option<string?> Search = new("--search") { Description = "Only repos whose id contains this text" };
    private static readonly Option<int?> Limit = new("--limit") { Description = "At most this many repos (default: the first 50, with a summary; all with --all or --json)" };

    public static Command Create(App app)
    {
        var command = new Command("list", "List repositories") { Type, Author, Search, Limit };
        command.Aliases.Add("ls");
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var type = RepoArguments.ParseType(context.ParseResult.GetValue(Type));
        var limit = context.ParseResult.GetValue(Limit);
        if (limit <= 0)
        {
            throw new UsageException("--limit must be positive");
        }
        // Without --limit, the 50-line rule: one more than fits is fetched to know whether to say
        // that more exist; --all and --json want everything (the Hub pages through it).
        var everything = context.Output.Settings.All || context.Output.Json;
        int? fetch = limit ?? (everything ? null : OutputSettings.MaxHumanLines + 1);
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<RepoListItem>();
        await foreach (var repo in client.Repos.ListAsync(type, context.ParseResult.GetValue(Author), context.ParseResult.GetValue(Search), fetch, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            items.Add(new RepoListItem(repo.Id, type.Name(), repo.Private, repo.LastModified));
        }
        context.Output.WriteList(items, [
            new Column<RepoListItem>("id", r => r.Id),
            new Column<RepoListItem>("visibility", r => r.Private ? "private" : "public"),
            new Column<RepoListItem>("updated", r => context.Output.Time(r.LastModified)),
        ], FilesCliJsonContext.Default.ListRepoListItem, "repos", moreAtSource: limit is null && !everything && items.Count == fetch);
        return ExitCodes.Ok;
    }
}
