using System.CommandLine;
using System.Text.Json.Serialization;
using HfCtl.Cli;
using HfHub.Persistence;

namespace HfCtl.Commands.Persist;

/// <summary><c>hfctl persist</c>: keep local files (SQLite included) in a private dataset or bucket.</summary>
internal static class PersistCommands
{
    public static readonly Option<string?> Dataset = new("--dataset", "-d")
    {
        Description = "The private dataset that holds the data, namespace/name (default: HF_PERSIST_DATASET)",
        Recursive = true,
    };

    public static readonly Option<string?> Bucket = new("--bucket", "-b")
    {
        Description = "Or a private bucket: namespace/name[/prefix] or hf://buckets/namespace/name[/prefix] (default: HF_PERSIST_BUCKET); keeps --keep versions (default 5)",
        Recursive = true,
    };

    public static Command Create(App app)
    {
        var persist = new Command("persist", "Save local files and SQLite databases to a private dataset or bucket and restore them (for Spaces that lose their disk)")
        {
            Dataset,
            Bucket,
        };
        persist.Subcommands.Add(SaveCommand.Create(app));
        persist.Subcommands.Add(RestoreCommand.Create(app));
        persist.Subcommands.Add(HistoryCommand.Create(app));
        persist.Subcommands.Add(WatchCommand.Create(app));
        persist.Subcommands.Add(RunCommand.Create(app));
        return persist;
    }

    /// <summary>
    /// The target of this invocation: <c>--dataset</c> or <c>--bucket</c> (never both), else
    /// <c>HF_PERSIST_DATASET</c> or <c>HF_PERSIST_BUCKET</c> (never both). A bucket comes back as its
    /// <c>hf://buckets/…</c> URI, which is how <see cref="PersistenceManager"/> tells the two apart.
    /// </summary>
    public static string Target(CommandContext context)
    {
        var dataset = context.ParseResult.GetValue(Dataset);
        var bucket = context.ParseResult.GetValue(Bucket);
        if (dataset is not null && bucket is not null)
        {
            throw new UsageException("--dataset and --bucket are mutually exclusive: pass one");
        }
        if (dataset is null && bucket is null)
        {
            dataset = context.Environment.Get("HF_PERSIST_DATASET") is { Length: > 0 } d ? d : null;
            bucket = context.Environment.Get("HF_PERSIST_BUCKET") is { Length: > 0 } b ? b : null;
            if (dataset is not null && bucket is not null)
            {
                throw new UsageException("both HF_PERSIST_DATASET and HF_PERSIST_BUCKET are set: unset one, or pass --dataset or --bucket");
            }
            if (dataset is null && bucket is null)
            {
                throw new UsageException("no dataset or bucket: pass --dataset namespace/name or --bucket namespace/name (or set HF_PERSIST_DATASET or HF_PERSIST_BUCKET)");
            }
        }
        try
        {
            if (bucket is not null)
            {
                return PersistenceManager.ParseBucket(bucket).ToString();
            }
            if (dataset!.StartsWith(HfHub.HfUri.Scheme, StringComparison.Ordinal))
            {
                throw new UsageException($"--dataset takes namespace/name, not a URI ('{dataset}'); a bucket goes with --bucket");
            }
            PersistenceManager.ParseDataset(dataset);
            return dataset;
        }
        catch (PersistenceException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>True when this invocation saves to a bucket (checked before connecting, for flags only datasets have).</summary>
    public static bool IsBucket(CommandContext context) => Target(context).StartsWith(HfHub.HfUri.Scheme, StringComparison.Ordinal);

    /// <summary>Builds the manager for this invocation from <c>--dataset</c>/<c>--bucket</c> (or the environment) and the global options.</summary>
    public static async Task<PersistenceManager> ConnectAsync(CommandContext context, CancellationToken cancellationToken, Action<PersistenceOptions>? configure = null)
    {
        var target = Target(context);
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        // Which version each local file descends from is kept beside the file (the library's default), so the
        // writer is the local file: a restore at boot and a later watch or run agree, and two files are two writers.
        var options = new PersistenceOptions { Client = client };
        configure?.Invoke(options);
        return new PersistenceManager(target, options);
    }

    /// <summary>Validates a path in the dataset up front, as a usage error.</summary>
    public static string RemotePath(string path)
    {
        // Absolute paths are refused (the library would drop the '/'): most likely a local path in the wrong place.
        if (path.StartsWith('/') || path.StartsWith('\\'))
        {
            throw new UsageException($"invalid remote path '{path}': it is absolute; paths in the dataset are relative, e.g. '{path.TrimStart('/', '\\')}'");
        }
        try
        {
            return PersistPath.Normalize(path);
        }
        catch (PersistenceException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// The path in the dataset for a local file: a remote ending in '/' is a folder to save into, as
    /// with <c>cp f.txt dir/</c> (the local file's name is added); any other remote is the file's own path.
    /// </summary>
    public static string RemoteFor(string local, string remote)
    {
        if (remote.Length > 0 && !remote.StartsWith('/') && !remote.StartsWith('\\') && (remote.EndsWith('/') || remote.EndsWith('\\')))
        {
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(local));
            return RemotePath(remote.TrimEnd('/', '\\') is { Length: > 0 } folder ? $"{folder}/{name}" : name);
        }
        return RemotePath(remote);
    }

    /// <summary>Says so when a local file is a symbolic link: what is saved is the file it points to, wherever that is.</summary>
    public static void NoteLink(CommandContext context, string local)
    {
        var info = new FileInfo(local);
        if (info.LinkTarget is null)
        {
            return;
        }
        string target;
        try
        {
            target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.LinkTarget;
        }
        catch (IOException)
        {
            target = info.LinkTarget;
        }
        context.Console.Err.WriteLine($"note: {local} is a symbolic link; saving the file it points to, {target}");
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB",
    };

    public static string Short(string? id) => id is null ? "-" : id.Length > 12 ? id[..12] : id;

    public static string Describe(PersistenceManager manager, SaveResult result) => manager.IsBucket
        ? result.SkippedUnchanged
            ? $"unchanged: {manager.Target}:{result.Path} already holds this content ({Size(result.Size)}, version {result.CommitId}); no new version"
            : $"saved {manager.Target}:{result.Path} ({Size(result.Size)}, {(result.Kind == SnapshotKind.Sqlite ? "SQLite snapshot" : "file")}) as version {result.CommitId}"
        : result.SkippedUnchanged
            ? $"unchanged: {manager.Target}:{result.Path} already holds this content ({Size(result.Size)}, commit {Short(result.CommitId)}); no commit made"
            : $"saved {manager.Target}:{result.Path} ({Size(result.Size)}, {(result.Kind == SnapshotKind.Sqlite ? "SQLite snapshot" : "file")}) in commit {Short(result.CommitId)}{(result.Squashed ? "; history squashed" : "")}";

    /// <summary>How a restored version is named: a short commit id, or a bucket's whole version id (it is short already).</summary>
    public static string VersionName(PersistenceManager manager, string? version) => manager.IsBucket ? $"version {version}" : Short(version);

    /// <summary>What <c>--keep</c> means, the same words on every command.</summary>
    public const string KeepDescription = "Dataset: squash its history when it holds more than N commits. Bucket: keep the N newest versions of each file (default 5)";
}

/// <summary>Source-generated JSON for what the persist commands print.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(SaveResult))]
[JsonSerializable(typeof(RestoreResult))]
[JsonSerializable(typeof(FolderSaveResult))]
[JsonSerializable(typeof(FolderRestoreResult))]
[JsonSerializable(typeof(List<PersistVersion>))]
internal sealed partial class PersistCliJsonContext : JsonSerializerContext;
