using HfCtl.Testing;
using HfHub.Files;
using HfHub.Repos;

namespace HfHub.Tests.Files;

/// <summary>The public pieces HfHub.Persistence is built on, tested as any caller would use them.</summary>
public sealed class StreamAndHistoryTests(SmallChunkHubFixture hub) : IClassFixture<SmallChunkHubFixture>, IDisposable
{
    private readonly string _home = FilesTesting.TempDir("hfhub-stream-");

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private async Task<(HubClient Client, RepoId Repo)> NewDatasetAsync()
    {
        var (user, token) = await hub.CreateUserAsync();
        var client = FilesTesting.Client(hub, token, _home);
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("d")}");
        await client.Repos.CreateAsync(repo, new CreateRepoOptions { Type = RepoType.Dataset, Private = true });
        return (client, repo);
    }

    [Fact]
    public async Task A_file_streams_into_a_callers_stream_byte_exact_at_the_revision_asked_for()
    {
        var (client, repo) = await NewDatasetAsync();
        using var _ = client;
        var first = FilesTesting.RandomBytes(300_000, 11);
        var second = FilesTesting.RandomBytes(1000, 12);
        var one = await client.Files.CommitAsync(repo, new CommitBuilder("one").AddFile("blob.bin", first), new CommitOptions { Type = RepoType.Dataset });
        await client.Files.CommitAsync(repo, new CommitBuilder("two").AddFile("blob.bin", second), new CommitOptions { Type = RepoType.Dataset });

        using var latest = new MemoryStream();
        await client.Files.DownloadToStreamAsync(repo, "blob.bin", latest, RepoType.Dataset);
        using var old = new MemoryStream();
        await client.Files.DownloadToStreamAsync(repo, "blob.bin", old, RepoType.Dataset, one.CommitOid);

        Assert.Equal(second, latest.ToArray());
        Assert.Equal(first, old.ToArray());
        await Assert.ThrowsAsync<HfHub.Http.HubNotFoundException>(() => client.Files.DownloadToStreamAsync(repo, "missing.bin", new MemoryStream(), RepoType.Dataset));
    }

    [Fact]
    public async Task A_super_squash_leaves_one_commit_with_the_branchs_current_files()
    {
        var (client, repo) = await NewDatasetAsync();
        using var _ = client;
        for (var i = 0; i < 3; i++)
        {
            await client.Files.CommitAsync(repo, new CommitBuilder($"c{i}").AddFile("n.txt", System.Text.Encoding.UTF8.GetBytes($"v{i}")), new CommitOptions { Type = RepoType.Dataset });
        }

        await client.Files.SuperSquashAsync(repo, "main", "squashed", RepoType.Dataset);

        var commits = new List<CommitInfo>();
        await foreach (var c in client.Files.ListCommitsAsync(repo, RepoType.Dataset))
        {
            commits.Add(c);
        }
        var only = Assert.Single(commits);
        Assert.Equal("squashed", only.Title);
        using var body = new MemoryStream();
        await client.Files.DownloadToStreamAsync(repo, "n.txt", body, RepoType.Dataset);
        Assert.Equal("v2", System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }
}
