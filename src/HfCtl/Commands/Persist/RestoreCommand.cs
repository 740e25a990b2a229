using System.CommandLine;
using HfCtl.Cli;
using HfHub.Persistence;

namespace HfCtl.Commands.Persist;

/// <summary>
/// <c>hfctl persist restore &lt;remote&gt; &lt;local&gt;</c>: verified download, then an atomic rename.
/// With <c>--if-local-missing --if-remote-exists</c> it is safe as the first line of a start command.
/// </summary>
internal static class RestoreCommand
{
    private static readonly Argument<string> Remote = new("remote") { Description = "The path in the dataset or bucket, e.g. db/data.sqlite" };
    private static readonly Argument<string> Local = new("local") { Description = "The local file to create" };
    private static readonly Option<string?> Revision = new("--revision", "-r") { Description = "Dataset: a commit (see 'persist history'), branch or tag; default the latest" };
    private static readonly Option<string?> Version = new("--version") { Description = "A version listed by 'persist history' (a bucket's version id, or a dataset's commit); default the current one" };
    private static readonly Option<bool> IfRemoteExists = new("--if-remote-exists") { Description = "Succeed without doing anything when the dataset or path does not exist yet" };
    private static readonly Option<bool> IfLocalMissing = new("--if-local-missing") { Description = "Succeed without doing anything when the local file exists" };
    private static readonly Option<bool> Force = new("--force") { Description = "Replace an existing local file" };
    private static readonly Option<bool> Folder = new("--folder") { Description = "Restore a folder saved with 'persist save --folder' (changed files only)" };

    public static Command Create(App app)
    {
        var command = new Command("restore", "Restore a file from the dataset or bucket (SHA-256 and SQLite integrity verified before it replaces anything)")
        {
            Remote, Local, Revision, Version, IfRemoteExists, IfLocalMissing, Force, Folder,
        };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var remote = PersistCommands.RemotePath(context.ParseResult.GetValue(Remote)!);
        var local = context.ParseResult.GetValue(Local)!;
        var revision = context.ParseResult.GetValue(Revision);
        var version = context.ParseResult.GetValue(Version);
        if (revision is not null && version is not null)
        {
            throw new UsageException("--revision and --version are mutually exclusive: pass one");
        }
        if (PersistCommands.IsBucket(context))
        {
            if (revision is not null)
            {
                throw new UsageException("a bucket has no branches or commits: pass --version ID (see 'persist history')");
            }
            if (context.ParseResult.GetValue(Folder))
            {
                throw new UsageException("--folder restores from a dataset only; with --bucket, restore the files one by one");
            }
        }
        if (version is { Length: 0 })
        {
            throw new UsageException("--version needs a version id (see 'persist history')");
        }
        using var manager = await PersistCommands.ConnectAsync(context, cancellationToken).ConfigureAwait(false);
        var options = new RestoreOptions
        {
            Revision = version ?? revision,
            IfRemoteExists = context.ParseResult.GetValue(IfRemoteExists),
            IfLocalMissing = context.ParseResult.GetValue(IfLocalMissing),
            Overwrite = context.ParseResult.GetValue(Force),
        };
        if (context.ParseResult.GetValue(Folder))
        {
            var folder = await LocalMustBeFreeAsync(() => manager.RestoreFolderAsync(remote, local, options, cancellationToken), "--force to restore into it").ConfigureAwait(false);
            if (context.Output.Json)
            {
                context.Output.WriteJson(folder, PersistCliJsonContext.Default.FolderRestoreResult);
                return ExitCodes.Ok;
            }
            context.Output.Success(folder.Outcome switch
            {
                RestoreOutcome.Restored => $"restored folder {manager.Dataset}:{folder.Path}/ at {PersistCommands.Short(folder.Version)} to {local} ({folder.FilesRestored} restored, {folder.FilesUnchanged} unchanged, sha256 verified)",
                RestoreOutcome.SkippedLocalExists => $"skipped: {local} exists and is not empty; nothing restored",
                _ => $"skipped: folder {folder.Path} was never saved to {manager.Dataset}; nothing restored",
            });
            return ExitCodes.Ok;
        }
        var result = await LocalMustBeFreeAsync(() => manager.RestoreAsync(remote, local, options, cancellationToken), "--force to replace it").ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(result, PersistCliJsonContext.Default.RestoreResult);
            return ExitCodes.Ok;
        }
        context.Output.Success(result.Outcome switch
        {
            RestoreOutcome.Restored => $"restored {manager.Target}:{result.Path} at {PersistCommands.VersionName(manager, result.Version)} to {local} ({PersistCommands.Size(result.Size)}, sha256 verified)",
            RestoreOutcome.SkippedLocalExists => $"skipped: {local} exists; nothing restored",
            _ => $"skipped: {result.Path} does not exist in {manager.Target} yet; nothing restored",
        });
        return ExitCodes.Ok;
    }

    /// <summary>An existing local file (or non-empty folder) is a conflict (exit 7) whose message names the two flags that resolve it.</summary>
    private static async Task<T> LocalMustBeFreeAsync<T>(Func<Task<T>> restore, string force)
    {
        try
        {
            return await restore().ConfigureAwait(false);
        }
        catch (PersistenceLocalExistsException e)
        {
            var what = Directory.Exists(e.LocalPath) ? $"local folder '{e.LocalPath}' is not empty" : $"local file '{e.LocalPath}' exists";
            throw new CommandFailedException($"{what}; nothing restored: pass {force}, or --if-local-missing to keep it", ExitCodes.Conflict);
        }
    }
}
