using HfCtl.Testing;

namespace HfCtl.Tests.Conformance;

/// <summary>
/// The official JS client against the local hub's CAS: uploads of several sizes go through Xet
/// (xorbs and a shard, no LFS PUT), and downloads come back through its Xet reconstruction path.
/// </summary>
public sealed class XetConformanceTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task The_js_client_uploads_through_xet_and_downloads_through_reconstruction_byte_exact()
    {
        var (user, token) = await hub.CreateUserAsync("write");
        var result = await ConformanceRunner.RunAsync("xet-roundtrip.mjs", hub.EndpointText, token, user,
            new { admin = hub.Hub.AdminSecret, suffix = LocalHubFixture.UniqueName("r") });
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok xet-roundtrip", result.Stdout);
    }
}
