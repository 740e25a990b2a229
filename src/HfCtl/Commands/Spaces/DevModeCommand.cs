using System.CommandLine;
using HfCtl.Cli;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary>
/// <c>hfctl spaces dev-mode &lt;space&gt; [--stop]</c>, as <c>hf spaces dev-mode</c>: turns dev mode on
/// (the app restarts without the container stopping; a PRO or Team plan feature), waits for the Space
/// and prints how to connect (VS Code in the browser, SSH); <c>--stop</c> turns it off.
/// </summary>
internal static class DevModeCommand
{
    public static Command Create(App app)
    {
        var space = SpaceCli.SpaceArgument();
        var stop = new Option<bool>("--stop") { Description = "Turn dev mode off" };
        var command = new Command("dev-mode", "Turn a Space's dev mode on (then print how to connect) or off with --stop") { space, stop, SpaceCli.Timeout };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var timeout = Duration.Parse(context.ParseResult.GetValue(SpaceCli.Timeout), "--timeout");
            var client = await context.ConnectAsync(ct).ConfigureAwait(false);
            var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(space)!, ct).ConfigureAwait(false);
            if (context.ParseResult.GetValue(stop))
            {
                var off = await client.Spaces.SetDevModeAsync(id, false, ct).ConfigureAwait(false);
                Report(context, id, off, null, null);
                if (!context.Output.Json)
                {
                    context.Output.Success($"Dev mode disabled for {id}");
                }
                return ExitCodes.Ok;
            }
            await client.Spaces.SetDevModeAsync(id, true, ct).ConfigureAwait(false);
            var code = await SpaceCli.WaitAsync(context, client, id, timeout, ct, printResult: false).ConfigureAwait(false);
            var info = await client.Spaces.GetAsync(id, ct).ConfigureAwait(false);
            // The official CLI's addresses: VS Code in the browser on the Hub, SSH as {subdomain}@ssh.hf.space.
            var folder = info.Sdk == "docker" ? "" : "/home/user/app";
            var web = new Uri(client.Endpoint, $"spaces/{info.Id}/dev-mode/vscode-web{(folder.Length > 0 ? "?folder=" + folder : "")}").AbsoluteUri;
            var ssh = $"{info.Subdomain ?? info.Id.ToLowerInvariant().Replace('/', '-')}@ssh.hf.space";
            Report(context, id, info.Runtime, web, ssh);
            if (!context.Output.Json)
            {
                context.Output.WriteRecord(
                [
                    ("vscode web", web),
                    ("ssh", $"ssh {ssh}"),
                    ("ssh keys", new Uri(client.Endpoint, "settings/keys").AbsoluteUri),
                ]);
                context.Output.Line("Dev mode stops after 48 h without activity: add your SSH key first, and save your changes regularly.");
            }
            return code;
        }));
        return command;
    }

    private static void Report(CommandContext context, string id, SpaceRuntime? runtime, string? web, string? ssh)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(new SpaceDevModeView(id, runtime?.DevMode ?? false, runtime?.Stage, web, ssh), SpacesCliJsonContext.Default.SpaceDevModeView);
        }
    }
}
