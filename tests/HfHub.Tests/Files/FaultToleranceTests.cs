using HfCtl.Testing;
using HfHub.Files;
using HfHub.LocalHub;
using HfHub.LocalHub.Faults;
using HfHub.Repos;

namespace HfHub.Tests.Files;

/// <summary>A local hub that fails 10% of requests (500, 429, dropped connections, cut-off bodies).</summary>
public sealed class FaultyHubFixture : LocalHubFixture
{
    protected override void Configure(LocalHubOptions options)
    {
        options.LfsChunkSize = 32 * 1024;
        options.Faults = FaultOptions.Parse("rate=0.1,kinds=500+429+drop+truncate,seed=42,retry-after=0");
    }
}

public sealed class FaultToleranceTests(FaultyHubFixture hub) : IClassFixture<FaultyHubFixture>, IDisposable
{
    private readonly string _home = FilesTesting.TempDir("hfhub-faults-");

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Uploads_and_downloads_finish_with_correct_bytes_despite_a_10_percent_fault_rate()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = FilesTesting.Client(hub, token, _home);
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("f")}");
        await Retry(() => client.Repos.CreateAsync(repo, new CreateRepoOptions { ExistOk = true }));
        var files = new Dictionary<string, byte[]>
        {
            ["weights/a.bin"] = FilesTesting.RandomBytes(10 * 32 * 1024 + 5, 21), // 11 parts
            ["weights/b.bin"] = FilesTesting.RandomBytes(40_000, 22),
            ["config.json"] = "{\"layers\": 2}\n"u8.ToArray(),
        };
        for (var round = 0; round < 3; round++)
        {
            var commit = new CommitBuilder($"round {round}");
            foreach (var (path, bytes) in files)
            {
                bytes[0] = (byte)round; // new content every round
                commit.AddFile(path, bytes.ToArray());
            }
            var result = await client.Files.CommitAsync(repo, commit);
            Assert.True(result.Committed);

            var snapshot = await client.Files.SnapshotDownloadAsync(repo, new SnapshotOptions { Revision = result.CommitOid, MaxWorkers = 3 });
            foreach (var (path, bytes) in files)
            {
                Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(snapshot.Folder, path)));
            }
        }
        var injected = hub.Hub.Faults.Counts;
        Assert.True(injected.Values.Sum() >= 5, $"only {injected.Values.Sum()} faults were injected");
        Assert.True(injected.Count >= 3, "several kinds of fault were injected");
    }

    // Repo creation is not one of the operations under test; it is simply retried here.
    private static async Task Retry(Func<Task> action)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                await action();
                return;
            }
            catch (HfHub.Http.HubException) when (i < 10)
            {
            }
        }
    }
}
