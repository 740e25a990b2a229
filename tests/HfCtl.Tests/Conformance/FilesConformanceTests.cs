using HfCtl.Testing;
using HfHub.LocalHub;

namespace HfCtl.Tests.Conformance;

/// <summary>A hub with a small multipart chunk and small listing pages, so the official client pages and uploads in parts.</summary>
public sealed class SmallChunkHubFixture : LocalHubFixture
{
    public const int ChunkSize = 256 * 1024;

    protected override void Configure(LocalHubOptions options)
    {
        options.LfsChunkSize = ChunkSize;
        options.ListPageSize = 2;
        options.TreePageSize = 2;
    }
}

/// <summary>The official JS client's repo and file calls against the local hub.</summary>
public sealed class FilesConformanceTests(SmallChunkHubFixture hub) : IClassFixture<SmallChunkHubFixture>
{
    [Fact]
    public async Task Repo_crud_and_paged_listings_match_the_official_client()
    {
        var (user, token) = await hub.CreateUserAsync("write");
        var result = await ConformanceRunner.RunAsync("repos-crud.mjs", hub.EndpointText, token, user);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok repos-crud", result.Stdout);
    }

    [Theory]
    [InlineData("dataset")]
    [InlineData("model")]
    public async Task Uploads_listings_and_downloads_match_the_official_client(string type)
    {
        var (user, token) = await hub.CreateUserAsync("write");
        var result = await ConformanceRunner.RunAsync("files-roundtrip.mjs", hub.EndpointText, token, user,
            new { type, multipartSize = SmallChunkHubFixture.ChunkSize * 3 + 1000 });
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok files-roundtrip", result.Stdout);
    }
}
