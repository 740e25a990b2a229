using System.Net.Http.Json;
using System.Text.Json;
using HfHub.LocalHub;

namespace HfCtl.Testing;

/// <summary>
/// One ephemeral local hub per test class (real Kestrel on a free loopback port, real SQLite in a
/// temp folder). Tests make their own users, tokens and repos with unique names, so they can run
/// in parallel without cleaning up.
/// </summary>
public class LocalHubFixture : IAsyncLifetime
{
    private readonly HttpClient _admin = new();
    private LocalHubServer? _hub;

    public LocalHubServer Hub => _hub ?? throw new InvalidOperationException("hub not started");
    public Uri Endpoint => Hub.Endpoint;
    public string EndpointText => Hub.Endpoint.ToString().TrimEnd('/');
    public string DemoToken => Hub.DemoToken!;

    protected virtual void Configure(LocalHubOptions options) { }

    public async Task InitializeAsync()
    {
        var options = new LocalHubOptions();
        Configure(options);
        _hub = await LocalHubServer.StartAsync(options);
        _admin.BaseAddress = Hub.Endpoint;
        _admin.DefaultRequestHeaders.Add("X-LocalHub-Admin", Hub.AdminSecret);
        SecretCanary.Register(Hub.AdminSecret, "a test hub's admin secret");
        SecretCanary.Register(Hub.DemoToken, "a test hub's demo token");
        await SeedAsync();
    }

    /// <summary>What a fixture puts on its hub once it runs, before any test.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        if (_hub is not null)
        {
            await _hub.DisposeAsync();
        }
    }

    /// <summary>A fresh, unique user name.</summary>
    public static string UniqueName(string prefix = "u") => $"{prefix}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 12, 40)];

    /// <summary>Creates a user (through the admin route) and returns a token of the given role.</summary>
    public async Task<(string User, string Token)> CreateUserAsync(string role = "write", string? name = null)
    {
        name ??= UniqueName();
        (await _admin.PostAsJsonAsync("/_localhub/users", new { name })).EnsureSuccessStatusCode();
        var token = await CreateTokenAsync(name, role);
        return (name, token);
    }

    public Task<string> CreateTokenAsync(string user, string role = "write", string displayName = "test") =>
        CreateTokenAsync(new { user, role, displayName }, $"the {role} token of {user}");

    /// <summary>
    /// Creates a token from a raw admin body, e.g. <c>new { user, role, kind = "oauth" }</c> or a fine-grained one
    /// with <c>fineGrained = new { global, scoped }</c> (see the local hub's <c>POST /_localhub/tokens</c>).
    /// </summary>
    public async Task<string> CreateTokenAsync(object request, string what)
    {
        var response = await _admin.PostAsJsonAsync("/_localhub/tokens", request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var token = body.RootElement.GetProperty("token").GetString()!;
        SecretCanary.Register(token, what);
        return token;
    }

    public async Task CreateOrgAsync(string org, params (string User, string Role)[] members)
    {
        (await _admin.PostAsJsonAsync("/_localhub/orgs", new { name = org })).EnsureSuccessStatusCode();
        foreach (var (user, role) in members)
        {
            (await _admin.PostAsJsonAsync($"/_localhub/orgs/{org}/members", new { user, role })).EnsureSuccessStatusCode();
        }
    }

    /// <summary>Switches the hub's fault injection at runtime (a spec as for <c>hfctl localhub serve --faults</c>; <c>off</c> for none).</summary>
    public async Task SetFaultsAsync(string spec) =>
        (await _admin.PostAsJsonAsync("/_localhub/faults", new { spec })).EnsureSuccessStatusCode();

    /// <summary>Seeds a canonical repo (no namespace, like <c>gpt2</c>) owned by <paramref name="owner"/>, through the admin API.</summary>
    public async Task CreateCanonicalRepoAsync(string type, string name, string owner, params (string Path, string Content)[] files)
    {
        var response = await _admin.PostAsJsonAsync("/_localhub/canonical-repos",
            new { type, name, owner, files = files.Select(f => new { path = f.Path, content = f.Content }).ToArray() });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Makes <paramref name="user"/> like a repo, as a click on its page would (scripts cannot like).</summary>
    public async Task LikeAsync(string user, string type, string repo) =>
        (await _admin.PostAsJsonAsync("/_localhub/likes", new { user, type, repo })).EnsureSuccessStatusCode();

    /// <summary>Makes an existing Space an official template (what the Hub's allowlist is for its own).</summary>
    public async Task RegisterSpaceTemplateAsync(string name, string repoId, bool preferredPrivate = false)
    {
        var response = await _admin.PostAsJsonAsync("/_localhub/space-templates", new { name, repoId, preferredPrivate });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task RevokeAsync(string token) =>
        (await _admin.PostAsJsonAsync("/_localhub/tokens/revoke", new { token })).EnsureSuccessStatusCode();

    /// <summary>An HTTP client for raw protocol tests, optionally authenticated.</summary>
    public HttpClient RawClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Hub.Endpoint };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
        return client;
    }
}
