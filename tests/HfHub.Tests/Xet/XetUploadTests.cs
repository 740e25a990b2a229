using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using HfCtl.Testing;
using HfHub.Auth;
using HfHub.Files;
using HfHub.Repos;
using HfHub.Tests.Files;

namespace HfHub.Tests.Xet;

/// <summary>Uploads through Xet against the local hub's CAS (xorbs and a shard instead of an LFS PUT), and what dedupe saves.</summary>
public sealed partial class XetUploadTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _home = FilesTesting.TempDir("hfhub-xet-up-");

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private HubClient Client(string token, ConcurrentQueue<string> trace, bool disableXet = false) =>
        FilesTesting.XetClient(hub, _home, token, trace.Enqueue, disableXet);

    private async Task<(HubClient Client, RepoId Repo, ConcurrentQueue<string> Trace)> RepoAsync(bool disableXet = false)
    {
        var (user, token) = await hub.CreateUserAsync();
        var trace = new ConcurrentQueue<string>();
        var client = Client(token, trace, disableXet);
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("u")}");
        await client.Repos.CreateAsync(repo);
        return (client, repo, trace);
    }

    [GeneratedRegex(@"transfer xet \((\d+) new bytes sent in xorbs, (\d+) bytes deduplicated\)")]
    private static partial Regex XetLine();

    private static (long New, long Deduped) Stats(IEnumerable<string> trace, string path)
    {
        var match = XetLine().Match(trace.Last(l => l.StartsWith(path + ": transfer xet", StringComparison.Ordinal)));
        return (long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_file_goes_up_as_xorbs_and_a_shard_and_comes_back_byte_exact_through_xet()
    {
        var (client, repo, trace) = await RepoAsync();
        var content = FilesTesting.RandomBytes(1_500_000, seed: 51);
        var local = Path.Combine(_home, "model.bin");
        await File.WriteAllBytesAsync(local, content);
        var counters = hub.Hub.XetCounters;
        var (xorbs, shards, lfs) = (counters.XorbUploads, counters.ShardUploads, counters.LfsUploads);
        var progress = new ConcurrentQueue<TransferProgress>();

        await client.Files.UploadFileAsync(repo, local, options: new UploadOptions { Progress = new Sync(progress.Enqueue) });

        Assert.True(counters.XorbUploads > xorbs, "the hub saw a xorb");
        Assert.Equal(shards + 1, counters.ShardUploads);
        Assert.Equal(lfs, counters.LfsUploads);
        Assert.DoesNotContain(trace, l => l.StartsWith("> PUT ", StringComparison.Ordinal));
        Assert.Equal((content.Length, 0L), Stats(trace, "model.bin"));
        var uploading = progress.Where(p => p.Stage == TransferStage.Uploading).Select(p => p.BytesDone).ToList();
        Assert.NotEmpty(uploading);
        Assert.True(uploading.SequenceEqual(uploading.Order()) && uploading[^1] == content.Length, "progress counts bytes sent, up to the file's size");

        var meta = await client.Files.GetFileMetadataAsync(repo, "model.bin");
        Assert.NotNull(meta.XetHash);
        Assert.Equal(FilesTesting.Sha256(content), meta.Etag);
        var path = await client.Files.DownloadFileAsync(repo, "model.bin");
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Contains(trace, l => l.StartsWith("model.bin: transfer xet (v2 reconstruction", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_upload_of_a_mostly_unchanged_file_sends_only_its_new_chunks()
    {
        var (client, repo, trace) = await RepoAsync();
        var content = FilesTesting.RandomBytes(2_000_000, seed: 52);
        var local = Path.Combine(_home, "db.sqlite");
        await File.WriteAllBytesAsync(local, content);
        await client.Files.UploadFileAsync(repo, local);
        Assert.True(Directory.EnumerateFiles(Path.Combine(_home, "xet"), "*", SearchOption.AllDirectories).Any(), "the local dedupe index lives under HF_HOME/xet");

        // A day later: 20 KB appended, and 100 bytes changed in the middle.
        var changed = content.Concat(FilesTesting.RandomBytes(20_000, seed: 53)).ToArray();
        for (var i = 0; i < 100; i++)
        {
            changed[1_000_000 + i] ^= 0xff;
        }
        await File.WriteAllBytesAsync(local, changed);
        await client.Files.UploadFileAsync(repo, local);

        var (fresh, deduped) = Stats(trace, "db.sqlite");
        Assert.True(fresh < changed.Length / 5, $"sent {fresh} new bytes of {changed.Length}");
        Assert.Equal(changed.Length, fresh + deduped);
        var path = await client.Files.DownloadFileAsync(repo, "db.sqlite");
        Assert.Equal(changed, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_file_repeating_its_own_content_is_stored_once_and_rebuilt_exactly()
    {
        var (client, repo, trace) = await RepoAsync();
        var block = FilesTesting.RandomBytes(1_000_000, seed: 54);
        var content = block.Concat(block).Concat(block).ToArray();
        await client.Files.UploadFileAsync(repo, new MemoryStream(content), "thrice.bin");

        var (fresh, deduped) = Stats(trace, "thrice.bin");
        Assert.True(deduped > block.Length, $"deduplicated {deduped}");
        Assert.Equal(content.Length, fresh + deduped);
        Assert.Equal(content, await File.ReadAllBytesAsync(await client.Files.DownloadFileAsync(repo, "thrice.bin")));
    }

    [Fact]
    public async Task A_local_index_naming_xorbs_the_hub_lacks_is_dropped_and_the_upload_sends_every_chunk()
    {
        var content = FilesTesting.RandomBytes(800_000, seed: 56);
        // Another hub (e.g. a local hub since reset) got this content first: the index names its xorbs.
        var other = new LocalHubFixture();
        await other.InitializeAsync();
        try
        {
            var (otherUser, otherToken) = await other.CreateUserAsync();
            using var otherClient = new HubClient(new HubClientOptions
            {
                Endpoint = other.Endpoint,
                Token = HfToken.FromValue(otherToken),
                Retry = FilesTesting.FastRetries,
                Environment = new HfEnvironment(name => name == "HF_HOME" ? _home : null, _home),
            });
            var otherRepo = RepoId.Parse($"{otherUser}/{LocalHubFixture.UniqueName("o")}");
            await otherClient.Repos.CreateAsync(otherRepo);
            await otherClient.Files.UploadFileAsync(otherRepo, new MemoryStream(content), "same.bin");
        }
        finally
        {
            await other.DisposeAsync();
        }
        var indexFile = Assert.Single(Directory.GetFiles(Path.Combine(_home, "xet", "chunk-index")));
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(new Uri($"{hub.EndpointText}/cas").AbsoluteUri.TrimEnd('/'))))[..16];
        File.Move(indexFile, Path.Combine(Path.GetDirectoryName(indexFile)!, key + ".bin"));

        var (client, repo, trace) = await RepoAsync();
        await client.Files.UploadFileAsync(repo, new MemoryStream(content), "same.bin");

        Assert.Contains(trace, l => l.StartsWith("the CAS refused the upload (", StringComparison.Ordinal) && l.EndsWith("retrying without the local dedupe index", StringComparison.Ordinal));
        Assert.Equal((content.Length, 0L), Stats(trace, "same.bin"));
        Assert.Equal(content, await File.ReadAllBytesAsync(await client.Files.DownloadFileAsync(repo, "same.bin")));
    }

    [Fact]
    public async Task HF_HUB_DISABLE_XET_uploads_through_lfs()
    {
        var (client, repo, trace) = await RepoAsync(disableXet: true);
        var content = FilesTesting.RandomBytes(200_000, seed: 55);
        var shards = hub.Hub.XetCounters.ShardUploads;

        await client.Files.UploadFileAsync(repo, new MemoryStream(content), "plain.bin");

        Assert.Equal(shards, hub.Hub.XetCounters.ShardUploads);
        Assert.Contains(trace, l => l.StartsWith("> PUT ", StringComparison.Ordinal));
        Assert.DoesNotContain(trace, l => l.Contains("transfer xet", StringComparison.Ordinal));
        var meta = await client.Files.GetFileMetadataAsync(repo, "plain.bin");
        Assert.Null(meta.XetHash);
    }

    private sealed class Sync(Action<TransferProgress> handler) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => handler(value);
    }
}
