using System.CommandLine;
using HfCtl.Commands.LocalHub;
using HfCtl.Commands.Spaces;
using HfHub;
using HfHub.Auth;
using HfHub.LocalHub;
using HfHub.Spaces;

namespace HfCtl.Cli;

/// <summary>
/// What one command invocation works with: the console, the environment, the output layer and a
/// Hub client built from the global options. With <c>--local</c> (or <c>HF_ENDPOINT=local</c>) it
/// starts the embedded local hub for this command and stops it afterwards.
/// </summary>
public sealed class CommandContext : IAsyncDisposable
{
    private LocalHubServer? _localHub;
    private HubClient? _client;

    public CommandContext(ParseResult parseResult, CliConsole console, HfEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ParseResult = parseResult;
        Console = console;
        Environment = environment;
        var jsonGiven = parseResult.GetResult(GlobalOptions.Json) is not null;
        var fields = parseResult.GetValue(GlobalOptions.Json)?
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Verbose = parseResult.GetValue(GlobalOptions.Verbose);
        Output = new Output(console, new OutputSettings(jsonGiven, fields, parseResult.GetValue(GlobalOptions.All), parseResult.GetValue(GlobalOptions.Quiet)));
        TerminalConsole = console;
    }

    public ParseResult ParseResult { get; }

    /// <summary>The console as this command should use it: in agent mode, one that is no terminal and has no colour.</summary>
    public CliConsole Console { get; private set; }

    /// <summary>The real console, whatever the mode (for what depends on the real terminal, such as who receives Ctrl-C).</summary>
    public CliConsole TerminalConsole { get; }

    public HfEnvironment Environment { get; }
    public Output Output { get; private set; }
    public bool Verbose { get; }

    private LineCapWriter? _lineCap;

    /// <summary>
    /// Settles the output format before the command runs (<see cref="OutputFormats"/> says how the flags
    /// combine): <c>--format</c> or <c>HFCTL_FORMAT</c>, else agent detection. In agent mode the command sees
    /// <see cref="CliConsole.ForAgent"/> and its stdout is capped at 50 lines unless <c>--all</c> or JSON.
    /// </summary>
    public async Task ResolveOutputAsync(AgentDetector detector, CancellationToken cancellationToken, bool capOutput = true)
    {
        ArgumentNullException.ThrowIfNull(detector);
        var requested = OutputFormats.Requested(ParseResult, Environment);
        var settings = Output.Settings with
        {
            Json = Output.Settings.Json || requested == OutputFormat.Json,
            Quiet = Output.Settings.Quiet || requested == OutputFormat.Quiet,
        };
        var agent = requested switch
        {
            OutputFormat.Agent => true,
            OutputFormat.Human => false,
            _ => await detector.DetectAsync(RegistryHub(), cancellationToken).ConfigureAwait(false) is not null,
        };
        if (!agent)
        {
            Output = new Output(TerminalConsole, settings);
            return;
        }
        _lineCap = settings.Json || settings.All || !capOutput ? null : new LineCapWriter(TerminalConsole.Out, OutputSettings.MaxHumanLines);
        Console = TerminalConsole.ForAgent(_lineCap ?? TerminalConsole.Out);
        Output = new Output(Console, settings with { Agent = true }) { SummaryOut = TerminalConsole.Out };
    }

    /// <summary>After the command: in agent mode, one line saying how many lines the cap held back.</summary>
    public void FinishOutput()
    {
        var hidden = _lineCap?.Finish() ?? 0;
        _lineCap = null;
        if (hidden > 0)
        {
            TerminalConsole.Out.WriteLine($"… {hidden} more lines left out (agent mode shows {OutputSettings.MaxHumanLines}); --all to show all, --json for machine output");
        }
    }

    /// <summary>Where the agent-harness registry comes from: the Hub this command talks to; none for the embedded hub.</summary>
    private Uri? RegistryHub()
    {
        if (UsesLocalHub)
        {
            return null;
        }
        try
        {
            return ParseResult.GetValue(GlobalOptions.Endpoint) is { } endpoint ? HubClientOptions.Normalize(endpoint)
                : Environment.Get("HF_ENDPOINT") is { } fromEnv ? HubClientOptions.Normalize(fromEnv)
                : HubClientOptions.DefaultEndpoint;
        }
        catch (ArgumentException)
        {
            return null; // the command itself reports the bad endpoint
        }
    }

    /// <summary>The token this invocation's client sends, or null (none found, or no client built yet).</summary>
    public DiscoveredToken? TokenInUse => _client?.Token;

    /// <summary>True when this invocation targets the embedded local hub.</summary>
    public bool UsesLocalHub =>
        ParseResult.GetValue(GlobalOptions.Local)
        || string.Equals(ParseResult.GetValue(GlobalOptions.Endpoint), "local", StringComparison.OrdinalIgnoreCase)
        || (ParseResult.GetValue(GlobalOptions.Endpoint) is null && string.Equals(Environment.Get("HF_ENDPOINT"), "local", StringComparison.OrdinalIgnoreCase));

    /// <summary>The embedded hub's folder: <c>$HF_HOME/hfctl/local-hub</c>.</summary>
    public string LocalHubDirectory => Path.Combine(Environment.HfHome, "hfctl", "local-hub");

    /// <summary>
    /// The Inference Endpoints API to use (<c>hfctl endpoints --endpoints-url</c>); null = the
    /// local hub's with <c>--local</c>, else <c>HF_ENDPOINTS_API</c> or the Hub's. Set before connecting.
    /// </summary>
    public Uri? EndpointsApi { get; set; }

    /// <summary>Builds (once) the client for this invocation; <paramref name="token"/> overrides discovery (for login).</summary>
    public async Task<HubClient> ConnectAsync(CancellationToken cancellationToken, DiscoveredToken? token = null)
    {
        if (_client is not null)
        {
            return _client;
        }
        var options = new HubClientOptions
        {
            Environment = Environment,
            ApplicationId = $"hfctl/{typeof(CommandContext).Assembly.GetName().Version?.ToString(3)}",
            HttpTrace = Verbose ? line => Console.Err.WriteLine("* " + line) : null,
        };
        if (token is not null)
        {
            options.Token = token.Token;
            options.TokenSource = token;
        }
        else if (ParseResult.GetValue(GlobalOptions.Token) is { } explicitToken)
        {
            options.Token = HfToken.FromValue(explicitToken) ?? throw new UsageException("--token cannot be empty");
            options.TokenSource = new DiscoveredToken(options.Token, TokenSourceKind.Explicit, "--token");
        }
        if (UsesLocalHub && await LocalHubDiscovery.FindAsync(LocalHubDirectory, cancellationToken).ConfigureAwait(false) is { } served)
        {
            // A 'local-hub serve' runs on this state: use it, so what this command starts and the
            // URLs it prints live on after it ends.
            options.Endpoint = new Uri(served.Endpoint);
            if (options.Token is null && HfToken.FromValue(served.Token) is { } demo)
            {
                options.Token = demo;
                options.TokenSource = new DiscoveredToken(demo, TokenSourceKind.LocalHub, $"local hub demo account (served by pid {served.Pid})");
            }
        }
        else if (UsesLocalHub)
        {
            _localHub = await LocalHubServer.StartAsync(new LocalHubOptions { DataDirectory = LocalHubDirectory }, cancellationToken).ConfigureAwait(false);
            options.Endpoint = _localHub.Endpoint;
            if (options.Token is null && HfToken.FromValue(_localHub.DemoToken) is { } demo)
            {
                options.Token = demo;
                options.TokenSource = new DiscoveredToken(demo, TokenSourceKind.LocalHub, "local hub demo account");
            }
        }
        else if (ParseResult.GetValue(GlobalOptions.Endpoint) is { } endpoint)
        {
            options.Endpoint = ParseEndpoint(endpoint);
        }
        else if (Environment.Get("HF_ENDPOINT") is { } fromEnv)
        {
            options.Endpoint = ParseEndpoint(fromEnv);
        }
        options.EndpointsApi = EndpointsApi ?? (UsesLocalHub ? new Uri(options.Endpoint!, "_endpoints/v2") : null);
        _client = new HubClient(options);
        if (_localHub is { DemoAccountIsNew: true, DemoToken: not null } && options.TokenSource?.Kind == TokenSourceKind.LocalHub)
        {
            await SeedDemoSpaceAsync(_client, cancellationToken).ConfigureAwait(false);
        }
        return _client;
    }

    /// <summary>
    /// A fresh embedded hub gets one docker Space with the starter app, so that the first
    /// <c>hfctl --local spaces list</c> shows what a real account looks like. It goes through the
    /// public API, like any client would.
    /// </summary>
    private static async Task SeedDemoSpaceAsync(HubClient client, CancellationToken cancellationToken)
    {
        var me = await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
        await client.Spaces.CreateAsync($"{me.Name}/hello-docker",
            new SpaceCreateOptions { Sdk = "docker", Files = StarterApps.For("docker"), ExistOk = true },
            cancellationToken).ConfigureAwait(false);
    }

    private static Uri ParseEndpoint(string text)
    {
        try
        {
            return HubClientOptions.Normalize(text);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// How to run hfctl again against the same hub, for hints such as "follow with: … spaces wait":
    /// <c>hfctl --local</c> when this invocation used the local hub.
    /// </summary>
    public string CommandPrefix => UsesLocalHub ? "hfctl --local" : "hfctl";

    /// <summary>
    /// Called by a command that printed URLs or follow-up hints. When they point at a hub embedded
    /// in this command, which stops with it, a note on stderr says so once (unless <c>--quiet</c>).
    /// </summary>
    public void PrintedHubUrls() => _printedHubUrls = true;

    private bool _printedHubUrls;

    public async ValueTask DisposeAsync()
    {
        if (_localHub is not null && _printedHubUrls && !Output.Settings.Quiet)
        {
            Console.Err.WriteLine("note: the embedded local hub stops when this command ends, so the URLs and hints above work only while one runs; "
                + "keep 'hfctl local-hub serve' running (another terminal) and --local commands will use it");
        }
        _client?.Dispose();
        if (_localHub is not null)
        {
            await _localHub.DisposeAsync().ConfigureAwait(false);
        }
    }
}
