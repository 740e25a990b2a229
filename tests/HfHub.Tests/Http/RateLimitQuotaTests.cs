using HfCtl.Testing;
using HfHub.Auth;
using HfHub.Http;
using HfHub.LocalHub;
using HfHub.LocalHub.Faults;

namespace HfHub.Tests.Http;

/// <summary>A hub whose API quota is two calls per two-second window.</summary>
public sealed class ShortWindowHubFixture : LocalHubFixture
{
    protected override void Configure(LocalHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RateLimits = RateLimitOptions.Parse("api=2,window=2");
    }
}

/// <summary>
/// The client against the local hub's quotas, which answer with the Hub's <c>RateLimit</c> and
/// <c>RateLimit-Policy</c> headers and no <c>Retry-After</c>: the <c>RateLimit</c> reset alone must make it wait.
/// </summary>
public sealed class RateLimitQuotaTests(ShortWindowHubFixture hub) : IClassFixture<ShortWindowHubFixture>, IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("hfhub-ratelimit-").FullName;

    private HubClient Client(string token, RetryPolicy retry, Action<string>? trace = null) => new(new HubClientOptions
    {
        Endpoint = hub.Endpoint,
        Token = HfToken.FromValue(token),
        Retry = retry,
        HttpTrace = trace,
        Environment = new HfEnvironment(name => name == "HF_HOME" ? _home : null, _home),
    });

    [Fact]
    public async Task A_call_past_the_quota_waits_for_the_window_to_reset_then_succeeds()
    {
        var (user, token) = await hub.CreateUserAsync();
        var trace = new List<string>();
        using var client = Client(token, RetryPolicy.Default, line => { lock (trace) { trace.Add(line); } });
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(user, (await client.WhoAmIAsync()).Name);
        }
        // Two calls fit a window, so five quick ones cannot all land without waiting for a reset.
        var retries = trace.Where(line => line.StartsWith("retry ", StringComparison.Ordinal)).ToList();
        Assert.True(retries.Count >= 1, string.Join('\n', trace));
        Assert.All(retries, line => Assert.Matches("^retry 1/5 after 429, waiting [1-3]000 ms$", line));
    }

    [Fact]
    public async Task Without_retries_the_429_says_how_long_to_wait()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = Client(token, RetryPolicy.None);
        var refused = await Assert.ThrowsAsync<HubRateLimitedException>(async () =>
        {
            for (var i = 0; i < 5; i++) // five: however the calls straddle a window's end, one window gets three
            {
                await client.WhoAmIAsync();
            }
        });
        Assert.Contains("rate limit", refused.Message, StringComparison.Ordinal);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
