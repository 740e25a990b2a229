using System.CommandLine;
using HfCtl.Cli;
using HfHub.Http;

namespace HfCtl.Commands.Auth;

/// <summary>What <c>auth status --json</c> prints. The token is always masked.</summary>
public sealed record AuthStatus(
    string Endpoint, bool LoggedIn, string? User, string? Fullname, IReadOnlyList<string> Orgs,
    string? TokenName, string? Role, string? Token, string? TokenSource, string? Error);

/// <summary>
/// <c>hfctl auth status</c>, like <c>gh auth status</c>: user, orgs, token name and role, the
/// masked token and where it came from. Exits 4 when not logged in or the token is rejected.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(App app)
    {
        var command = new Command("status", "Show whether you are logged in, as whom, and with which token (masked)");
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var endpoint = UrlRedaction.Redacted(client.Endpoint).ToString().TrimEnd('/');
        var output = context.Output;
        if (client.Token is not { } token)
        {
            return Report(context, new AuthStatus(endpoint, false, null, null, [], null, null, null, null,
                AuthMessages.NoToken));
        }
        try
        {
            var me = await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
            var status = new AuthStatus(endpoint, true, me.Name, me.Fullname, [.. me.Orgs.Select(o => o.Name)],
                me.Auth?.AccessToken?.DisplayName, me.Auth?.AccessToken?.Role, token.Token.Masked, token.Location, null);
            if (output.Json)
            {
                output.WriteJson(status, CliJsonContext.Default.AuthStatus);
                return ExitCodes.Ok;
            }
            if (output.Settings.Agent)
            {
                output.WriteRecord(
                [
                    ("endpoint", endpoint),
                    ("user", me.Name),
                    ("token", token.Token.Masked),
                    ("token source", token.Location),
                    ("token name", status.TokenName),
                    ("role", status.Role ?? "unknown"),
                    ("orgs", status.Orgs.Count == 0 ? "none" : string.Join(", ", status.Orgs)),
                ]);
                return ExitCodes.Ok;
            }
            var mark = output.Mark(true);
            output.Line(endpoint);
            output.Line($"  {mark} Logged in as {me.Name}{(string.IsNullOrEmpty(me.Fullname) || me.Fullname == me.Name ? "" : $" ({me.Fullname})")}");
            output.Line($"  - Token: {token.Token.Masked} ({token.Location})");
            output.Line($"  - Token name: {status.TokenName ?? "(unnamed)"}");
            output.Line($"  - Role: {status.Role ?? "unknown"}");
            output.Line($"  - Orgs: {(status.Orgs.Count == 0 ? "none" : string.Join(", ", status.Orgs))}");
            return ExitCodes.Ok;
        }
        catch (HubAuthenticationException e)
        {
            return Report(context, new AuthStatus(endpoint, false, null, null, [], null, null, token.Token.Masked, token.Location,
                AuthMessages.Rejected(token.Location, e.Message)));
        }
    }

    private static int Report(CommandContext context, AuthStatus status)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(status, CliJsonContext.Default.AuthStatus);
        }
        else
        {
            // One line, like every error: scripts grep it and agents read it.
            var token = status.Token is null ? "" : $" (token {status.Token})";
            context.Console.Err.WriteLine($"error: {status.Error}{token} at {status.Endpoint}");
        }
        return ExitCodes.Auth;
    }
}
