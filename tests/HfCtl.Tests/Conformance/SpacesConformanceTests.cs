using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.LocalHub;
using HfHub.LocalHub.Spaces;
using HfHub.Spaces;

namespace HfCtl.Tests.Conformance;

/// <summary>A Spaces hub with small listing pages, so the official client has to follow Link headers.</summary>
public sealed class SmallPageSpacesHubFixture : LocalHubFixture
{
    protected override void Configure(LocalHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Spaces = SpaceTimings.Fast();
        options.ListPageSize = 7;
    }
}

/// <summary>The official JS client's Spaces calls (listSpaces, spaceInfo with runtime, createRepo of a Space) against the local hub.</summary>
public sealed class SpacesConformanceTests(SmallPageSpacesHubFixture hub) : IClassFixture<SmallPageSpacesHubFixture>
{
    private static readonly SpaceWaitOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(20) };

    private HubClient Client(string token) => new(new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token) });

    private static SpaceCreateOptions Docker => new()
    {
        Sdk = "docker",
        Files = [new SpaceFile("Dockerfile", System.Text.Encoding.UTF8.GetBytes(SpacesHubFixture.GoodDockerfile))],
    };

    [Fact]
    public async Task CreateRepo_of_a_space_matches_the_official_client()
    {
        var (user, token) = await hub.CreateUserAsync();
        var result = await ConformanceRunner.RunAsync("spaces-create.mjs", hub.EndpointText, token, user);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok spaces-create", result.Stdout);
    }

    [Fact]
    public async Task SpaceInfo_with_runtime_matches_the_official_client()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var space = $"{user}/Conformance_Info";
        await client.Spaces.CreateAsync(space, Docker);
        await client.Spaces.WaitAsync(space, Fast);
        var info = await client.Spaces.GetAsync(space);
        var result = await ConformanceRunner.RunAsync("spaces-info.mjs", hub.EndpointText, token, user,
            new { space, subdomain = info.Subdomain, host = info.Host });
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok spaces-info", result.Stdout);
    }

    [Fact]
    public async Task ListSpaces_matches_the_official_client_across_pages()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        const int count = 20;
        for (var i = 0; i < count; i++)
        {
            await client.Spaces.CreateAsync($"{user}/list-{i:000}", i == 0 ? Docker : new SpaceCreateOptions { Sdk = "docker" });
        }
        await client.Spaces.WaitAsync($"{user}/list-000", Fast);
        var result = await ConformanceRunner.RunAsync("spaces-list.mjs", hub.EndpointText, token, user, new { count });
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok spaces-list", result.Stdout);
    }
}
