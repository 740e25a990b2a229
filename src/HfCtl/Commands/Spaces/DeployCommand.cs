using System.CommandLine;
using HfCtl.Cli;
using HfHub;
using HfHub.Files;
using HfHub.Repos;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary>
/// <c>hfctl spaces deploy &lt;space&gt; &lt;folder&gt;</c>: uploads the folder as one commit, waits for
/// the build and reports the stage (exit codes as <c>spaces wait</c>).
/// </summary>
internal static class DeployCommand
{
    private static readonly Argument<string> Space = SpaceCli.SpaceArgument();
    private static readonly Argument<string> Folder = new("folder") { Description = "The app's folder (Dockerfile or app.py at its root)" };
    private static readonly Option<string?> Message = new("--commit-message", "-m") { Description = "The commit message" };
    private static readonly Option<bool> NoWait = new("--no-wait") { Description = "Return after the upload without waiting for the build" };
    private static readonly Option<bool> CreateMissing = new("--create") { Description = "Create the Space (empty) first when it does not exist" };
    private static readonly Option<string> Sdk = new("--sdk") { Description = "The SDK when --create creates the Space", DefaultValueFactory = _ => "docker" };

    public static Command Create(App app)
    {
        var command = new Command("deploy", "Upload a folder to a Space as one commit, wait for the build and report the stage")
        {
            Space, Folder, Message, NoWait, CreateMissing, Sdk, SpaceCli.Timeout,
        };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var folder = context.ParseResult.GetValue(Folder)!;
        if (!Directory.Exists(folder))
        {
            throw new UsageException($"no such folder: {folder}");
        }
        var timeout = SpaceCli.ParseTimeout(context.ParseResult.GetValue(SpaceCli.Timeout));
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(Space)!, cancellationToken).ConfigureAwait(false);
        SpaceRuntime before;
        var createdHere = false;
        try
        {
            before = await client.Spaces.GetRuntimeAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (HfHub.Http.HubNotFoundException) when (context.ParseResult.GetValue(CreateMissing))
        {
            Repo.RepoArguments.CheckNoLinkOutside(folder);
            await client.Spaces.CreateAsync(id, new SpaceCreateOptions { Sdk = context.ParseResult.GetValue(Sdk)! }, cancellationToken).ConfigureAwait(false);
            createdHere = true;
            context.Output.Success($"Created {id}");
            before = await client.Spaces.GetRuntimeAsync(id, cancellationToken).ConfigureAwait(false);
        }

        UploadFolderResult result;
        try
        {
            result = await client.Files.UploadFolderAsync(RepoId.Parse(id), folder, null, new UploadFolderOptions
            {
                Type = RepoType.Space,
                CommitMessage = context.ParseResult.GetValue(Message) ?? "Deploy with hfctl",
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (createdHere)
        {
            // No empty Space left behind by a deploy that failed after creating it.
            var (code, message) = App.Classify(e);
            throw new CommandFailedException($"{message} ({await Upload.UploadCommand.RollbackCreatedAsync(client, RepoId.Parse(id), RepoType.Space).ConfigureAwait(false)})", code);
        }
        var committed = result.Commits.Any(c => c.Committed);
        context.Output.Success(committed
            ? $"Uploaded {result.FilesUploaded} files to {id} ({result.FilesUnchanged} unchanged) as {result.Head[..Math.Min(7, result.Head.Length)]}"
            : $"Nothing changed in {id}: all {result.FilesUnchanged} files are already there");
        if (context.ParseResult.GetValue(NoWait))
        {
            return ExitCodes.Ok;
        }
        if (committed && !SpaceStage.IsIntermediate(before.Stage))
        {
            await WaitForBuildStartAsync(client, id, SpaceCli.PollInterval(context), cancellationToken).ConfigureAwait(false);
        }
        return await SpaceCli.WaitAsync(context, client, id, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The Hub may take a moment to notice a commit; until the stage turns BUILDING the old stage
    /// would end the wait at once. Gives it up to 10 s (the local hub switches immediately).
    /// </summary>
    private static async Task WaitForBuildStartAsync(HubClient client, string id, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var runtime = await client.Spaces.GetRuntimeAsync(id, cancellationToken).ConfigureAwait(false);
            if (runtime.Stage != SpaceStage.Running || SpaceStage.IsIntermediate(runtime.Stage))
            {
                return;
            }
            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
