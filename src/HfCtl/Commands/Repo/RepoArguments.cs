using System.CommandLine;
using HfCtl.Cli;
using HfHub;
using HfHub.Files;
using HfHub.Repos;

namespace HfCtl.Commands.Repo;

/// <summary>What a repo argument names: the repo, its type and revision (from the options or an <c>hf://</c> URI) and a path in it.</summary>
internal sealed record RepoTarget(RepoId Repo, RepoType Type, string? Revision, string Path);

/// <summary>Arguments and options shared by the repo, upload and download commands.</summary>
internal static class RepoArguments
{
    public static Argument<string> RepoIdArgument() => new("repo") { Description = "Repository: namespace/name, or hf://[datasets/|spaces/]namespace/name[@revision][/path]" };

    /// <summary>
    /// Reads a repo argument with its <c>--type</c> (and <c>--revision</c>, where the command has one). An
    /// <c>hf://</c> URI (<see cref="HfUri"/>, as the official CLI takes them) gives the type, revision and path
    /// itself; an option that says otherwise, a bucket URI, or a revision where none is taken is a usage error.
    /// </summary>
    public static RepoTarget ParseTarget(ParseResult parse, Argument<string> repo, Option<string> type, Option<string?>? revision = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var text = parse.GetValue(repo);
        var typeValue = ParseType(parse.GetValue(type));
        var revisionValue = revision is null ? null : parse.GetValue(revision);
        if (text is null || !text.StartsWith(HfUri.Scheme, StringComparison.Ordinal))
        {
            return new RepoTarget(ParseRepo(text), typeValue, revisionValue, "");
        }
        var uri = ParseRepoUri(text);
        var uriType = uri.RepoType!.Value;
        if (parse.GetResult(type) is { Implicit: false } && typeValue != uriType)
        {
            throw new UsageException($"--type {typeValue.Name()} does not match '{text}', which names a {uriType.Name()}");
        }
        if (uri.Revision is not null && revision is null)
        {
            throw new UsageException($"'{text}' names a revision, but this command works on the whole repo: leave out '@{uri.Revision}'");
        }
        if (uri.Revision is not null && revisionValue is not null && revisionValue != uri.Revision)
        {
            throw new UsageException($"--revision {revisionValue} does not match '{text}', which names revision {uri.Revision}");
        }
        return new RepoTarget(RepoId.Parse(uri.Id), uriType, uri.Revision ?? revisionValue, uri.Path);
    }

    /// <summary>A repo URI (<c>hf://[models/|datasets/|spaces/]ns/name…</c>); a malformed one or a bucket's is a usage error.</summary>
    public static HfUri ParseRepoUri(string text)
    {
        if (!HfUri.TryParse(text, out var uri, out var error))
        {
            throw new UsageException(error);
        }
        return uri.IsBucket
            ? throw new UsageException($"'{text}' is a bucket, not a repo: this command takes a model, dataset or Space (hf://[datasets/|spaces/]namespace/name); buckets have 'hfctl buckets'")
            : uri;
    }

    /// <summary>Refuses a path in a repo URI for commands that work on the whole repo.</summary>
    public static RepoTarget WholeRepo(RepoTarget target, string? text)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Path.Length == 0
            ? target
            : throw new UsageException($"'{text}' names a path in the repo, but this command works on the whole repo: leave out '/{target.Path}'");
    }

    public static Option<string> TypeOption() => new("--type", "--repo-type")
    {
        Description = "Repository type: model, dataset or space",
        DefaultValueFactory = _ => "model",
    };

    public static Option<string?> RevisionOption(string description = "Branch, tag or commit (default: main)") => new("--revision") { Description = description };

    /// <summary>Validates a repo id with the official rule; a bad one is a usage error (exit 2).</summary>
    public static RepoId ParseRepo(string? text)
    {
        return RepoId.TryParse(text, out var id, out var error) ? id : throw new UsageException(error);
    }

    /// <summary>
    /// Validates a path in a repo (a usage error, exit 2, before any request). An absolute path is
    /// refused although the Python client drops the leading '/': on a command line it is far more
    /// often a local path typed in the wrong place than a wish to write at the repo's root.
    /// </summary>
    public static string ParseRepoPath(string text)
    {
        if (text.StartsWith('/') || text.StartsWith('\\'))
        {
            throw new UsageException($"invalid path in repo '{text}': it is absolute; paths in a repo are relative, e.g. '{text.TrimStart('/', '\\')}'");
        }
        try
        {
            return RepoPath.Normalize(text);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// Refuses a folder holding a symbolic link out of it before anything is created on the Hub
    /// (the upload itself refuses it too, but only after a missing repo or Space was created).
    /// </summary>
    public static void CheckNoLinkOutside(string folder, PathFilter? filter = null)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (var file in Directory.EnumerateFiles(folder, "*", options))
        {
            var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
            if ((filter is null || filter.IsMatch(relative)) && RepoPath.LinkOutside(folder, file) is { } link)
            {
                throw new UsageException($"'{Path.GetRelativePath(folder, link)}' is a symbolic link to outside {folder}: refusing to upload what it points to (exclude it, or copy the file in)");
            }
        }
    }

    public static RepoType ParseType(string? text) =>
        RepoTypes.TryParse(text, out var type) ? type : throw new UsageException($"invalid --type '{text}': use model, dataset or space");
}
