using System.CommandLine;
using System.Globalization;
using HfCtl.Cli;
using HfHub.Persistence;

namespace HfCtl.Commands.Persist;

/// <summary><c>hfctl persist history &lt;remote&gt;</c>: the saved versions of a path, newest first.</summary>
internal static class HistoryCommand
{
    private static readonly Argument<string> Remote = new("remote") { Description = "The path in the dataset or bucket" };
    private static readonly Option<int> MaxCommits = new("--max-commits") { Description = "How many commits of a dataset to look through (a bucket lists the versions it keeps)", DefaultValueFactory = _ => 200 };

    public static Command Create(App app)
    {
        var command = new Command("history", "List the saved versions of a path, newest first (restore one with 'persist restore --version')") { Remote, MaxCommits };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var remote = PersistCommands.RemotePath(context.ParseResult.GetValue(Remote)!);
        using var manager = await PersistCommands.ConnectAsync(context, cancellationToken).ConfigureAwait(false);
        var versions = new List<PersistVersion>();
        await foreach (var version in manager.GetHistoryAsync(remote, context.ParseResult.GetValue(MaxCommits), cancellationToken).ConfigureAwait(false))
        {
            versions.Add(version);
        }
        if (versions.Count == 0 && !context.Output.Json)
        {
            // An empty listing would look like a failure to print anything at all.
            context.Console.Err.WriteLine(manager.IsBucket
                ? $"no saved versions of {remote} in {manager.Target} (never saved there)"
                : $"no saved versions of {remote} in {manager.Target} (never saved there, or not in the last {context.ParseResult.GetValue(MaxCommits)} commits)");
            return ExitCodes.Ok;
        }
        context.Output.WriteList(versions,
        [
            new(manager.IsBucket ? "version" : "commit", v => v.CommitId),
            new("date", v => context.Output.Time(v.Date)),
            new("size", v => context.Console.IsOutputTerminal ? PersistCommands.Size(v.Size) : v.Size.ToString(CultureInfo.InvariantCulture)),
            new("sha256", v => v.Sha256 ?? "-"),
            new("title", v => v.Title),
        ], PersistCliJsonContext.Default.ListPersistVersion, "versions");
        return ExitCodes.Ok;
    }
}
