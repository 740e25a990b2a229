using System.CommandLine;
using System.Text.Json.Serialization;
using HfCtl.Cli;
using HfHub.Persistence;

namespace HfCtl.Commands.Persist;

/// <summary><c>hfctl persist</c>: keep local files (SQLite included) in a private dataset.</summary>
internal static class PersistCommands
{
    public static readonly Option<string?> Dataset = new("--dataset", "-d")
    {
        Description = "The private dataset that holds the data, namespace/name (default: HF_PERSIST_DATASET)",
        Recursive = true,
    };

    public static Command Create(App app)
    {
        var persist = new Command("persist", "Save local files and SQLite databases to a private dataset and restore them (for Spaces that lose their disk)")
        {
            Dataset,
        };
        persist.Subcommands.Add(SaveCommand.Create(app));
        persist.Subcommands.Add(RestoreCommand.Create(app));
        persist.Subcommands.Add(HistoryCommand.Create(app));
        persist.Subcommands.Add(WatchCommand.Create(app));
        persist.Subcommands.Add(RunCommand.Create(app));
        return persist;
    }

    /// <summary>Builds the manager for this invocation from <c>--dataset</c>/<c>HF_PERSIST_DATASET</c> and the global options.</summary>
    public static async Task<PersistenceManager> ConnectAsync(CommandContext context, CancellationToken cancellationToken, Action<PersistenceOptions>? configure = null)
    {
        var dataset = context.ParseResult.GetValue(Dataset) ?? context.Environment.Get("HF_PERSIST_DATASET")
            ?? throw new UsageException("no dataset: pass --dataset namespace/name or set HF_PERSIST_DATASET");
        try
        {
            PersistenceManager.ParseDataset(dataset);
        }
        catch (PersistenceException e)
        {
            throw new UsageException(e.Message);
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        // Which version each local file descends from is kept beside the file (the library's default), so the
        // writer is the local file: a restore at boot and a later watch or run agree, and two files are two writers.
        var options = new PersistenceOptions { Client = client };
        configure?.Invoke(options);
        return new PersistenceManager(dataset, options);
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

    public static string Describe(string dataset, SaveResult result) => result.SkippedUnchanged
        ? $"unchanged: {dataset}:{result.Path} already holds this content ({Size(result.Size)}, commit {Short(result.CommitId)}); no commit made"
        : $"saved {dataset}:{result.Path} ({Size(result.Size)}, {(result.Kind == SnapshotKind.Sqlite ? "SQLite snapshot" : "file")}) in commit {Short(result.CommitId)}{(result.Squashed ? "; history squashed" : "")}";
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
