using System.CommandLine;
using HfCtl.Cli;
using HfHub.Auth;
using Spectre.Console;

namespace HfCtl.Commands.Auth;

/// <summary>What <c>auth login --json</c> prints.</summary>
public sealed record LoginResult(string User, string TokenName, string Role, string Token, string SavedTo);

/// <summary>
/// <c>hfctl auth login</c>: reads a token from stdin (<c>hfctl auth login &lt; token.txt</c>) or a
/// hidden prompt, checks it with the Hub, then saves it where the Python client looks
/// (token file, mode 0600, and <c>stored_tokens</c>). The token never appears in output.
/// </summary>
internal static class LoginCommand
{
    public static Command Create(App app)
    {
        var command = new Command("login", "Log in with an access token read from stdin or a hidden prompt, and save it");
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var token = ReadToken(context);
        if (!token.Token.HasHubPrefix)
        {
            context.Output.Warn("the token does not start with 'hf_'; user access tokens do");
        }
        var client = await context.ConnectAsync(cancellationToken, token).ConfigureAwait(false);
        var me = await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
        var name = me.Auth?.AccessToken?.DisplayName is { Length: > 0 } displayName ? displayName : $"oauth-{me.Name}";
        var role = me.Auth?.AccessToken?.Role ?? "unknown";
        TokenStore.Save(context.Environment, token.Token, name);
        if (context.Environment.Get("HF_TOKEN") is not null)
        {
            context.Output.Warn("HF_TOKEN is set in the environment and takes precedence over the saved token");
        }
        if (context.Output.Json)
        {
            context.Output.WriteJson(new LoginResult(me.Name, name, role, token.Token.Masked, context.Environment.TokenPath), CliJsonContext.Default.LoginResult);
        }
        else
        {
            context.Output.Success($"Logged in as {me.Name} with token '{name}' ({role}), saved to {context.Environment.TokenPath}");
        }
        return ExitCodes.Ok;
    }

    private static DiscoveredToken ReadToken(CommandContext context)
    {
        if (context.ParseResult.GetValue(GlobalOptions.Token) is { } fromOption)
        {
            return new DiscoveredToken(HfToken.FromValue(fromOption) ?? throw new UsageException("--token cannot be empty"), TokenSourceKind.Explicit, "--token");
        }
        string? text;
        if (!context.Console.IsInputTerminal)
        {
            text = context.Console.In.ReadLine();
        }
        else
        {
            var prompt = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Console.Err) });
            text = prompt.Prompt(new TextPrompt<string>("Paste an access token (https://huggingface.co/settings/tokens):").Secret());
        }
        return new DiscoveredToken(
            HfToken.FromValue(text) ?? throw new UsageException("no token given: pipe one on stdin or paste it at the prompt"),
            TokenSourceKind.Explicit, "stdin");
    }
}
