using System.Globalization;
using System.Net;
using HfHub.LocalHub.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HfHub.LocalHub;

/// <summary>
/// A running local hub: real Kestrel on loopback, real SQLite, real HTTP. Start one per test
/// class, or embedded for one hfctl command, or as a long-lived server for other clients.
/// </summary>
public sealed class LocalHubServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string? _ephemeralDirectory;

    private LocalHubServer(WebApplication app, HubState state, string? ephemeralDirectory, string? demoToken, bool demoIsNew)
    {
        _app = app;
        State = state;
        _ephemeralDirectory = ephemeralDirectory;
        DemoToken = demoToken;
        DemoAccountIsNew = demoIsNew;
    }

    /// <summary>The address to give clients (<c>HF_ENDPOINT</c>), without a trailing slash.</summary>
    public Uri Endpoint => State.Endpoint;

    /// <summary>The secret for the <c>/_localhub/</c> admin routes.</summary>
    public string AdminSecret => State.AdminSecret;

    /// <summary>The demo account's write token, when a demo account is seeded.</summary>
    public string? DemoToken { get; }

    /// <summary>True when this start created the demo account (a fresh hub folder): the moment to seed demo content.</summary>
    public bool DemoAccountIsNew { get; }

    /// <summary>The store and settings behind the routes, for this assembly and its white-box tests.</summary>
    internal HubState State { get; }

    /// <summary>The fault-injection switch: what the start-up options set, changeable while the hub runs.</summary>
    public Faults.FaultInjector Faults => State.Faults;

    /// <summary>What the CAS (and the LFS storage) received since start: which transfer path clients took.</summary>
    public Cas.CasCounters XetCounters => State.Cas.Counters;

    /// <summary>Bytes of chunk data the CAS keeps on disk (every distinct chunk once).</summary>
    public long XetChunkBytesOnDisk() => State.Cas.ChunkBytesOnDisk();

    /// <summary>Starts a hub and returns once it accepts connections.</summary>
    public static async Task<LocalHubServer> StartAsync(LocalHubOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalHubOptions();
        var ephemeral = options.DataDirectory is null
            ? Path.Combine(Path.GetTempPath(), "hfctl-localhub-" + Guid.NewGuid().ToString("N"))
            : null;
        var dataDirectory = options.DataDirectory ?? ephemeral!;
        Directory.CreateDirectory(dataDirectory);

        HubState state;
        (string? Token, bool IsNew) seeded;
        try
        {
            state = new HubState(options, dataDirectory, options.Clock ?? TimeProvider.System);
            seeded = Seed(state);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            // What the user can act on: which file, what SQLite said, and the way out.
            var database = Path.Combine(dataDirectory, "hub.db");
            throw new IOException($"the local hub's database {database} is damaged ({SqliteErrorText(e)}); move the folder {dataDirectory} aside to start a fresh local hub", e);
        }
        var (demoToken, demoIsNew) = seeded;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.Limits.MaxRequestBodySize = null; // LFS parts and regular uploads can be large
            kestrel.AddServerHeader = false;
        });

        var app = builder.Build();
        HubRequestPipeline.Configure(app, state);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        state.Endpoint = options.PublicEndpoint ?? new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        return new LocalHubServer(app, state, ephemeral, demoToken, demoIsNew);
    }

    /// <summary>SQLite's own words without the wrapper's "SQLite Error 11: '…'." frame and link.</summary>
    internal static string SqliteErrorText(Microsoft.Data.Sqlite.SqliteException e)
    {
        var text = e.Message;
        var quote = text.IndexOf('\'', StringComparison.Ordinal);
        if (text.StartsWith("SQLite Error", StringComparison.Ordinal) && quote > 0)
        {
            text = text[(quote + 1)..].TrimEnd('.').TrimEnd('\'');
        }
        var link = text.IndexOf(" For more information", StringComparison.Ordinal);
        return (link >= 0 ? text[..link] : text).ReplaceLineEndings(" ").Trim();
    }

    /// <summary>Creates the demo account and the configured seed; returns the demo write token.</summary>
    private static (string? Token, bool IsNew) Seed(HubState state)
    {
        foreach (var seed in state.Options.Seed.OrderBy(s => s.IsOrg))
        {
            var account = state.Accounts.Ensure(seed.Name, seed.IsOrg ? "org" : "user", seed.Fullname, seed.Email);
            foreach (var member in seed.Members)
            {
                var parts = member.Split(':', 2);
                if (state.Accounts.Find(parts[0]) is { IsOrg: false } user)
                {
                    state.Accounts.AddMember(account, user, parts.Length > 1 ? parts[1] : "write");
                }
            }
            foreach (var token in seed.Tokens.Where(t => t.Value is null || state.Accounts.Authenticate(t.Value) is null))
            {
                state.Accounts.CreateToken(account, token.DisplayName, token.Role, token.Value);
            }
        }
        if (state.Options.DemoUser is not { } demoName)
        {
            return (null, false);
        }
        var demo = state.Accounts.Ensure(demoName, "user", "Local Hub Demo");
        var existing = state.Accounts.FindToken(demo, "hfctl-local");
        return existing is not null ? (existing.Value, false) : (state.Accounts.CreateToken(demo, "hfctl-local", "write").Value, true);
    }

    /// <summary>Runs until the token is cancelled (for <c>hfctl local-hub serve</c>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ephemeralDirectory is not null)
        {
            try
            {
                Directory.Delete(_ephemeralDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open elsewhere; the temp folder is cleaned by the system later.
            }
        }
    }
}
