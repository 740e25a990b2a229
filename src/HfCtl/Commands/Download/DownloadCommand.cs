using System.CommandLine;
using HfCtl.Cli;
using HfCtl.Commands.Repo;
using HfCtl.Commands.Upload;
using HfHub.Files;
using HfHub.Repos;

namespace HfCtl.Commands.Download;

/// <summary>
/// <c>hfctl download REPO [FILES...]</c>: files or a whole snapshot into the cache shared with the
/// Python client (or <c>--local-dir</c>). Prints the local path: the file for one file, the folder otherwise.
/// </summary>
internal static class DownloadCommand
{
    private static readonly Argument<string> Repo = RepoArguments.RepoIdArgument();
    private static readonly Argument<string[]> Files = new("files") { Description = "Files to download (default: the whole repo)", Arity = ArgumentArity.ZeroOrMore };
    private static readonly Option<string> Type = RepoArguments.TypeOption();
    private static readonly Option<string?> Revision = RepoArguments.RevisionOption();
    private static readonly Option<string[]> Include = new("--include") { Description = "Only files matching these globs", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string[]> Exclude = new("--exclude") { Description = "Skip files matching these globs", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string?> LocalDir = new("--local-dir") { Description = "Write plain files into this folder instead of the cache" };
    private static readonly Option<string?> CacheDir = new("--cache-dir") { Description = "Cache root (default: HF_HUB_CACHE, else $HF_HOME/hub)" };
    private static readonly Option<bool> Force = new("--force", "--force-download") { Description = "Download again even if the files are already there" };
    private static readonly Option<int> MaxWorkers = new("--max-workers") { Description = "Files downloaded at the same time", DefaultValueFactory = _ => 8 };

    public static Command Create(App app)
    {
        var command = new Command("download", "Download files or a whole repository")
        {
            Repo, Files, Type, Revision, Include, Exclude, LocalDir, CacheDir, Force, MaxWorkers,
        };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var parse = context.ParseResult;
        var target = RepoArguments.ParseTarget(parse, Repo, Type, Revision);
        var (repo, type) = (target.Repo, target.Type);
        var files = parse.GetValue(Files) ?? [];
        if (target.Path.Length > 0)
        {
            // hf://ns/m/dir/file.txt names one file, as 'download ns/m dir/file.txt' does.
            files = files.Length == 0 ? [target.Path] : throw new UsageException($"name the files either in '{parse.GetValue(Repo)}' or after it, not both");
        }
        foreach (var file in files)
        {
            // Refused before any request, so a typo never turns into a 404 from the Hub.
            RepoArguments.ParseRepoPath(file);
        }
        var include = parse.GetValue(Include) ?? [];
        var exclude = parse.GetValue(Exclude) ?? [];
        if (files.Length > 0 && (include.Length > 0 || exclude.Length > 0))
        {
            throw new UsageException("--include and --exclude apply when no files are named");
        }
        var workers = parse.GetValue(MaxWorkers);
        if (workers <= 0)
        {
            throw new UsageException("--max-workers must be positive");
        }
        var options = new SnapshotOptions
        {
            Type = type,
            Revision = target.Revision,
            LocalDir = parse.GetValue(LocalDir),
            CacheDir = parse.GetValue(CacheDir),
            Force = parse.GetValue(Force),
            Include = include,
            Exclude = exclude,
            MaxWorkers = workers,
        };
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        repo = await RepoResolver.ForReadAsync(client, repo, type, cancellationToken).ConfigureAwait(false);
        DownloadView view;
        if (files.Length == 0)
        {
            var result = await TransferProgressView.RunAsync(context, $"download of {repo}", progress =>
                client.Files.SnapshotDownloadAsync(repo, options with { Progress = progress }, cancellationToken)).ConfigureAwait(false);
            view = new DownloadView(repo.ToString(), type.Name(), result.Folder, result.CommitHash, result.Files);
        }
        else
        {
            var paths = await TransferProgressView.RunAsync(context, $"download of {repo}", async progress =>
            {
                var local = new string[files.Length];
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, files.Length),
                    new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken },
                    async (i, token) => local[i] = await client.Files.DownloadFileAsync(repo, files[i], options with { Progress = progress }, token).ConfigureAwait(false)).ConfigureAwait(false);
                return local;
            }).ConfigureAwait(false);
            var shown = paths.Length == 1 ? paths[0] : options.LocalDir is { } dir ? Path.GetFullPath(dir) : Path.GetDirectoryName(paths[0])!;
            view = new DownloadView(repo.ToString(), type.Name(), shown, null, files);
        }
        if (context.Output.Json)
        {
            context.Output.WriteJson(view, FilesCliJsonContext.Default.DownloadView);
        }
        else
        {
            // The path is the result: printed even with --quiet, so scripts can use it.
            context.Console.Out.WriteLine(view.Path);
        }
        return ExitCodes.Ok;
    }
}
