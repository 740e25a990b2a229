using System.CommandLine;
using HfCtl.Cli;
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
        // Accept the hf:// and URL-ish forms people paste: hf://datasets/org/name is handled by --type.
        return RepoId.TryParse(text, out var id, out var error) ? id : throw new UsageException(error);
    }

    public static RepoType ParseType(string? text) =>
        RepoTypes.TryParse(text, out var type) ? type : throw new UsageException($"invalid --type '{text}': use model, dataset or space");
}
