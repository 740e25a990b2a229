using System.CommandLine;
using HfCtl.Cli;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces create &lt;name&gt; --sdk docker</c>: a new Space, with a small working app unless <c>--empty</c>.</summary>
internal static class CreateCommand
{
    private static readonly Argument<string> Name = new("name") { Description = "The Space: name (in your namespace) or namespace/name" };
    private static readonly Option<string> Sdk = new("--sdk", "--space-sdk") { Description = "docker, gradio or static", DefaultValueFactory = _ => "docker" };
    private static readonly Option<bool> Private = new("--private") { Description = "Make the Space private" };
    private static readonly Option<string?> Hardware = new("--hardware", "--flavor") { Description = "Hardware flavor (see 'spaces hardware --list')" };
    private static readonly Option<long?> SleepTime = new("--sleep-time") { Description = "Seconds of idle time before the Space sleeps; -1 = never" };
    private static readonly Option<string[]> Secrets = new("--secrets", "-s") { Description = "A secret K=V, or K to read the value from the environment variable K (repeatable)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string?> SecretsFile = new("--secrets-file") { Description = "A .env file of secrets" };
    private static readonly Option<string[]> Variables = new("--env", "-e") { Description = "A variable K=V (repeatable)" };
    private static readonly Option<string?> VariablesFile = new("--env-file") { Description = "A .env file of variables" };
    private static readonly Option<string[]> Volumes = VolumesCommand.VolumeOption();
    private static readonly Option<string?> Template = new("--template") { Description = "Start from an official template: its repo id or name (see 'spaces templates')" };
    private static readonly Option<bool> Public = new("--public") { Description = "Make the Space public even when its template prefers private" };
    private static readonly Option<bool> Empty = new("--empty") { Description = "Create the Space without the starter app (it stays NO_APP_FILE)" };
    private static readonly Option<bool> ExistOk = new("--exist-ok") { Description = "Succeed if the Space exists already" };

    public static Command Create(App app)
    {
        var command = new Command("create", "Create a Space (a small working app unless --empty, or an official template's files with --template)")
        {
            Name, Sdk, Private, Public, Template, Hardware, SleepTime, Secrets, SecretsFile, Variables, VariablesFile, Volumes, Empty, ExistOk, SpaceCli.Wait, SpaceCli.Timeout,
        };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var result = context.ParseResult;
        var sdk = result.GetValue(Sdk)!.Trim().ToLowerInvariant();
        if (sdk is not ("docker" or "gradio" or "static" or "streamlit"))
        {
            throw new UsageException($"invalid --sdk '{sdk}': use docker, gradio or static");
        }
        var name = RepoResolver.ParseSpace(result.GetValue(Name), "Space name");
        var timeout = SpaceCli.ParseTimeout(result.GetValue(SpaceCli.Timeout));
        var secrets = SpaceSettingsParser.Parse(result.GetValue(Secrets), result.GetValue(SecretsFile), context.Environment, "secret");
        var variables = SpaceSettingsParser.Parse(result.GetValue(Variables), result.GetValue(VariablesFile), context.Environment, "variable");
        var volumes = VolumesCommand.Parse(result.GetValue(Volumes));
        if (result.GetValue(Private) && result.GetValue(Public))
        {
            throw new UsageException("--private and --public cannot be used together");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var isPrivate = result.GetValue(Private);
        SpaceTemplate? template = null;
        if (result.GetValue(Template) is { } wanted)
        {
            if (result.GetValue(Empty))
            {
                throw new UsageException("--template and --empty cannot be used together: a template brings its files");
            }
            template = await client.Spaces.FindTemplateAsync(wanted, cancellationToken).ConfigureAwait(false)
                ?? throw new UsageException($"unknown Space template '{wanted}': see '{context.CommandPrefix} spaces templates'");
            // As huggingface_hub: the SDK follows the template, and one given explicitly must agree with it.
            if (result.GetResult(Sdk) is { Implicit: false } && sdk != template.Sdk)
            {
                throw new UsageException($"--sdk {sdk} does not match the template {template.RepoId}, which is a {template.Sdk} Space");
            }
            sdk = template.Sdk;
            isPrivate = isPrivate || (template.PreferredPrivate && !result.GetValue(Public));
        }
        if (volumes is not null && sdk == "static")
        {
            throw new UsageException("--volume: volumes are not supported on static Spaces");
        }
        var created = await client.Spaces.CreateAsync(name.ToString(), new SpaceCreateOptions
        {
            Sdk = sdk,
            Private = isPrivate,
            Template = template?.RepoId,
            Hardware = result.GetValue(Hardware),
            SleepTimeSeconds = result.GetValue(SleepTime),
            Secrets = secrets,
            Variables = variables,
            Volumes = volumes,
            Files = result.GetValue(Empty) || template is not null ? null : StarterApps.For(sdk),
            ExistOk = result.GetValue(ExistOk),
        }, cancellationToken).ConfigureAwait(false);
        var info = await client.Spaces.GetAsync(created.Id, cancellationToken).ConfigureAwait(false);
        if (context.Output.Json && !result.GetValue(SpaceCli.Wait))
        {
            context.Output.WriteJson(new SpaceCreatedView(created.Id, created.Url, info.Runtime?.Stage, info.AppUrl), SpacesCliJsonContext.Default.SpaceCreatedView);
            return ExitCodes.Ok;
        }
        context.Output.Success($"Created {created.Id}: {created.Url}");
        context.Output.Line($"app url: {info.AppUrl}");
        context.PrintedHubUrls();
        if (result.GetValue(SpaceCli.Wait))
        {
            return await SpaceCli.WaitAsync(context, client, created.Id, timeout, cancellationToken).ConfigureAwait(false);
        }
        // An empty Space stays NO_APP_FILE until an app arrives: waiting for it could only fail.
        context.Output.Line(result.GetValue(Empty)
            ? $"stage: {info.Runtime?.Stage} (no app yet: add one with: {context.CommandPrefix} spaces deploy {created.Id} <folder>)"
            : $"stage: {info.Runtime?.Stage} (follow with: {context.CommandPrefix} spaces wait {created.Id})");
        return ExitCodes.Ok;
    }
}
