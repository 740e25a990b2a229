using HfCtl.Bench.Load;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests.Security;

/// <summary>
/// A short run of the load benchmark's driver (bench/load): 50 concurrent clients of mixed API
/// calls and whole and Range downloads for 3 s, every answer checked byte for byte. It asserts
/// correctness under concurrency only — zero errors — never speed (the figures are in
/// RELIABILITY.md, from bench/load/run.sh).
/// </summary>
public sealed class LoadSmokeTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task Fifty_concurrent_clients_get_only_correct_answers()
    {
        var (_, token) = await hub.CreateUserAsync();
        var driver = new LoadDriver(hub.Endpoint, token);
        await driver.SeedAsync();

        var result = await driver.RunAsync(clients: 50, duration: TimeSpan.FromSeconds(3), warmUp: TimeSpan.FromMilliseconds(300));

        Assert.True(result.Errors == 0, result.Describe());
        Assert.All(result.RequestsByKind, kind => Assert.True(kind.Value > 0, $"no {kind.Key} request ran: {result.Describe()}"));
    }
}
