using System.Text.Json;
using HfHub;

namespace HfCtl.Cli;

/// <summary>The Hub's agent-harness registry: the variables any agent may set, and each harness's own.</summary>
public sealed record AgentHarnessRegistry(IReadOnlyList<string> StandardEnvVars, IReadOnlyList<AgentHarness> Harnesses)
{
    public static AgentHarnessRegistry Empty { get; } = new([], []);

    /// <summary>
    /// Reads <c>{"standardEnvVars": [...], "harnesses": {"id": {"envVars": {"VAR": "*"|"value"}}}}</c>, the
    /// fields the official Python client reads; anything else is ignored. Null when it is not such a document.
    /// </summary>
    public static AgentHarnessRegistry? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var standard = root.TryGetProperty("standardEnvVars", out var s) && s.ValueKind == JsonValueKind.Array
                ? s.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : [];
            var harnesses = new List<AgentHarness>();
            if (root.TryGetProperty("harnesses", out var h) && h.ValueKind == JsonValueKind.Object)
            {
                foreach (var harness in h.EnumerateObject())
                {
                    var variables = harness.Value.ValueKind == JsonValueKind.Object && harness.Value.TryGetProperty("envVars", out var v) && v.ValueKind == JsonValueKind.Object
                        ? v.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).Select(p => (p.Name, p.Value.GetString()!)).ToList()
                        : [];
                    harnesses.Add(new AgentHarness(harness.Name, variables));
                }
            }
            return new AgentHarnessRegistry(standard, harnesses);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One harness: its id and the variables that give it away (<c>"*"</c>: set to anything; else that exact value).</summary>
public sealed record AgentHarness(string Id, IReadOnlyList<(string Variable, string Pattern)> EnvVars);

/// <summary>
/// Tells whether an AI agent runs hfctl, as the official Python client does: the standard variables
/// <c>AI_AGENT</c> and <c>AGENT</c>, then the Hub's harness registry (<c>GET {endpoint}/api/agent-harnesses</c>),
/// cached in <c>$HF_HOME/.agent_harnesses.json</c>, the file and format the Python client uses, so both share it.
/// </summary>
/// <remarks>
/// Detection never fails a command and never makes it wait long. A set standard variable decides at once
/// (no file, no network). Otherwise a cache younger than a day is used as it is. An older or missing one is
/// fetched in line, with a one-second timeout, at most once a day (<c>$HF_HOME/hfctl/agent-harnesses.checked</c>
/// records the last attempt, failed or not, so an unreachable Hub does not cost every command a timeout); on
/// failure the stale copy (or none) is used. In line rather than in the background because a command often
/// ends in milliseconds, before a background request could complete and be saved, and because the first run of
/// an agent is the one that most needs the answer; the cost is one small GET to the host the command talks to
/// anyway, once a day, bounded by the timeout. Nothing is fetched with <c>HF_HUB_OFFLINE</c> or <c>--local</c>.
/// </remarks>
public sealed class AgentDetector(HfEnvironment environment, TimeProvider clock, TimeSpan? fetchTimeout = null, HttpMessageHandler? handler = null)
{
    /// <summary>The variables any agent may set to its harness id; they decide without the registry.</summary>
    public static IReadOnlyList<string> StandardVariables { get; } = ["AI_AGENT", "AGENT"];

    /// <summary>How long a cached registry is used before it is fetched again (the Python client's 24 hours).</summary>
    public static TimeSpan RefreshAfter { get; } = TimeSpan.FromDays(1);

    /// <summary>How long a fetch of the registry may take before it is given up.</summary>
    public static TimeSpan DefaultFetchTimeout { get; } = TimeSpan.FromSeconds(1);

    public string RegistryPath => Path.Combine(environment.HfHome, ".agent_harnesses.json");

    public string AttemptPath => Path.Combine(environment.HfHome, "hfctl", "agent-harnesses.checked");

    /// <summary>The harness id from <c>AI_AGENT</c> or <c>AGENT</c>, or null when neither is set.</summary>
    public string? FromStandardVariables() =>
        StandardVariables.Select(environment.Get).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim().ToLowerInvariant();

    /// <summary>The detected harness id (or "unknown"), using only the variables and a cached registry.</summary>
    public string? DetectCachedOnly() => FromStandardVariables() ?? Match(ReadCache(maxAge: null) ?? AgentHarnessRegistry.Empty);

    /// <summary>
    /// The detected harness id (or "unknown"), or null when no agent is detected. <paramref name="hub"/>
    /// is where the registry comes from; null means nowhere (the embedded hub, an endpoint that did not parse).
    /// </summary>
    public async Task<string?> DetectAsync(Uri? hub, CancellationToken cancellationToken)
    {
        if (FromStandardVariables() is { } standard)
        {
            return standard;
        }
        var registry = ReadCache(RefreshAfter);
        if (registry is null && hub is not null && !environment.IsTrue("HF_HUB_OFFLINE") && !AttemptedRecently())
        {
            registry = await FetchAsync(hub, cancellationToken).ConfigureAwait(false);
        }
        return Match(registry ?? ReadCache(maxAge: null) ?? AgentHarnessRegistry.Empty);
    }

    /// <summary>The first harness whose variables are set, in the registry's order; "unknown" for a standard variable naming no known harness.</summary>
    internal string? Match(AgentHarnessRegistry registry)
    {
        var standard = registry.StandardEnvVars.Concat(StandardVariables).Distinct(StringComparer.Ordinal).ToList();
        foreach (var harness in registry.Harnesses)
        {
            foreach (var (variable, pattern) in harness.EnvVars)
            {
                if (environment.Get(variable) is { } value && (pattern == "*" || value == pattern))
                {
                    return harness.Id;
                }
            }
            if (standard.Any(v => environment.Get(v)?.Trim() == harness.Id))
            {
                return harness.Id;
            }
        }
        var named = standard.Select(environment.Get).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim().ToLowerInvariant();
        if (named is null)
        {
            return null;
        }
        return registry.Harnesses.Any(h => h.Id.Equals(named, StringComparison.OrdinalIgnoreCase)) ? named : "unknown";
    }

    private AgentHarnessRegistry? ReadCache(TimeSpan? maxAge)
    {
        try
        {
            var file = new FileInfo(RegistryPath);
            if (!file.Exists || (maxAge is { } age && clock.GetUtcNow().UtcDateTime - file.LastWriteTimeUtc >= age))
            {
                return null;
            }
            return AgentHarnessRegistry.TryParse(File.ReadAllBytes(file.FullName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private bool AttemptedRecently()
    {
        try
        {
            var file = new FileInfo(AttemptPath);
            return file.Exists && clock.GetUtcNow().UtcDateTime - file.LastWriteTimeUtc < RefreshAfter;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task<AgentHarnessRegistry?> FetchAsync(Uri hub, CancellationToken cancellationToken)
    {
        var timeout = fetchTimeout ?? DefaultFetchTimeout;
        try
        {
            // The attempt is recorded first, so that commands started meanwhile do not fetch it too.
            Directory.CreateDirectory(Path.GetDirectoryName(AttemptPath)!);
            await File.WriteAllTextAsync(AttemptPath, clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            File.SetLastWriteTimeUtc(AttemptPath, clock.GetUtcNow().UtcDateTime);
            using var http = handler is null
                ? new HttpClient(new SocketsHttpHandler { ConnectTimeout = timeout }) { Timeout = timeout }
                : new HttpClient(handler, disposeHandler: false) { Timeout = timeout };
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            // The registry is public: no token is sent for it.
            using var response = await http.GetAsync(new Uri(hub.AbsoluteUri.TrimEnd('/') + "/api/agent-harnesses"), deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            if (AgentHarnessRegistry.TryParse(body) is not { } registry)
            {
                return null;
            }
            var temporary = RegistryPath + $".{Environment.ProcessId}.tmp";
            await File.WriteAllBytesAsync(temporary, body, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, RegistryPath, overwrite: true);
            File.SetLastWriteTimeUtc(RegistryPath, clock.GetUtcNow().UtcDateTime);
            return registry;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or UnauthorizedAccessException)
        {
            return null; // best effort: no registry means no agent detected by it
        }
    }
}
