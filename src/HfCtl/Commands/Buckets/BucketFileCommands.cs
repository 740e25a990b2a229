using System.CommandLine;
using System.Globalization;
using HfCtl.Cli;
using HfCtl.Commands.Upload;
using HfHub;
using HfHub.Buckets;
using HfHub.Files;
using HfHub.Repos;

namespace HfCtl.Commands.Buckets;

/// <summary>
/// A bucket's files: <c>buckets ls hf://buckets/ns/b[/prefix] [-R]</c>,
/// <c>buckets cp SRC DST</c> (local → bucket, bucket → local, repo or bucket → bucket on the server)
/// and <c>buckets rm hf://buckets/ns/b/path [-R] [-y]</c>.
/// </summary>
internal static class BucketFileCommands
{
    private static readonly Argument<string> Location = new("location") { Description = "hf://buckets/namespace/name[/prefix]" };
    private static readonly Option<bool> Recursive = new("--recursive", "-R") { Description = "Every file under the prefix, not only its first level" };
    private static readonly Argument<string> Source = new("source") { Description = "A local file, hf://buckets/ns/b/path, or a repo file or folder (hf://datasets/ns/d/path, hf://ns/model/path)" };
    private static readonly Argument<string> Destination = new("destination") { Description = "hf://buckets/ns/b/path (ending in '/' for a folder), or a local path" };
    private static readonly Option<bool> Yes = new("--yes", "-y") { Description = "Delete without asking" };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Show what would be deleted, change nothing" };

    public static IEnumerable<Command> Create(App app)
    {
        var ls = new Command("ls", "List the files and folders of a bucket") { Location, Recursive };
        ls.SetAction(app.Handler(ListAsync));
        var cp = new Command("cp", "Copy a file: local to bucket, bucket to local, or repo/bucket to bucket on the server (no bytes move)") { Source, Destination };
        cp.SetAction(app.Handler(CopyAsync));
        var rm = new Command("rm", "Delete files from a bucket, at once and for good") { Location, Recursive, Yes, DryRun };
        rm.SetAction(app.Handler(RemoveAsync));
        return [ls, cp, rm];
    }

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var location = BucketPath.Parse(context.ParseResult.GetValue(Location)!);
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var everything = context.Output.Settings.All || context.Output.Json;
        var items = new List<BucketEntryView>();
        await foreach (var entry in client.Buckets.ListTreeAsync(location.Bucket, location.Path, context.ParseResult.GetValue(Recursive), cancellationToken).ConfigureAwait(false))
        {
            items.Add(new BucketEntryView(entry.Path, entry.Type.Value, entry.Size, entry.XetHash, entry.Mtime));
            if (!everything && items.Count > OutputSettings.MaxHumanLines)
            {
                break;
            }
        }
        context.Output.WriteList(items, [
            new Column<BucketEntryView>("path", e => e.Type == "directory" ? e.Path + "/" : e.Path),
            new Column<BucketEntryView>("size", e => e.Type == "directory" ? "-" : BucketsCommands.Bytes(e.Size)),
            new Column<BucketEntryView>("modified", e => e.Mtime?.ToString("u", CultureInfo.InvariantCulture) ?? "-"),
        ], BucketsCliJsonContext.Default.ListBucketEntryView, "entries", moreAtSource: !everything && items.Count > OutputSettings.MaxHumanLines);
        return ExitCodes.Ok;
    }

    private static async Task<int> CopyAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var sourceText = context.ParseResult.GetValue(Source)!;
        var destinationText = context.ParseResult.GetValue(Destination)!;
        var remoteSource = BucketPath.IsRemote(sourceText);
        var remoteDestination = BucketPath.IsRemote(destinationText);
        if (!remoteSource && !remoteDestination)
        {
            throw new UsageException("one of source and destination must be an hf:// location (use cp for two local paths)");
        }
        var source = remoteSource ? BucketPath.Parse(sourceText, requireBucket: false) : null;
        var destination = remoteDestination ? BucketPath.Parse(destinationText, requireBucket: false) : null;
        if (destination is { IsBucket: false })
        {
            throw new UsageException("copying into a repo is not supported: the destination must be hf://buckets/… (use hfctl upload for repos)");
        }
        if (source is null)
        {
            return await UploadAsync(context, sourceText, destination!, cancellationToken).ConfigureAwait(false);
        }
        if (destination is null)
        {
            return await DownloadAsync(context, source, destinationText, cancellationToken).ConfigureAwait(false);
        }
        return await ServerCopyAsync(context, source, destination, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> UploadAsync(CommandContext context, string local, BucketPath destination, CancellationToken cancellationToken)
    {
        if (Directory.Exists(local))
        {
            throw new UsageException($"'{local}' is a folder: use hfctl buckets sync to copy folders");
        }
        if (!File.Exists(local))
        {
            throw new CommandFailedException($"no such file: {local}", ExitCodes.NotFound);
        }
        var path = destination.IsFolder ? destination.Under(Path.GetFileName(local)) : destination.Path;
        if (BucketPaths.Problem(path) is { } problem)
        {
            throw new UsageException($"invalid destination path '{path}': {problem}");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var size = new FileInfo(local).Length;
        await BatchReport.RunAsync(context, client, destination.Bucket, local, destination.ToString(), [new BucketAddFile(path, ContentSource.FromFile(local))],
            [new BucketActionView("upload", path, size)], dryRun: false, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task<int> DownloadAsync(CommandContext context, BucketPath source, string local, CancellationToken cancellationToken)
    {
        if (!source.IsBucket)
        {
            throw new UsageException("to download from a repo use hfctl download; buckets cp downloads from hf://buckets/…");
        }
        if (source.IsFolder)
        {
            throw new UsageException($"'{source}' is a folder: use hfctl buckets sync to download folders");
        }
        var target = Directory.Exists(local) || local.EndsWith('/') || local.EndsWith(Path.DirectorySeparatorChar)
            ? Path.Combine(local, Path.GetFileName(source.Path))
            : local;
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var meta = await TransferProgressView.RunAsync(context, progress => client.Buckets.DownloadFileAsync(source.Bucket, source.Path, target, progress, cancellationToken)).ConfigureAwait(false);
        BatchReport.Write(context, source.ToString(), target, [new BucketActionView("download", source.Path, meta.Size)], [], dryRun: false);
        return ExitCodes.Ok;
    }

    /// <summary>A copy on the server by Xet hash: one file, or every file under a folder (into the destination folder).</summary>
    private static async Task<int> ServerCopyAsync(CommandContext context, BucketPath source, BucketPath destination, CancellationToken cancellationToken)
    {
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var files = await SourceFilesAsync(client, source, cancellationToken).ConfigureAwait(false);
        var single = files.Count == 1 && files[0].Path == source.Path && !source.IsFolder;
        var copySource = source.IsBucket ? BucketCopySource.FromBucket(source.Bucket) : BucketCopySource.FromRepo(RepoId.Parse(source.Id), RepoTypeOf(source.Kind));
        var ops = new List<BucketOperation>();
        var actions = new List<BucketActionView>();
        foreach (var (path, size, hash) in files)
        {
            var relative = single ? Path.GetFileName(path) : source.Path.Length == 0 ? path : path[(source.Path.Length + 1)..];
            var target = single && !destination.IsFolder ? destination.Path : destination.Under(relative);
            if (hash is null)
            {
                throw new CommandFailedException($"{source.Kind} file {path} is not stored in Xet, so it cannot be copied on the server: download it and upload it instead", ExitCodes.Error);
            }
            ops.Add(new BucketCopyFile(BucketPaths.Problem(target) is null ? target : throw new UsageException($"invalid destination path '{target}': {BucketPaths.Problem(target)}"), hash, copySource));
            actions.Add(new BucketActionView("copy", target, size));
        }
        await BatchReport.RunAsync(context, client, destination.Bucket, source.ToString(), destination.ToString(), ops, actions, dryRun: false, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static RepoType RepoTypeOf(string kind) => kind switch
    {
        "dataset" => RepoType.Dataset,
        "space" => RepoType.Space,
        _ => RepoType.Model,
    };

    /// <summary>The file the source names, or every file under it when it is a folder (not found: exit 5).</summary>
    private static async Task<List<(string Path, long Size, string? XetHash)>> SourceFilesAsync(HubClient client, BucketPath source, CancellationToken cancellationToken)
    {
        var files = new List<(string, long, string?)>();
        if (source.IsBucket)
        {
            if (!source.IsFolder && (await client.Buckets.GetPathsInfoAsync(source.Bucket, [source.Path], cancellationToken).ConfigureAwait(false)) is [var file, ..])
            {
                return [(file.Path, file.Size, file.XetHash)];
            }
            await foreach (var entry in client.Buckets.ListTreeAsync(source.Bucket, source.Path, recursive: true, cancellationToken).ConfigureAwait(false))
            {
                if (entry.IsFile)
                {
                    files.Add((entry.Path, entry.Size, entry.XetHash));
                }
            }
        }
        else
        {
            var repo = RepoId.Parse(source.Id);
            var type = RepoTypeOf(source.Kind);
            if (!source.IsFolder && (await client.Files.GetPathsInfoAsync(repo, [source.Path], type, cancellationToken: cancellationToken).ConfigureAwait(false)) is [{ Type: "file" } file, ..])
            {
                return [(file.Path, file.Size, file.XetHash)];
            }
            await foreach (var entry in client.Files.ListTreeAsync(repo, type, path: source.Path.Length == 0 ? null : source.Path, recursive: true, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (entry.Type == "file" && entry.Path != ".gitattributes")
                {
                    files.Add((entry.Path, entry.Size, entry.XetHash));
                }
            }
        }
        return files.Count > 0 ? files : throw new CommandFailedException($"nothing at {source}", ExitCodes.NotFound);
    }

    private static async Task<int> RemoveAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var location = BucketPath.Parse(context.ParseResult.GetValue(Location)!);
        var recursive = context.ParseResult.GetValue(Recursive);
        var yes = context.ParseResult.GetValue(Yes);
        var dryRun = context.ParseResult.GetValue(DryRun);
        if (location.Path.Length == 0 && !recursive)
        {
            throw new UsageException($"'{location}' is the whole bucket: pass -R to delete every file in it (or hfctl buckets delete)");
        }
        if (!dryRun)
        {
            Confirmation.RefuseUnanswerable(context, yes, $"delete {(recursive ? "everything under " : "")}{location}");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var files = new List<BucketEntry>();
        if (recursive)
        {
            await foreach (var entry in client.Buckets.ListTreeAsync(location.Bucket, location.Path, recursive: true, cancellationToken).ConfigureAwait(false))
            {
                if (entry.IsFile)
                {
                    files.Add(entry);
                }
            }
        }
        else
        {
            files.AddRange(await client.Buckets.GetPathsInfoAsync(location.Bucket, [location.Path], cancellationToken).ConfigureAwait(false));
        }
        if (files.Count == 0)
        {
            throw new CommandFailedException($"no file at {location}{(recursive ? "" : " (pass -R for a folder)")}", ExitCodes.NotFound);
        }
        var actions = files.Select(f => new BucketActionView("delete", f.Path, f.Size)).ToList();
        if (!dryRun)
        {
            await Confirmation.RequireAsync(context, yes, $"delete {location}", $"Delete {files.Count} file(s) from {location}? This cannot be undone.", cancellationToken).ConfigureAwait(false);
        }
        await BatchReport.RunAsync(context, client, location.Bucket, location.ToString(), location.ToString(), [.. files.Select(f => new BucketDeleteFile(f.Path))], actions, dryRun, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
