using System.CommandLine;
using HfCtl.Cli;
using HfCtl.Commands.Upload;
using HfHub;
using HfHub.Buckets;
using HfHub.Files;

namespace HfCtl.Commands.Buckets;

/// <summary>
/// <c>hfctl buckets sync LOCAL_DIR hf://buckets/ns/b[/prefix]</c> and back: copies the files that are
/// missing or differ (size, or modification time to the millisecond: uploads record the local mtime,
/// downloads restore it), and with <c>--delete</c> removes what the source does not have. Symbolic
/// links are not followed (one could point outside the folder). <c>--dry-run</c> shows the plan.
/// </summary>
internal static class BucketSyncCommand
{
    private static readonly Argument<string> Source = new("source") { Description = "A local folder or hf://buckets/ns/b[/prefix]" };
    private static readonly Argument<string> Destination = new("destination") { Description = "hf://buckets/ns/b[/prefix] or a local folder" };
    private static readonly Option<bool> Delete = new("--delete") { Description = "Also delete files the source does not have" };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Show what would be done, change nothing" };
    private static readonly Option<bool> Yes = new("--yes", "-y") { Description = "With --delete: delete without asking" };

    public static Command Create(App app)
    {
        var command = new Command("sync", "Make a bucket prefix match a local folder, or a local folder match a bucket prefix") { Source, Destination, Delete, DryRun, Yes };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private sealed record LocalFile(string Relative, string FullPath, long Size, long MtimeMs);

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var sourceText = context.ParseResult.GetValue(Source)!;
        var destinationText = context.ParseResult.GetValue(Destination)!;
        var (up, localText, remoteText) = (BucketPath.IsRemote(sourceText), BucketPath.IsRemote(destinationText)) switch
        {
            (false, true) => (true, sourceText, destinationText),
            (true, false) => (false, destinationText, sourceText),
            _ => throw new UsageException("sync needs one local folder and one hf://buckets/… location"),
        };
        var remote = BucketPath.Parse(remoteText);
        if (localText.Length == 0)
        {
            throw new UsageException("a file or folder path cannot be empty");
        }
        var root = Path.GetFullPath(localText);
        if (up && !Directory.Exists(root))
        {
            throw new CommandFailedException($"no such folder: {localText}", ExitCodes.NotFound);
        }
        if (File.Exists(root))
        {
            throw new UsageException($"'{localText}' is a file: sync copies folders (use hfctl buckets cp for a file)");
        }
        var delete = context.ParseResult.GetValue(Delete);
        var dryRun = context.ParseResult.GetValue(DryRun);
        var yes = context.ParseResult.GetValue(Yes);
        if (delete && !dryRun)
        {
            Confirmation.RefuseUnanswerable(context, yes, $"sync with --delete into {(up ? remote.ToString() : localText)}");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var remoteFiles = new Dictionary<string, BucketEntry>(StringComparer.Ordinal);
        await foreach (var entry in client.Buckets.ListTreeAsync(remote.Bucket, remote.Path, recursive: true, cancellationToken).ConfigureAwait(false))
        {
            if (entry.IsFile)
            {
                remoteFiles[remote.Path.Length == 0 ? entry.Path : entry.Path[(remote.Path.Length + 1)..]] = entry;
            }
        }
        var localFiles = Directory.Exists(root) ? LocalFiles(root) : [];
        return up
            ? await UpAsync(context, client, remote, localText, localFiles, remoteFiles, delete, dryRun, yes, cancellationToken).ConfigureAwait(false)
            : await DownAsync(context, client, remote, root, localText, localFiles, remoteFiles, delete, dryRun, yes, cancellationToken).ConfigureAwait(false);
    }

    private static Dictionary<string, LocalFile> LocalFiles(string root)
    {
        var files = new Dictionary<string, LocalFile>(StringComparer.Ordinal);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false };
        foreach (var path in Directory.EnumerateFiles(root, "*", options))
        {
            if (path.EndsWith(".incomplete", StringComparison.Ordinal))
            {
                continue; // a download of ours that did not finish
            }
            var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            var info = new FileInfo(path);
            files[relative] = new LocalFile(relative, path, info.Length, new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeMilliseconds());
        }
        return files;
    }

    private static bool Same(LocalFile local, BucketEntry remote) =>
        local.Size == remote.Size && remote.Mtime is { } mtime && mtime.ToUnixTimeMilliseconds() == local.MtimeMs;

    private static async Task<int> UpAsync(CommandContext context, HubClient client, BucketPath remote, string localText, Dictionary<string, LocalFile> local,
        Dictionary<string, BucketEntry> remoteFiles, bool delete, bool dryRun, bool yes, CancellationToken cancellationToken)
    {
        var ops = new List<BucketOperation>();
        var actions = new List<BucketActionView>();
        foreach (var file in local.Values.OrderBy(f => f.Relative, StringComparer.Ordinal))
        {
            if (remoteFiles.TryGetValue(file.Relative, out var there) && Same(file, there))
            {
                continue;
            }
            var path = remote.Under(file.Relative);
            if (BucketPaths.Problem(path) is { } problem)
            {
                throw new UsageException($"'{file.FullPath}' cannot go to a bucket: {problem}");
            }
            ops.Add(new BucketAddFile(path, ContentSource.FromFile(file.FullPath), DateTimeOffset.FromUnixTimeMilliseconds(file.MtimeMs)));
            actions.Add(new BucketActionView("upload", path, file.Size));
        }
        if (delete)
        {
            foreach (var (relative, entry) in remoteFiles.OrderBy(r => r.Key, StringComparer.Ordinal).Where(r => !local.ContainsKey(r.Key)))
            {
                ops.Add(new BucketDeleteFile(entry.Path));
                actions.Add(new BucketActionView("delete", entry.Path, entry.Size));
            }
        }
        if (!dryRun && actions.Any(a => a.Action == "delete"))
        {
            await Confirmation.RequireAsync(context, yes, $"delete files from {remote}", $"Delete {actions.Count(a => a.Action == "delete")} file(s) from {remote} that {localText} does not have?", cancellationToken).ConfigureAwait(false);
        }
        await BatchReport.RunAsync(context, client, remote.Bucket, localText, remote.ToString(), ops, actions, dryRun, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task<int> DownAsync(CommandContext context, HubClient client, BucketPath remote, string root, string localText, Dictionary<string, LocalFile> local,
        Dictionary<string, BucketEntry> remoteFiles, bool delete, bool dryRun, bool yes, CancellationToken cancellationToken)
    {
        var actions = new List<BucketActionView>();
        var downloads = new List<(BucketEntry Entry, string Target)>();
        foreach (var (relative, entry) in remoteFiles.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var target = Path.GetFullPath(Path.Combine(root, relative));
            if (!target.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new CommandFailedException($"refusing to write {entry.Path} outside {localText}", ExitCodes.Error);
            }
            if (local.TryGetValue(relative, out var there) && Same(there, entry))
            {
                continue;
            }
            downloads.Add((entry, target));
            actions.Add(new BucketActionView("download", entry.Path, entry.Size));
        }
        var removals = delete ? local.Values.Where(f => !remoteFiles.ContainsKey(f.Relative)).OrderBy(f => f.Relative, StringComparer.Ordinal).ToList() : [];
        actions.AddRange(removals.Select(f => new BucketActionView("delete", f.FullPath, f.Size)));
        if (dryRun)
        {
            BatchReport.Write(context, remote.ToString(), localText, actions, [], dryRun: true);
            return ExitCodes.Ok;
        }
        if (removals.Count > 0)
        {
            await Confirmation.RequireAsync(context, yes, $"delete files from {localText}", $"Delete {removals.Count} local file(s) that {remote} does not have?", cancellationToken).ConfigureAwait(false);
        }
        // Several at a time, from the tree's hashes and sizes; each gets the tree's mtime (milliseconds,
        // not resolve's Last-Modified in seconds): what the next sync compares.
        await TransferProgressView.RunAsync(context, async progress =>
        {
            await client.Buckets.DownloadFilesAsync(remote.Bucket, downloads, progress, cancellationToken).ConfigureAwait(false);
            return downloads.Count;
        }).ConfigureAwait(false);
        foreach (var file in removals)
        {
            File.Delete(file.FullPath);
        }
        BatchReport.Write(context, remote.ToString(), localText, actions, [], dryRun: false);
        return ExitCodes.Ok;
    }
}
