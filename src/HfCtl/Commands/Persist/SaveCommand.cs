using System.CommandLine;
using HfCtl.Cli;
using HfHub.Persistence;

namespace HfCtl.Commands.Persist;

/// <summary><c>hfctl persist save &lt;local&gt; &lt;remote&gt;</c>: one consistent snapshot, one commit (or none when unchanged).</summary>
internal static class SaveCommand
{
    private static readonly Argument<string> Local = new("local") { Description = "The local file (a SQLite database is snapshotted consistently while in use)" };
    private static readonly Argument<string> Remote = new("remote") { Description = "Its path in the dataset or bucket, e.g. db/data.sqlite; ending in '/', a folder to save it into (db/ → db/<file name>)" };
    private static readonly Option<bool> Force = new("--force") { Description = "Replace the remote version even if this local file never restored or saved it (it stays in the history)" };
    private static readonly Option<string?> Message = new("--message", "-m") { Description = "Commit title, or a bucket version's title (default: persist: <remote>)" };
    private static readonly Option<int?> Keep = new("--keep") { Description = PersistCommands.KeepDescription };
    private static readonly Option<bool> AllowPublic = new("--allow-public") { Description = "Allow saving into a PUBLIC dataset or bucket" };
    private static readonly Option<bool> Folder = new("--folder") { Description = "Save a whole folder (changed files only, with a manifest); <remote> is then a folder" };

    public static Command Create(App app)
    {
        var command = new Command("save", "Save a local file or SQLite database to the dataset or bucket (skipped when unchanged)") { Local, Remote, Force, Message, Keep, AllowPublic, Folder };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var local = context.ParseResult.GetValue(Local)!;
        var folder = context.ParseResult.GetValue(Folder);
        var remote = folder ? PersistCommands.RemotePath(context.ParseResult.GetValue(Remote)!) : PersistCommands.RemoteFor(local, context.ParseResult.GetValue(Remote)!);
        var keep = context.ParseResult.GetValue(Keep);
        if (keep is < 1)
        {
            throw new UsageException("--keep must be at least 1");
        }
        if (folder && PersistCommands.IsBucket(context))
        {
            throw new UsageException("--folder saves to a dataset only; with --bucket, save the files one by one");
        }
        if (!folder && Directory.Exists(local))
        {
            throw new CommandFailedException($"'{local}' is a directory, not a file (add --folder to save a whole folder)");
        }
        if (!folder)
        {
            PersistCommands.NoteLink(context, local);
        }
        using var manager = await PersistCommands.ConnectAsync(context, cancellationToken, o =>
        {
            o.KeepVersions = keep;
            o.AllowPublicDataset = context.ParseResult.GetValue(AllowPublic);
        }).ConfigureAwait(false);
        var options = new SaveOptions
        {
            Force = context.ParseResult.GetValue(Force),
            Message = context.ParseResult.GetValue(Message),
        };
        if (folder)
        {
            var saved = await manager.SaveFolderAsync(local, remote, options, cancellationToken).ConfigureAwait(false);
            if (context.Output.Json)
            {
                context.Output.WriteJson(saved, PersistCliJsonContext.Default.FolderSaveResult);
            }
            else
            {
                context.Output.Success(saved.SkippedUnchanged
                    ? $"unchanged: {manager.Dataset}:{saved.Path}/ already holds these {saved.FilesUnchanged} files (commit {PersistCommands.Short(saved.CommitId)}); no commit made"
                    : $"saved folder {manager.Dataset}:{saved.Path}/ ({saved.FilesChanged} changed, {saved.FilesUnchanged} unchanged, {saved.FilesDeleted} deleted) in commit {PersistCommands.Short(saved.CommitId)}");
            }
            return ExitCodes.Ok;
        }
        var result = await manager.SaveAsync(local, remote, options, cancellationToken).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(result, PersistCliJsonContext.Default.SaveResult);
        }
        else
        {
            context.Output.Success(PersistCommands.Describe(manager, result));
        }
        return ExitCodes.Ok;
    }
}
