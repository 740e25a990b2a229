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
    private static readonly Argument<string> Source = new("source") { Description = "A local file, - for stdin, hf://buckets/ns/b/path, or a repo file or folder (hf://datasets/ns/d/path, hf://ns/model/path)" };
    private static readonly Argument<string> Destination = new("destination") { Description = "hf://buckets/ns/b/path (ending in '/' for a folder), a local path, or - for stdout" };
    private static readonly Option<bool> Yes = new("--yes", "-y") { Description = "Delete without asking" };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Show what would be deleted, change nothing" };

    public static IEnumerable<Command> Create(App app)
    {
        var ls = new Command("ls", "List the files and folders of a bucket") { Location, Recursive };
        ls.SetAction(app.Handler(ListAsync));
        var cp = new Command("cp", "Copy a file: local or stdin to bucket, bucket to local or stdout, or repo/bucket to bucket on the server (no bytes move)") { Source, Destination };
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
        if (sourceText == StdStream)
        {
            return await UploadStdinAsync(context, destinationText, cancellationToken).ConfigureAwait(false);
        }
        if (destinationText == StdStream)
        {
            return await DownloadToStdoutAsync(context, sourceText, cancellationToken).ConfigureAwait(false);
        }
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

    /// <summary>"-" as a source is stdin, as a destination stdout (as <c>hf buckets cp</c> takes them).</summary>
    private const string StdStream = "-";

    /// <summary>
    /// <c>cp - hf://buckets/ns/b/path</c>: stdin to one bucket file. Xet hashes the content before it
    /// uploads and the batch needs its size, so stdin is spooled to a private temporary file (never held in
    /// memory), which is removed afterwards whatever happens. The file's mtime is now, as Python's for bytes.
    /// </summary>
    private static async Task<int> UploadStdinAsync(CommandContext context, string destinationText, CancellationToken cancellationToken)
    {
        if (!BucketPath.IsRemote(destinationText))
        {
            throw new UsageException("reading stdin ('-') needs an hf://buckets/… destination");
        }
        var destination = BucketPath.Parse(destinationText, requireBucket: false);
        if (!destination.IsBucket)
        {
            throw new UsageException("copying into a repo is not supported: the destination must be hf://buckets/… (use hfctl upload for repos)");
        }
        if (destination.IsFolder)
        {
            throw new UsageException($"reading stdin needs a destination with a file name, not the folder '{destination}'");
        }
        var open = context.Console.OpenBinaryInput ?? throw new UsageException("stdin cannot be read as bytes here: give a file instead of '-'");
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var spool = SpoolPath();
        try
        {
            long size;
            await using (var input = open())
            await using (var file = new FileStream(spool, PrivateFile(FileMode.CreateNew, FileAccess.Write)))
            {
                await input.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                size = file.Length;
            }
            await BatchReport.RunAsync(context, client, destination.Bucket, "stdin", destination.ToString(),
                [new BucketAddFile(destination.Path, ContentSource.FromFile(spool), Mtime: DateTimeOffset.UtcNow)],
                [new BucketActionView("upload", destination.Path, size)], dryRun: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(spool);
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// <c>cp hf://buckets/ns/b/path -</c>: one bucket file to stdout. It is downloaded to a private temporary
    /// file and verified (Xet hash, size) first, so stdout gets the whole, checked file or nothing; stdout
    /// carries only the bytes (no result line, whatever the format); progress bars go to stderr on a
    /// terminal, and agent mode prints nothing else at all.
    /// </summary>
    private static async Task<int> DownloadToStdoutAsync(CommandContext context, string sourceText, CancellationToken cancellationToken)
    {
        if (!BucketPath.IsRemote(sourceText))
        {
            throw new UsageException("writing to stdout ('-') needs an hf://buckets/… source");
        }
        var source = BucketPath.Parse(sourceText, requireBucket: false);
        if (!source.IsBucket)
        {
            throw new UsageException("to download from a repo use hfctl download; buckets cp downloads from hf://buckets/…");
        }
        if (source.IsFolder)
        {
            throw new UsageException($"'{source}' is a folder: only one file can go to stdout (use hfctl buckets sync for folders)");
        }
        var open = context.Console.OpenBinaryOutput ?? throw new UsageException("stdout cannot take a file's bytes here: give a local path instead of '-'");
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var spool = SpoolPath();
        try
        {
            if (context.Output.Settings.Agent)
            {
                await client.Buckets.DownloadFileAsync(source.Bucket, source.Path, spool, null, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await TransferProgressView.RunAsync(context, progress => client.Buckets.DownloadFileAsync(source.Bucket, source.Path, spool, progress, cancellationToken)).ConfigureAwait(false);
            }
            await context.Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            await using var file = new FileStream(spool, PrivateFile(FileMode.Open, FileAccess.Read));
            await using var output = open();
            await file.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(spool);
        }
        return ExitCodes.Ok;
    }

    private static string SpoolPath() => Path.Combine(Path.GetTempPath(), $"hfctl-cp-{Guid.NewGuid():N}");

    /// <summary>Temporary files readable by the user only: what passes through stdin or stdout may be private.</summary>
    private static FileStreamOptions PrivateFile(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Options = FileOptions.Asynchronous | FileOptions.SequentialScan, BufferSize = 1 << 16 };
        if (mode != FileMode.Open && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return options;
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
