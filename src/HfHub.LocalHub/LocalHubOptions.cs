namespace HfHub.LocalHub;

/// <summary>How a local hub starts: where it listens, where it keeps state, whom it seeds.</summary>
public sealed class LocalHubOptions
{
    /// <summary>The loopback port; 0 lets the system pick a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The folder for the SQLite database and the blob store. Null makes the hub ephemeral: its
    /// state lives in a temporary folder that is deleted when the hub stops.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>The secret for the <c>/_localhub/</c> admin routes; a random one when null.</summary>
    public string? AdminSecret { get; set; }

    /// <summary>The demo account seeded on first start, with a write token; null seeds nothing.</summary>
    public string? DemoUser { get; set; } = "demo";

    /// <summary>Extra accounts, organisations and tokens to seed (from a config file).</summary>
    public IList<SeedUser> Seed { get; } = [];

    /// <summary>
    /// The public address clients should use, when it differs from the listening socket
    /// (for example behind a proxy); default <c>http://127.0.0.1:{port}</c>.
    /// </summary>
    public Uri? PublicEndpoint { get; set; }

    /// <summary>
    /// The part size of multipart LFS uploads (<c>chunk_size</c> in batch answers); objects larger
    /// than this are uploaded in parts. The Hub's own value is undocumented; 10 MiB keeps part
    /// counts low for large files while letting clients upload parts in parallel. Tests set a few KiB.
    /// </summary>
    public long LfsChunkSize { get; set; } = 10 * 1024 * 1024;

    /// <summary>The largest page of repo listings (<c>/api/models</c> …); the Hub's maximum is undocumented. Tests set a small one.</summary>
    public int ListPageSize { get; set; } = 1000;

    /// <summary>The page size of <c>/tree</c> listings: 1000 entries as on the Hub (50 with <c>expand</c>, see <see cref="TreeExpandPageSize"/>).</summary>
    public int TreePageSize { get; set; } = 1000;

    public int TreeExpandPageSize { get; set; } = 50;

    /// <summary>Faults to inject from start-up (see <see cref="HfHub.LocalHub.Faults.FaultOptions.Parse"/>); null injects none.</summary>
    public HfHub.LocalHub.Faults.FaultOptions? Faults { get; set; }

    /// <summary>Per-caller quotas as the Hub's rate limits (see <see cref="HfHub.LocalHub.Faults.RateLimitOptions.Parse"/>); null limits nothing.</summary>
    public HfHub.LocalHub.Faults.RateLimitOptions? RateLimits { get; set; }

    /// <summary>A link speed for every request and response body (see <see cref="HfHub.LocalHub.Faults.BandwidthOptions.Parse"/>), timed by <see cref="Clock"/>; null is loopback speed.</summary>
    public HfHub.LocalHub.Faults.BandwidthOptions? Bandwidth { get; set; }

    /// <summary>
    /// The hub's clock: timestamps, token and signed-URL expiry. Null uses the system clock; tests
    /// pass their own to move time forward (e.g. past a signed upload URL's lifetime) without waiting.
    /// </summary>
    public TimeProvider? Clock { get; set; }

    /// <summary>
    /// Whether repos answer Xet (the Hub's storage for every new repo): <c>xetEnabled</c> in repo
    /// info, Xet in LFS batch answers when a client offers it, the token routes, Xet headers on
    /// resolve. False makes every repo without its own setting LFS-only; one repo is switched with
    /// <c>POST /_localhub/repos/{type}s/{ns}/{name}/xet {"enabled": false}</c>.
    /// </summary>
    public bool XetEnabledByDefault { get; set; } = true;

    /// <summary>How long a Xet (CAS) token is valid. The Hub's lifetime is not documented; clients refresh 30–60 s before expiry.</summary>
    public TimeSpan XetTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long the signed URLs of reconstructions (xorb ranges) and of the resolve bridge are valid.</summary>
    public TimeSpan XetUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How fast Spaces build, start and fall asleep (tests use <see cref="Spaces.SpaceTimings.Fast"/>).</summary>
    public Spaces.SpaceTimings Spaces { get; set; } = new();

    /// <summary>How fast Inference Endpoints start (pending, initializing).</summary>
    public HfHub.LocalHub.Endpoints.EndpointTimings Endpoints { get; set; } = new();

    /// <summary>Reads a seed file: a JSON array of <see cref="SeedUser"/>.</summary>
    public static IReadOnlyList<SeedUser> ReadSeedFile(string path)
    {
        using var stream = File.OpenRead(path);
        return System.Text.Json.JsonSerializer.Deserialize(stream, LocalHubJsonContext.Default.ListSeedUser) ?? [];
    }
}

/// <summary>A user (or organisation) to create at start-up if missing.</summary>
public sealed class SeedUser
{
    public string Name { get; set; } = "";
    public string? Fullname { get; set; }
    public string? Email { get; set; }
    /// <summary>True for an organisation.</summary>
    public bool IsOrg { get; set; }
    /// <summary>For organisations: members as <c>user:role</c> (role <c>admin</c>, <c>write</c>, <c>read</c>).</summary>
    public IList<string> Members { get; set; } = [];
    public IList<SeedToken> Tokens { get; set; } = [];
}

/// <summary>A token to create for a seeded user.</summary>
public sealed class SeedToken
{
    public string DisplayName { get; set; } = "seed";
    /// <summary><c>read</c> or <c>write</c>.</summary>
    public string Role { get; set; } = "write";
    /// <summary>A fixed value (<c>hf_</c> + 34 characters), or null for a random one.</summary>
    public string? Value { get; set; }
}
