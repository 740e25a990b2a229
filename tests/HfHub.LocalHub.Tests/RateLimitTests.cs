using System.Net;
using HfCtl.Testing;
using HfHub.LocalHub.Faults;
using HfHub.LocalHub.Tests.Security;

namespace HfHub.LocalHub.Tests;

/// <summary>A hub with small quotas, on a clock that starts at the beginning of a five-minute window.</summary>
public sealed class RateLimitedHubFixture : LocalHubFixture
{
    public ShiftedClock Clock { get; } = new();

    protected override void Configure(LocalHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = Clock.GetUtcNow().ToUnixTimeSeconds();
        Clock.Advance(TimeSpan.FromSeconds(300 - (now % 300))); // a whole window ahead of the test, so no reset comes by chance
        options.Clock = Clock;
        options.RateLimits = RateLimitOptions.Parse("api=3,resolvers=2");
    }
}

/// <summary>Quotas per caller and pool in fixed windows, with the Hub's <c>RateLimit</c> headers.</summary>
public sealed class RateLimitTests(RateLimitedHubFixture hub) : IClassFixture<RateLimitedHubFixture>
{
    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    /// <summary>Asserts <c>"pool";r=N;t=T</c> with the remaining count given and a reset within the window.</summary>
    private static void AssertRateLimit(HttpResponseMessage response, string pool, int remaining)
    {
        var match = System.Text.RegularExpressions.Regex.Match(Header(response, "RateLimit"), "^\"(\\w+)\";r=(\\d+);t=(\\d+)$");
        Assert.True(match.Success, Header(response, "RateLimit"));
        Assert.Equal(pool, match.Groups[1].Value);
        Assert.Equal(remaining, int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), 1, 300);
    }

    [Fact]
    public async Task Each_answer_counts_down_and_the_call_past_the_quota_gets_429_until_the_window_ends()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync(LocalHubFixture.UniqueName("limited"));   // API call 1
        await client.CommitOkAsync(repo, "file", HubFiles.File("a.txt", "a"));              // API call 2
        var third = await client.GetAsync("/api/whoami-v2");
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        AssertRateLimit(third, "api", 0);
        Assert.Equal("\"fixed window\";\"api\";q=3;w=300", Header(third, "RateLimit-Policy"));

        var refused = await client.GetAsync("/api/whoami-v2");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        AssertRateLimit(refused, "api", 0);
        Assert.Contains("rate limit", Header(refused, "X-Error-Message"), StringComparison.Ordinal);

        // Downloads are their own pool.
        var download = await client.GetAsync($"/{repo}/resolve/main/a.txt");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        AssertRateLimit(download, "resolvers", 1);

        // Another user has a quota of their own.
        using var other = hub.RawClient((await hub.CreateUserAsync()).Token);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/whoami-v2")).StatusCode);

        hub.Clock.Advance(TimeSpan.FromMinutes(5));
        var next = await client.GetAsync("/api/whoami-v2");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        AssertRateLimit(next, "api", 2);
    }

    [Fact]
    public async Task Admin_routes_are_never_limited_and_bad_specs_say_what_is_expected()
    {
        using var admin = hub.RawClient();
        for (var i = 0; i < 5; i++)
        {
            var health = await admin.GetAsync("/_localhub/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.False(health.Headers.Contains("RateLimit"));
        }
        Assert.Equal("'api=0': expected api=N with N a whole number of at least 1", Assert.Throws<FormatException>(() => RateLimitOptions.Parse("api=0")).Message);
        Assert.Equal("unknown rate-limit pool 'pages' (api, resolvers, window)", Assert.Throws<FormatException>(() => RateLimitOptions.Parse("pages=10")).Message);
        Assert.Equal(TimeSpan.FromSeconds(60), RateLimitOptions.Parse("api=10,window=60").Window);
    }
}
