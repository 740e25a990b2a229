using System.CommandLine;
using System.Globalization;
using HfCtl.Cli;

namespace HfCtl.Commands.Repo;

/// <summary><c>hfctl repo files REPO [PATH] [--type] [--revision]</c>: the file tree.</summary>
internal static class FilesCommand
{
    private static readonly Argument<string> Repo = RepoArguments.RepoIdArgument();
    private static readonly Argument<string?> Folder = new("path") { Description = "Only files under this folder", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string> Type = RepoArguments.TypeOption();
    private static readonly Option<string?> Revision = RepoArguments.RevisionOption();

    public static Command Create(App app)
    {
        var command = new Command("files", "List a repository's files (recursively)") { Repo, Folder, Type, Revision };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var target = RepoArguments.ParseTarget(context.ParseResult, Repo, Type, Revision);
        var (repo, type) = (target.Repo, target.Type);
        var folder = context.ParseResult.GetValue(Folder) is { } path and not ("." or "/") ? RepoArguments.ParseRepoPath(path).TrimEnd('/') : null;
        if (target.Path.Length > 0)
        {
            // hf://ns/m/sub lists that folder, as the folder argument does.
            folder = folder is null ? target.Path : throw new UsageException($"give the folder either in '{context.ParseResult.GetValue(Repo)}' or after it, not both");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        repo = await RepoResolver.ForReadAsync(client, repo, type, cancellationToken).ConfigureAwait(false);
        var items = new List<RepoFileItem>();
        await foreach (var entry in client.Files.ListTreeAsync(repo, type, target.Revision, folder, recursive: true, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entry.IsFile)
            {
                items.Add(new RepoFileItem(entry.Path, entry.Type, entry.Lfs?.Size ?? entry.Size, entry.Oid, entry.Lfs?.Oid));
            }
        }
        items.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        context.Output.WriteList(items, [
            new Column<RepoFileItem>("path", f => f.Path),
            new Column<RepoFileItem>("size", f => context.Console.IsOutputTerminal ? HumanSize(f.Size) : f.Size.ToString(CultureInfo.InvariantCulture)),
            new Column<RepoFileItem>("lfs", f => f.LfsSha256 is null ? "-" : "lfs"),
        ], FilesCliJsonContext.Default.ListRepoFileItem, "files");
        return ExitCodes.Ok;
    }

    internal static string HumanSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
