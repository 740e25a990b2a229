using System.CommandLine;
using HfCtl.Cli;
using HfHub.Repos;

namespace HfCtl.Commands.Repo;

/// <summary><c>hfctl repo create REPO [--type] [--private] [--exist-ok] [--space-sdk]</c>.</summary>
internal static class CreateCommand
{
    private static readonly Argument<string> Repo = RepoArguments.RepoIdArgument();
    private static readonly Option<string> Type = RepoArguments.TypeOption();
    private static readonly Option<bool> Private = new("--private") { Description = "Make the repo private" };
    private static readonly Option<bool> ExistOk = new("--exist-ok") { Description = "Succeed if the repo exists already" };
    private static readonly Option<string?> SpaceSdk = new("--space-sdk", "--sdk") { Description = "SDK of a Space: gradio, docker, static, streamlit (default gradio)" };

    public static Command Create(App app)
    {
        var command = new Command("create", "Create a repository") { Repo, Type, Private, ExistOk, SpaceSdk };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var target = RepoArguments.WholeRepo(RepoArguments.ParseTarget(context.ParseResult, Repo, Type), context.ParseResult.GetValue(Repo));
        var (repo, type) = (target.Repo, target.Type);
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        repo = await RepoResolver.ForWriteAsync(client, repo, cancellationToken).ConfigureAwait(false);
        var result = await client.Repos.CreateAsync(repo, new CreateRepoOptions
        {
            Type = type,
            Private = context.ParseResult.GetValue(Private) ? true : null,
            ExistOk = context.ParseResult.GetValue(ExistOk),
            SpaceSdk = context.ParseResult.GetValue(SpaceSdk),
        }, cancellationToken).ConfigureAwait(false);
        context.PrintedHubUrls();
        if (context.Output.Json)
        {
            context.Output.WriteJson(new RepoCreatedView(repo.ToString(), type.Name(), result.Url, result.Created), FilesCliJsonContext.Default.RepoCreatedView);
        }
        else if (result.Created)
        {
            context.Output.Success($"Created {type.Name()} {result.Url}");
        }
        else
        {
            context.Output.Success($"{type.Name()} exists already: {result.Url}");
        }
        return ExitCodes.Ok;
    }
}
