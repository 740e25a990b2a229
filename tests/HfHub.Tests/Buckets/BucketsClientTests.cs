using System.Collections.Concurrent;
using HfCtl.Testing;
using HfHub.Buckets;
using HfHub.Files;
using HfHub.Http;
using HfHub.Repos;
using HfHub.Tests.Files;

namespace HfHub.Tests.Buckets;

/// <summary><c>client.Buckets</c> against the local hub: the bucket's life, its files through Xet, and batches that do not land whole.</summary>
public sealed class BucketsClientTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _home = FilesTesting.TempDir("hfhub-buckets-");

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private async Task<(HubClient Client, string User, ConcurrentQueue<string> Trace)> ClientAsync()
    {
        var (user, token) = await hub.CreateUserAsync();
        var trace = new ConcurrentQueue<string>();
        return (FilesTesting.XetClient(hub, _home, token, trace.Enqueue), user, trace);
    }

    private static BucketId NewBucket(string user) => BucketId.Parse($"{user}/{LocalHubFixture.UniqueName("b")}");

    private static async Task<List<T>> AllAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }

    [Fact]
    public async Task A_bucket_is_created_private_listed_moved_and_deleted()
    {
        var (client, user, _) = await ClientAsync();
        using var _client = client;
        var bucket = NewBucket(user);
        var url = await client.Buckets.CreateAsync(bucket);
        Assert.True(url.Created);
        Assert.Equal(new Uri($"{hub.EndpointText}/buckets/{bucket}"), url.Url);
        await Assert.ThrowsAsync<HubConflictException>(() => client.Buckets.CreateAsync(bucket));
        Assert.False((await client.Buckets.CreateAsync(bucket, new CreateBucketOptions { ExistOk = true })).Created);
        var open = NewBucket(user);
        await client.Buckets.CreateAsync(open, new CreateBucketOptions { Private = false, Region = BucketRegion.Eu });

        var info = await client.Buckets.GetAsync(bucket);
        Assert.True(info.Private);
        Assert.Equal(bucket, info.BucketId);
        Assert.Equal((0L, 0L), (info.Size, info.TotalFiles));
        Assert.False((await client.Buckets.GetAsync(open)).Private);
        var mine = await AllAsync(client.Buckets.ListAsync());
        Assert.Equal([bucket.ToString(), open.ToString()], mine.Select(b => b.Id).ToList());

        var moved = NewBucket(user);
        await client.Buckets.MoveAsync(bucket, moved);
        await Assert.ThrowsAsync<HubNotFoundException>(() => client.Buckets.GetAsync(bucket));
        Assert.True(await client.Buckets.DeleteAsync(moved));
        Assert.False(await client.Buckets.DeleteAsync(moved, missingOk: true));
        await Assert.ThrowsAsync<HubNotFoundException>(() => client.Buckets.DeleteAsync(moved));
    }

    [Fact]
    public async Task Files_go_up_through_xet_and_come_back_verified_with_their_tree_and_metadata()
    {
        var (client, user, trace) = await ClientAsync();
        using var _client = client;
        var bucket = NewBucket(user);
        await client.Buckets.CreateAsync(bucket);
        var big = FilesTesting.RandomBytes(300_000, seed: 7);
        var local = Path.Combine(_home, "weights.bin");
        await File.WriteAllBytesAsync(local, big);
        var mtime = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        File.SetLastWriteTimeUtc(local, mtime.UtcDateTime);
        var progress = new ConcurrentQueue<TransferProgress>();

        var result = await client.Buckets.BatchAsync(bucket,
        [
            new BucketAddFile("models/weights.bin", ContentSource.FromFile(local)),
            new BucketAddFile("notes/readme.md", ContentSource.FromBytes("# hello"u8.ToArray())),
            new BucketAddFile("empty.txt", ContentSource.FromBytes(Array.Empty<byte>())),
        ], new BucketBatchOptions { Progress = new SyncProgress<TransferProgress>(progress.Enqueue) });
        Assert.True(result.Success);
        Assert.Equal(3, result.Succeeded.Count);
        Assert.Contains(trace, l => l.StartsWith("models/weights.bin: transfer xet", StringComparison.Ordinal));
        Assert.Contains(progress, p => p.Path == "models/weights.bin" && p.Stage == TransferStage.Completed);

        var top = await AllAsync(client.Buckets.ListTreeAsync(bucket));
        Assert.Equal(["empty.txt", "models", "notes"], top.Select(e => e.Path).ToList());
        var all = await AllAsync(client.Buckets.ListTreeAsync(bucket, recursive: true));
        Assert.Equal(3, all.Count(e => e.IsFile));
        var weights = Assert.Single(await AllAsync(client.Buckets.ListTreeAsync(bucket, "models")));
        Assert.Equal(big.Length, weights.Size);
        Assert.Equal(mtime, weights.Mtime);
        Assert.Matches("^[0-9a-f]{64}$", weights.XetHash);

        var meta = await client.Buckets.GetFileMetadataAsync(bucket, "models/weights.bin");
        Assert.Equal((big.Length, weights.XetHash), (meta.Size, meta.XetHash));
        Assert.NotNull(meta.XetTokenUrl);
        Assert.Equal("text/markdown", (await client.Buckets.GetFileMetadataAsync(bucket, "notes/readme.md")).ContentType);

        var target = Path.Combine(_home, "down", "weights.bin");
        await client.Buckets.DownloadFileAsync(bucket, "models/weights.bin", target);
        Assert.Equal(big, await File.ReadAllBytesAsync(target));
        Assert.Contains(trace, l => l.StartsWith("models/weights.bin: transfer xet (v", StringComparison.Ordinal));
        Assert.False(File.Exists(target + ".incomplete"));
        var empty = Path.Combine(_home, "down", "empty.txt");
        await client.Buckets.DownloadFileAsync(bucket, "empty.txt", empty);
        Assert.Equal(0, new FileInfo(empty).Length);
        await Assert.ThrowsAsync<HubNotFoundException>(() => client.Buckets.DownloadFileAsync(bucket, "missing.bin", Path.Combine(_home, "down", "missing.bin")));
        Assert.False(File.Exists(Path.Combine(_home, "down", "missing.bin")));

        // paths-info goes in calls of at most 1000 paths.
        var asked = Enumerable.Range(0, 1500).Select(i => $"nope/{i}").Append("notes/readme.md").ToList();
        var found = await client.Buckets.GetPathsInfoAsync(bucket, asked);
        Assert.Equal(["notes/readme.md"], found.Select(e => e.Path).ToList());
        Assert.Equal(2, trace.Count(l => l.Contains("POST", StringComparison.Ordinal) && l.Contains("/paths-info", StringComparison.Ordinal) && l.StartsWith('>')));
    }

    [Fact]
    public async Task A_copy_moves_no_bytes_and_a_refused_line_is_reported_with_what_landed()
    {
        var (client, user, trace) = await ClientAsync();
        using var _client = client;
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("r")}");
        await client.Repos.CreateAsync(repo);
        var content = FilesTesting.RandomBytes(200_000, seed: 3);
        var local = Path.Combine(_home, "data.bin");
        await File.WriteAllBytesAsync(local, content);
        await client.Files.UploadFileAsync(repo, local);
        var xetHash = (await AllAsync(client.Files.ListTreeAsync(repo))).Single(e => e.Path == "data.bin").XetHash!;
        var bucket = NewBucket(user);
        await client.Buckets.CreateAsync(bucket);
        var xorbs = hub.Hub.XetCounters.XorbUploads;

        await client.Buckets.BatchAsync(bucket, [new BucketCopyFile("copied/data.bin", xetHash, BucketCopySource.FromRepo(repo))]);
        Assert.Equal(xorbs, hub.Hub.XetCounters.XorbUploads);
        var target = Path.Combine(_home, "copied.bin");
        await client.Buckets.DownloadFileAsync(bucket, "copied/data.bin", target);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));

        // A private repo of someone else: that line fails, the others land, and the exception says which is which.
        var (_, otherToken) = await hub.CreateUserAsync();
        using var other = FilesTesting.XetClient(hub, _home, otherToken, _ => { });
        var theirs = RepoId.Parse($"{(await other.WhoAmIAsync()).Name}/{LocalHubFixture.UniqueName("p")}");
        await other.Repos.CreateAsync(theirs, new CreateRepoOptions { Private = true });
        var error = await Assert.ThrowsAsync<BucketBatchException>(() => client.Buckets.BatchAsync(bucket,
        [
            new BucketAddFile("fine.txt", ContentSource.FromBytes("fine"u8.ToArray())),
            new BucketCopyFile("stolen.bin", xetHash, BucketCopySource.FromRepo(theirs)),
            new BucketDeleteFile("copied/data.bin"),
        ]));
        Assert.Equal(["fine.txt", "copied/data.bin"], error.Result.Succeeded);
        Assert.Equal("stolen.bin", Assert.Single(error.Result.Failed).Path);
        Assert.Empty(error.Result.NotApplied);
        Assert.Contains("2 of 3 operations landed", error.Message, StringComparison.Ordinal);
        Assert.Equal(["fine.txt"], (await AllAsync(client.Buckets.ListTreeAsync(bucket, recursive: true))).Select(e => e.Path).ToList());

        // A bad path is refused before anything is sent.
        var before = trace.Count(l => l.Contains("/batch", StringComparison.Ordinal));
        await Assert.ThrowsAsync<ArgumentException>(() => client.Buckets.BatchAsync(bucket, [new BucketDeleteFile("ok.txt"), new BucketDeleteFile("../up.txt")]));
        Assert.Equal(before, trace.Count(l => l.Contains("/batch", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task More_than_1000_operations_go_in_several_calls()
    {
        var (client, user, trace) = await ClientAsync();
        using var _client = client;
        var bucket = NewBucket(user);
        await client.Buckets.CreateAsync(bucket);
        var result = await client.Buckets.BatchAsync(bucket, Enumerable.Range(0, 2001).Select(i => new BucketDeleteFile($"f/{i}")));
        Assert.Equal(2001, result.Succeeded.Count);
        Assert.Equal(3, trace.Count(l => l.StartsWith('>') && l.Contains("POST", StringComparison.Ordinal) && l.Contains("/batch", StringComparison.Ordinal)));
    }
}
