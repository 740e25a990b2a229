using System.Text;
using HfCtl.Testing;
using HfHub.Auth;
using HfHub.Files;
using HfHub.Http;
using HfHub.Repos;

namespace HfHub.Tests.Http;

/// <summary>
/// The pipeline's redirects and waits against the local hub: a 307/308 keeps method and body
/// (the Hub's answer for a renamed repo), a 303 becomes a GET, and a rate-limited commit waits for
/// the reset its <c>RateLimit</c> header names. Faults are switched per test on this class's own hub.
/// </summary>
public sealed class ResilienceEndToEndTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("hfhub-resilience-").FullName;

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_POST_redirected_with_307_or_308_creates_the_repo_at_the_new_location(int status)
    {
        var (answer, created) = await CreateRepoThroughRedirectAsync(status);
        Assert.True(answer is >= 200 and < 300, $"the Hub answered {answer}");
        Assert.True(created);
    }

    [Fact]
    public async Task A_POST_redirected_with_303_becomes_a_GET_and_creates_nothing()
    {
        var (answer, created) = await CreateRepoThroughRedirectAsync(303);
        Assert.False(answer is >= 200 and < 300, $"a GET of api/repos/create answered {answer}");
        Assert.False(created);
    }

    [Fact]
    public async Task A_rate_limited_commit_waits_for_the_reset_the_RateLimit_header_names_and_lands_once()
    {
        var (user, token) = await hub.CreateUserAsync();
        var trace = new List<string>();
        var retry = new RetryPolicy { MaxRetries = 8, BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) };
        using var client = Client(token, retry, line => { lock (trace) { trace.Add(line); } });
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("r")}");
        await client.Repos.CreateAsync(repo);
        await client.Files.UploadFileAsync(repo, new MemoryStream("one"u8.ToArray()), "a.txt");
        try
        {
            // Retry-After 0 and RateLimit t=0: only the RateLimit reset (t + 1 s) makes the client wait.
            // Seed 4 at rate 0.5 faults the first commit POST and spares the second.
            await hub.SetFaultsAsync($"rate=0.5,kinds=429,seed=4,retry-after=0,methods=POST,paths=/api/models/{repo}/commit/");
            await client.Files.UploadFileAsync(repo, new MemoryStream("two"u8.ToArray()), "a.txt", new UploadOptions { CommitMessage = "second" });
        }
        finally
        {
            await hub.SetFaultsAsync("off");
        }
        Assert.Equal(["retry 1/8 after 429, waiting 1000 ms"], trace.Where(line => line.StartsWith("retry ", StringComparison.Ordinal)));
        var titles = new List<string>();
        await foreach (var commit in client.Files.ListCommitsAsync(repo))
        {
            titles.Add(commit.Title);
        }
        Assert.Single(titles, "second");
    }

    /// <summary>POSTs a repo creation through the local hub's redirect route; returns the final status and whether the repo exists.</summary>
    private async Task<(int Status, bool Created)> CreateRepoThroughRedirectAsync(int status)
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token, RetryPolicy.None);
        var name = LocalHubFixture.UniqueName("r");
        using var request = new HttpRequestMessage(HttpMethod.Post, client.Url($"_localhub/redirect/{status}/api/repos/create"))
        {
            Content = new StringContent($"{{\"name\":\"{name}\",\"type\":\"model\"}}", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await client.Repos.ExistsAsync(RepoId.Parse($"{user}/{name}")));
    }

    private HubClient Client(string token, RetryPolicy retry, Action<string>? trace = null) => new(new HubClientOptions
    {
        Endpoint = hub.Endpoint,
        Token = HfToken.FromValue(token),
        Retry = retry,
        HttpTrace = trace,
        Environment = new HfEnvironment(name => name == "HF_HOME" ? _home : null, _home),
    });

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
