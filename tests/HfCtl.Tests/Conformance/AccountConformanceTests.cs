using HfCtl.Testing;

namespace HfCtl.Tests.Conformance;

/// <summary>The official JS client's account calls against the local hub.</summary>
public sealed class AccountConformanceTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task WhoAmI_matches_the_official_client()
    {
        var (user, token) = await hub.CreateUserAsync("write");
        var result = await ConformanceRunner.RunAsync("whoami.mjs", hub.EndpointText, token, user);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok whoami", result.Stdout);
    }
}
