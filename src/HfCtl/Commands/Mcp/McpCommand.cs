using System.CommandLine;
using System.Threading.Channels;
using HfCtl.Cli;
using HfCtl.Mcp;
using HfHub;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace HfCtl.Commands.Mcp;

/// <summary>
/// <c>hfctl mcp [--allow-writes | --read-only] [--tools a,b]</c>: the skill as a Model Context Protocol
/// server on stdio. The endpoint and token come from where every command finds them (HF_TOKEN, the token
/// file, <c>--endpoint</c>, <c>--local</c>); no tool takes a token, and none returns one.
/// </summary>
internal static class McpCommand
{
    private const string Instructions =
        "Tools for the Hugging Face Hub: test the connection, list and manage Spaces (stage, app URL, restart, pause, wake up, " +
        "create, hardware, secrets, variables, logs), keep a Space's files in a private dataset or bucket (persist_save/restore/history), " +
        "download repositories and GET any Hub API path. The token is configured on the server and never shown. " +
        "Results longer than 50 lines are cut with a summary line saying how to narrow the call. " +
        "Errors end with 'exit N: meaning' (2 bad usage, 3 network, 4 authentication, 5 not found, 6 forbidden, 7 conflict, " +
        "8 Space error stage, 9 timeout, 10 paused or sleeping).";

    public static Command Create(App app)
    {
        var allowWrites = new Option<bool>("--allow-writes") { Description = "Allow the tools that change things (restart, pause, create, set, save, restore, download)" };
        var readOnly = new Option<bool>("--read-only") { Description = "Do not even list the tools that change things" };
        var tools = new Option<string?>("--tools") { Description = "Offer only these tools (comma-separated names, e.g. spaces_list,space_info)" };
        var command = new Command("mcp", "Serve hfctl's tools to an AI agent over the Model Context Protocol (stdio)") { allowWrites, readOnly, tools };
        command.SetAction(app.Handler((context, ct) => RunAsync(context,
            context.ParseResult.GetValue(allowWrites), context.ParseResult.GetValue(readOnly), context.ParseResult.GetValue(tools), ct)));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, bool allowWrites, bool readOnly, string? toolList, CancellationToken cancellationToken)
    {
        if (allowWrites && readOnly)
        {
            throw new UsageException("--allow-writes and --read-only cannot be used together");
        }
        var settings = new McpServerSettings(allowWrites, readOnly, ParseTools(toolList));

        // One client for the server's life: with --local this starts the embedded hub once, so a Space
        // restarted by one call is still there for the next one.
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal) { ["HF_ENDPOINT"] = client.Endpoint.ToString().TrimEnd('/') };
        if (client.Token is { } token)
        {
            overrides["HF_TOKEN"] = token.Token.Reveal(); // in this process only: never an argument, never printed
        }
        var environment = new HfEnvironment(name => overrides.TryGetValue(name, out var value) ? value : context.Environment.Get(name), context.Environment.HomeDirectory);
        var neverShown = client.Token is { } t ? new[] { t.Token.Reveal() } : [];
        var runner = new McpToolRunner(environment, settings, neverShown);

        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "hfctl", Version = VersionInfo.Version },
            ServerInstructions = Instructions,
            Capabilities = new ServerCapabilities { Tools = new ToolsCapability() },
            Handlers = new McpServerHandlers
            {
                ListToolsHandler = (_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [.. settings.Offered().Select(Describe)] }),
                CallToolHandler = async (request, ct) =>
                {
                    var call = request.Params ?? throw new McpProtocolException("tools/call needs params", McpErrorCode.InvalidParams);
                    await using var relay = ProgressRelay.For(request.Server, call.ProgressToken);
                    var arguments = call.Arguments is null ? null : new Dictionary<string, System.Text.Json.JsonElement>(call.Arguments);
                    return await runner.CallAsync(call.Name, arguments, relay?.Sink, ct).ConfigureAwait(false);
                },
            },
        };

        // stdout carries the protocol: anything else that writes to the console goes to stderr instead.
        var protocolOut = Console.Out;
        Console.SetOut(Console.Error);
        try
        {
            await using var transport = new StdioServerTransport(options, loggerFactory: null);
            await using var server = McpServer.Create(transport, options);
            await server.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Console.SetOut(protocolOut);
        }
        return ExitCodes.Ok;
    }

    private static Tool Describe(McpTool tool) => new()
    {
        Name = tool.Name,
        Description = tool.Description + (tool.Kind == ToolKind.Write ? " (changes things: needs a server started with --allow-writes)" : ""),
        InputSchema = tool.Schema.ToJson(),
        Annotations = new ToolAnnotations
        {
            ReadOnlyHint = tool.Kind == ToolKind.Read,
            DestructiveHint = tool.Kind == ToolKind.Write && tool.Destructive,
            OpenWorldHint = true,
        },
    };

    private static HashSet<string>? ParseTools(string? list)
    {
        if (list is null)
        {
            return null;
        }
        var names = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        if (names.Count == 0)
        {
            throw new UsageException("--tools needs at least one tool name");
        }
        if (names.FirstOrDefault(n => McpToolCatalog.All.All(t => t.Name != n)) is { } unknown)
        {
            throw new UsageException($"unknown tool '{(unknown.Length > 80 ? unknown[..80] + "…" : unknown)}' in --tools; tools: {string.Join(", ", McpToolCatalog.All.Select(t => t.Name))}");
        }
        return names;
    }

    /// <summary>
    /// Turns a command's progress reports into MCP progress notifications, in order, at most a few a
    /// second (a transfer reports every buffer), always including the last one.
    /// </summary>
    private sealed class ProgressRelay : IAsyncDisposable
    {
        private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
        private readonly Channel<CliProgress> _queue = Channel.CreateBounded<CliProgress>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        private readonly Task _pump;

        private ProgressRelay(McpServer server, ProgressToken token)
        {
            Sink = new HfHub.Files.SyncProgress<CliProgress>(value => _queue.Writer.TryWrite(value));
            _pump = Task.Run(async () =>
            {
                await foreach (var report in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    try
                    {
                        await server.NotifyProgressAsync(token, new ProgressNotificationValue
                        {
                            Progress = (float)report.Done,
                            Total = report.Total is { } total ? (float)total : null,
                            Message = report.Message,
                        }).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
                    {
                        return; // the client went away: the call itself notices
                    }
                    await Task.WhenAny(Task.Delay(Interval), _queue.Reader.Completion).ConfigureAwait(false);
                }
            });
        }

        public IProgress<CliProgress> Sink { get; }

        public static ProgressRelay? For(McpServer server, ProgressToken? token) => token is { } t ? new ProgressRelay(server, t) : null;

        public async ValueTask DisposeAsync()
        {
            _queue.Writer.TryComplete();
            await _pump.ConfigureAwait(false);
        }
    }
}
