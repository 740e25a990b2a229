using System.CommandLine;
using HfCtl.Cli;
using HfCtl.Commands.Repo;
using HfHub.Files;
using HfHub.Repos;

namespace HfCtl.Commands.Upload;

/// <summary>
/// <c>hfctl upload REPO LOCAL [PATH_IN_REPO]</c>: a file or a folder in one commit (several for very
/// large folders), skipping files the repo already has. Prints the commit URL, or JSON.
/// </summary>
internal static class UploadCommand
{
    private static readonly Argument<string> Repo = RepoArguments.RepoIdArgument();
    private static readonly Argument<string> Local = new("local") { Description = "A local file or folder" };
    private static readonly Argument<string?> PathInRepo = new("path-in-repo") { Description = "Where it goes in the repo (default: the file's name, or the root for a folder)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string> Type = RepoArguments.TypeOption();
    private static readonly Option<string?> Revision = RepoArguments.RevisionOption("Branch to commit to (default: main)");
    private static readonly Option<string[]> Include = new("--include") { Description = "Only files matching these globs (folder uploads)", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string[]> Exclude = new("--exclude") { Description = "Leave out files matching these globs (folder uploads)", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string?> Message = new("--commit-message", "-m") { Description = "The commit title" };
    private static readonly Option<string?> Description = new("--commit-description") { Description = "The commit description" };
    private static readonly Option<string?> ParentCommit = new("--parent-commit") { Description = "Fail with a conflict (exit 7) unless the branch is still at this commit" };
    private static readonly Option<bool> Private = new("--private") { Description = "Create the repo as private if it does not exist" };
    private static readonly Option<bool> CreatePr = new("--create-pr") { Description = "Open a pull request instead of committing to the branch" };

    public static Command Create(App app)
    {
        var command = new Command("upload", "Upload a file or folder to a repository in one commit")
        {
            Repo, Local, PathInRepo, Type, Revision, Include, Exclude, Message, Description, ParentCommit, Private, CreatePr,
        };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var parse = context.ParseResult;
        var target = RepoArguments.ParseTarget(parse, Repo, Type, Revision);
        var (repo, type) = (target.Repo, target.Type);
        var local = parse.GetValue(Local) ?? "";
        var isFile = File.Exists(local);
        if (!isFile && !Directory.Exists(local))
        {
            throw new UsageException($"no such file or folder: {local}");
        }
        var include = parse.GetValue(Include) ?? [];
        var exclude = parse.GetValue(Exclude) ?? [];
        if (isFile && (include.Length > 0 || exclude.Length > 0))
        {
            throw new UsageException("--include and --exclude apply to folder uploads only");
        }
        var pathInRepo = parse.GetValue(PathInRepo);
        if (target.Path.Length > 0)
        {
            // hf://datasets/ns/d/data/train.csv says where the upload goes, as PATH_IN_REPO does.
            pathInRepo = pathInRepo is null ? target.Path : throw new UsageException($"give the path in the repo either in '{parse.GetValue(Repo)}' or as PATH_IN_REPO, not both");
        }
        if (pathInRepo is not null && pathInRepo is not "." and not "/")
        {
            RepoArguments.ParseRepoPath(pathInRepo);
        }

        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        repo = await RepoResolver.ForWriteAsync(client, repo, cancellationToken).ConfigureAwait(false);
        var createdHere = false;
        if (!await client.Repos.ExistsAsync(repo, type, cancellationToken).ConfigureAwait(false))
        {
            if (!isFile)
            {
                RepoArguments.CheckNoLinkOutside(local, new PathFilter(include, exclude));
            }
            createdHere = (await client.Repos.CreateAsync(repo, new CreateRepoOptions { Type = type, Private = parse.GetValue(Private) ? true : null, ExistOk = true }, cancellationToken).ConfigureAwait(false)).Created;
        }
        try
        {
            return await UploadAsync(context, client, repo, type, target.Revision, local, isFile, pathInRepo, include, exclude, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (createdHere)
        {
            var (code, message) = App.Classify(e);
            throw new CommandFailedException($"{message} ({await RollbackCreatedAsync(client, repo, type).ConfigureAwait(false)})", code);
        }
    }

    /// <summary>
    /// A failed upload into a repo this command created leaves no empty repo behind: the Hub stays
    /// as it was before the command. Best effort, with its own deadline (the command's token may be
    /// the one that was cancelled). Returns what happened, for the error line.
    /// </summary>
    internal static async Task<string> RollbackCreatedAsync(HfHub.HubClient client, RepoId repo, RepoType type)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await client.Repos.DeleteAsync(repo, type, missingOk: true, deadline.Token).ConfigureAwait(false);
            return $"the {type.Name()} {repo} it had created was removed again";
        }
        catch (Exception e) when (e is HfHub.Http.HubException or OperationCanceledException)
        {
            return $"the {type.Name()} {repo} it had created could not be removed: delete it with 'hfctl repo delete {repo} --type {type.Name()}'";
        }
    }

    private static async Task<int> UploadAsync(CommandContext context, HfHub.HubClient client, RepoId repo, RepoType type, string? revision, string local, bool isFile,
        string? pathInRepo, string[] include, string[] exclude, CancellationToken cancellationToken)
    {
        var parse = context.ParseResult;
        var options = new UploadFolderOptions
        {
            Type = type,
            Revision = revision,
            CommitMessage = parse.GetValue(Message),
            CommitDescription = parse.GetValue(Description),
            ParentCommit = parse.GetValue(ParentCommit),
            CreatePullRequest = parse.GetValue(CreatePr),
            Include = include,
            Exclude = exclude,
        };
        UploadView view;
        if (isFile)
        {
            var target = pathInRepo is null or "." or "/" ? Path.GetFileName(local) : pathInRepo;
            var result = await TransferProgressView.RunAsync(context, $"upload to {repo}", progress =>
                client.Files.UploadFileAsync(repo, local, target, options with { Progress = progress, CommitMessage = options.CommitMessage ?? $"Upload {RepoPath.Normalize(target)} with hfctl" }, cancellationToken)).ConfigureAwait(false);
            view = new UploadView(repo.ToString(), type.Name(), result.Committed, result.CommitOid, result.Committed ? result.CommitUrl : null,
                result.FilesAdded, result.FilesUnchanged, result.Committed ? [result.CommitOid] : []);
        }
        else
        {
            var result = await TransferProgressView.RunAsync(context, $"upload to {repo}", progress =>
                client.Files.UploadFolderAsync(repo, local, pathInRepo, options with { Progress = progress }, cancellationToken)).ConfigureAwait(false);
            view = new UploadView(repo.ToString(), type.Name(), result.Commits.Count > 0, result.Head,
                result.Commits.Count > 0 ? result.Commits[^1].CommitUrl : null, result.FilesUploaded, result.FilesUnchanged,
                [.. result.Commits.Select(c => c.CommitOid)]);
        }
        if (context.Output.Json)
        {
            context.Output.WriteJson(view, FilesCliJsonContext.Default.UploadView);
        }
        else if (context.Output.Settings.Quiet)
        {
            // --quiet keeps the result itself: the commit URL, or the unchanged head.
            context.Console.Out.WriteLine(view.CommitUrl ?? view.Commit);
        }
        else if (view.Committed)
        {
            var unchanged = view.FilesUnchanged > 0 ? $", {view.FilesUnchanged} unchanged" : "";
            context.Output.Success($"Uploaded {view.FilesUploaded} file{(view.FilesUploaded == 1 ? "" : "s")}{unchanged}: {view.CommitUrl}");
            context.PrintedHubUrls();
        }
        else
        {
            context.Output.Success($"No changes: {repo} already has these files (commit {view.Commit})");
        }
        return ExitCodes.Ok;
    }
}
