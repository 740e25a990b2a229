using System.CommandLine;
using HfCtl.Cli;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces duplicate &lt;from&gt; [&lt;to&gt;]</c>: a copy in the same running or paused state.</summary>
internal static class DuplicateCommand
{
    private static readonly Argument<string> From = new("from") { Description = "The Space to copy" };
    private static readonly Argument<string?> To = new("to") { Description = "The new Space (default: the same name in your namespace)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<bool> Private = new("--private") { Description = "Make the copy private" };
    private static readonly Option<string?> Hardware = new("--hardware", "--flavor") { Description = "Hardware flavor of the copy" };
    private static readonly Option<long?> SleepTime = new("--sleep-time") { Description = "Sleep time of the copy in seconds; -1 = never" };
    private static readonly Option<string[]> Secrets = new("--secrets", "-s") { Description = "A secret K=V for the copy (secrets are not copied)" };
    private static readonly Option<string[]> Variables = new("--env", "-e") { Description = "A variable K=V for the copy" };
    private static readonly Option<string[]> Volumes = VolumesCommand.VolumeOption();
    private static readonly Option<bool> ExistOk = new("--exist-ok") { Description = "Succeed if the copy exists already" };

    public static Command Create(App app)
    {
        var command = new Command("duplicate", "Duplicate a Space") { From, To, Private, Hardware, SleepTime, Secrets, Variables, Volumes, ExistOk, SpaceCli.Wait, SpaceCli.Timeout };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var result = context.ParseResult;
        var timeout = SpaceCli.ParseTimeout(result.GetValue(SpaceCli.Timeout));
        var secrets = SpaceSettingsParser.Parse(result.GetValue(Secrets), null, context.Environment, "secret");
        var variables = SpaceSettingsParser.Parse(result.GetValue(Variables), null, context.Environment, "variable");
        var volumes = VolumesCommand.Parse(result.GetValue(Volumes));
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var from = await SpaceCli.ResolveAsync(client, result.GetValue(From)!, cancellationToken).ConfigureAwait(false);
        var to = await SpaceCli.ResolveAsync(client, result.GetValue(To) ?? from.Split('/')[1], cancellationToken).ConfigureAwait(false);
        var created = await client.Spaces.DuplicateAsync(from, to, new SpaceDuplicateOptions
        {
            Private = result.GetValue(Private) ? true : null,
            Hardware = result.GetValue(Hardware),
            SleepTimeSeconds = result.GetValue(SleepTime),
            Secrets = secrets,
            Variables = variables,
            Volumes = volumes,
            ExistOk = result.GetValue(ExistOk),
        }, cancellationToken).ConfigureAwait(false);
        if (context.Output.Json && !result.GetValue(SpaceCli.Wait))
        {
            context.Output.WriteJson(new SpaceCreatedView(to, created.Url, null, null), SpacesCliJsonContext.Default.SpaceCreatedView);
            return ExitCodes.Ok;
        }
        context.Output.Success($"Duplicated {from} to {to}: {created.Url}");
        context.PrintedHubUrls();
        return result.GetValue(SpaceCli.Wait) ? await SpaceCli.WaitAsync(context, client, to, timeout, cancellationToken).ConfigureAwait(false) : ExitCodes.Ok;
    }
}
