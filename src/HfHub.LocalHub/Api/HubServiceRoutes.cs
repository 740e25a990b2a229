using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>
/// Routes the official clients call outside any repo: <c>POST /api/validate-yaml</c> (the Python client
/// posts every README it commits here first) and <c>GET /api/agent-harnesses</c> (the registry recent
/// clients read to tell whether an AI agent drives them).
/// </summary>
internal static class HubServiceRoutes
{
    /// <summary>
    /// The harnesses the local hub's registry names, with the variables each sets in its shells. The
    /// Hub's own list changes without client releases and is not published; these are the local hub's
    /// choice, so detection works offline. A harness id in <c>AI_AGENT</c>/<c>AGENT</c> is always matched.
    /// </summary>
    internal static readonly (string Id, (string Variable, string Pattern)[] EnvVars)[] Harnesses =
    [
        ("claude-code", [("CLAUDECODE", "1")]),
        ("codex", [("CODEX_SANDBOX", "*")]),
        ("cursor", [("CURSOR_AGENT", "*")]),
        ("gemini-cli", [("GEMINI_CLI", "1")]),
        ("opencode", [("OPENCODE", "1")]),
        ("goose", [("GOOSE_TERMINAL", "*")]),
    ];

    internal static readonly string[] StandardEnvVars = ["AI_AGENT", "AGENT"];

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/validate-yaml", ValidateYaml);
        app.MapGet("/api/agent-harnesses", context => HubResponses.Json(context, new AgentHarnessesBody(StandardEnvVars,
            Harnesses.ToDictionary(h => h.Id, h => new AgentHarnessBody(h.EnvVars.ToDictionary(v => v.Variable, v => v.Pattern, StringComparer.Ordinal)), StringComparer.Ordinal)),
            LocalHubJsonContext.Default.AgentHarnessesBody));
    }

    /// <summary>
    /// <c>{"content", "repoType"}</c> → 200 <c>{"errors": [], "warnings": [{"message"}]}</c>, or 400 with
    /// the errors (rules in <see cref="CardValidation"/>); the client reads both lists on either status.
    /// </summary>
    private static async Task ValidateYaml(HttpContext context)
    {
        using var body = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }
        var content = body.RootElement.String("content");
        var repoType = RepoLookup.TypeOf(body.RootElement.String("repoType"));
        if (content is null || repoType is null)
        {
            await HubResponses.BadRequest(context, content is null ? "\"content\" must be a string" : "\"repoType\" must be one of model, dataset, space").ConfigureAwait(false);
            return;
        }
        var (errors, warnings) = CardValidation.Validate(content, repoType);
        if (errors.Count > 0)
        {
            context.Response.Headers["X-Error-Message"] = HubResponses.HeaderSafe(errors[0]);
        }
        await HubResponses.Json(context, new CardCheckBody([.. errors.Select(m => new MessageBody(m))], [.. warnings.Select(m => new MessageBody(m))]),
            LocalHubJsonContext.Default.CardCheckBody, errors.Count > 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK).ConfigureAwait(false);
    }
}

/// <summary>The answer to <c>validate-yaml</c>: its errors and warnings.</summary>
internal sealed record CardCheckBody(IReadOnlyList<MessageBody> Errors, IReadOnlyList<MessageBody> Warnings);

internal sealed record MessageBody(string Message);

/// <summary>The answer to <c>agent-harnesses</c>: the variables any harness sets, and each harness's own.</summary>
internal sealed record AgentHarnessesBody(IReadOnlyList<string> StandardEnvVars, Dictionary<string, AgentHarnessBody> Harnesses);

internal sealed record AgentHarnessBody(Dictionary<string, string> EnvVars);
