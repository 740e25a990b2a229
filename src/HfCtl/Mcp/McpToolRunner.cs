using System.Text.Json;
using System.Text.Json.Nodes;
using HfCtl.Cli;
using HfHub;
using ModelContextProtocol.Protocol;

namespace HfCtl.Mcp;

/// <summary>What the server was started with: which tools exist and whether writes are allowed.</summary>
internal sealed record McpServerSettings(bool AllowWrites, bool ReadOnly, IReadOnlySet<string>? Tools)
{
    /// <summary>The tools this server offers: all, less the writes under <c>--read-only</c>, less those not named by <c>--tools</c>.</summary>
    public IReadOnlyList<McpTool> Offered() =>
        [.. McpToolCatalog.All.Where(t => (Tools is null || Tools.Contains(t.Name)) && !(ReadOnly && t.Kind == ToolKind.Write))];
}

/// <summary>
/// Runs one tool call: its arguments checked against the schema, then its hfctl command run in-process
/// (no terminal, no prompt, nothing on the server's own stdout, which carries the protocol), then the
/// output shaped into a result. Whatever the command printed passes through one last filter that blanks
/// the token and the call's secret values, so neither can reach the model even if a server echoed them.
/// </summary>
internal sealed class McpToolRunner(HfEnvironment environment, McpServerSettings settings, IReadOnlyList<string> neverShown)
{
    public async Task<CallToolResult> CallAsync(string name, IReadOnlyDictionary<string, JsonElement>? arguments, IProgress<CliProgress>? progress, CancellationToken cancellationToken)
    {
        var tool = settings.Offered().FirstOrDefault(t => t.Name == name);
        if (tool is null)
        {
            var known = McpToolCatalog.All.Any(t => t.Name == name);
            return Failure(ExitCodes.Usage, known
                ? $"tool '{name}' is not offered by this server (it was started with {(settings.ReadOnly ? "--read-only" : "--tools")})"
                : $"unknown tool '{Clip(name)}'; see tools/list", []);
        }
        if (tool.Kind == ToolKind.Write && !settings.AllowWrites)
        {
            return Failure(ExitCodes.Usage, $"{tool.Name} changes things and this server is read-only: start it with 'hfctl mcp --allow-writes' to allow writes", []);
        }
        CliCall call;
        try
        {
            call = tool.Build(new ToolArguments(arguments, tool.Schema));
        }
        catch (ToolArgumentException e)
        {
            return Failure(ExitCodes.Usage, e.Message, []);
        }
        var hidden = neverShown.Concat(call.Hidden).Where(v => v.Length > 0).ToList();

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, new StringReader(call.Stdin ?? ""), isOutputTerminal: false, isInputTerminal: false, color: false, width: 200)
        {
            ProgressSink = progress,
        };
        var code = await App.RunAsync([.. call.Args], console, environment, cancellationToken).ConfigureAwait(false);
        var errorLines = Lines(Redact(stderr.ToString(), hidden));
        if (code != ExitCodes.Ok)
        {
            var message = errorLines.LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal))?["error: ".Length..]
                ?? errorLines.LastOrDefault() ?? ExitCodes.Meaning(code);
            return Failure(code, message, hidden);
        }
        var output = Redact(stdout.ToString(), hidden);
        var shaped = Parse(output) is { } json
            ? ToolResultShaper.FromJson(json, tool.KeepLast, tool.Hint)
            : ToolResultShaper.FromText(output, tool.Hint);
        var notes = errorLines.Where(l => l.Length > 0).Take(5).Select(l => l.StartsWith("warning: ", StringComparison.Ordinal) ? l : "note: " + l).ToList();
        var text = notes.Count == 0 ? shaped.Text : shaped.Text + "\n" + string.Join('\n', notes);
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text }],
            StructuredContent = ToElement(shaped.Structured),
            IsError = false,
        };
    }

    /// <summary>A tool error: the CLI's one-line message, then the exit code and its meaning, also as structured content.</summary>
    private static CallToolResult Failure(int code, string message, IReadOnlyList<string> hidden)
    {
        var line = Redact(message, hidden);
        var structured = new JsonObject { ["error"] = line, ["exitCode"] = code, ["meaning"] = ExitCodes.Meaning(code) };
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = $"error: {line}\nexit {code}: {ExitCodes.Meaning(code)}" }],
            StructuredContent = ToElement(structured),
            IsError = true,
        };
    }

    /// <summary>
    /// The command's JSON. A lifecycle call with <c>--wait</c> prints the state after the call, then the
    /// state it waited for: the last document is the answer.
    /// </summary>
    private static JsonNode? Parse(string text)
    {
        if (text.Length == 0 || text.TrimStart() is not ['{' or '[', ..])
        {
            return null;
        }
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions { AllowMultipleValues = true });
            JsonNode? last = null;
            while (reader.Read())
            {
                last = JsonNode.Parse(ref reader);
            }
            return last;
        }
        catch (JsonException)
        {
            return null; // a page of text that starts like JSON: shown as text
        }
    }

    private static JsonElement ToElement(JsonObject value)
    {
        using var document = JsonDocument.Parse(value.ToJsonString());
        return document.RootElement.Clone();
    }

    private static string Redact(string text, IReadOnlyList<string> hidden)
    {
        foreach (var value in hidden)
        {
            text = text.Replace(value, "****", StringComparison.Ordinal);
        }
        return text;
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
