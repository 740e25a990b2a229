using System.CommandLine;
using HfCtl.Cli;
using HfHub.Files;
using HfHub.Repos;

namespace HfCtl.Commands.Repo;

/// <summary>Arguments and options shared by the repo, upload and download commands.</summary>
internal static class RepoArguments
{
    public static Argument<string> RepoIdArgument() => new("repo") { Description = "Repository id: namespace/name" };

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
