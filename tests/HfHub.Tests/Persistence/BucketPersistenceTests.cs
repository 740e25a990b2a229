using System.Security.Cryptography;
using HfCtl.Testing;
using HfHub.Buckets;
using HfHub.Http;
using HfHub.Persistence;
using HfHub.Tests.Files;

namespace HfHub.Tests.Persistence;

/// <summary>PersistenceManager with a bucket target, against a real local hub: rolling versions, a pointer written last, conflicts without commits.</summary>
public sealed class BucketPersistenceTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfpersist-bucket-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private HubClient Client(string token) => FilesTesting.XetClient(hub, Path.Combine(_dir, "home"), token, _ => { });

    private PersistenceManager Manager(HubClient client, string bucket, Action<PersistenceOptions>? configure = null)
    {
        var options = new PersistenceOptions { Client = client, TempDirectory = _dir };
        configure?.Invoke(options);
        return PersistenceManager.ForBucket(bucket, options);
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static async Task<List<BucketEntry>> FilesAsync(HubClient client, string bucket)
    {
        var files = new List<BucketEntry>();
        await foreach (var entry in client.Buckets.ListTreeAsync(BucketId.Parse(bucket), recursive: true))
        {
            if (entry.IsFile)
            {
                files.Add(entry);
            }
        }
        return files;
    }

    /// <summary>The version folders a path has in the bucket, whatever the pointer says.</summary>
    private static async Task<List<string>> VersionFoldersAsync(HubClient client, string bucket, string prefix, string path)
    {
        var folder = $"{(prefix.Length == 0 ? "" : prefix + "/")}.hfpersist/{path}/versions/";
        return [.. (await FilesAsync(client, bucket)).Where(f => f.Path.StartsWith(folder, StringComparison.Ordinal)).Select(f => f.Path[folder.Length..].Split('/')[0]).Distinct().Order(StringComparer.Ordinal)];
    }

    private static async Task<List<PersistVersion>> HistoryAsync(PersistenceManager manager, string path)
    {
        var versions = new List<PersistVersion>();
        await foreach (var version in manager.GetHistoryAsync(path))
        {
            versions.Add(version);
        }
        return versions;
    }

    [Fact]
    public async Task A_live_database_saved_to_a_new_private_bucket_restores_byte_for_byte_and_a_second_save_sends_nothing()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var bucket = $"{user}/app-data";
        using var manager = Manager(client, $"hf://buckets/{bucket}/space");
        var db = PersistTestData.Database(PathOf("live.db"), 256);
        using var live = PersistTestData.OpenWal(db);
        PersistTestData.Exec(live, "INSERT INTO rows(payload) VALUES ('hello from the wal')");

        var saved = await manager.SaveAsync(db, "db/data.sqlite");
        var restored = PathOf("restored.db");
        var back = await manager.RestoreAsync("db/data.sqlite", restored);

        Assert.True(manager.IsBucket);
        Assert.Equal($"hf://buckets/{bucket}/space", manager.Target);
        Assert.False(saved.SkippedUnchanged);
        Assert.Equal(SnapshotKind.Sqlite, saved.Kind);
        Assert.True((await client.Buckets.GetAsync(BucketId.Parse(bucket))).Private);
        Assert.Equal(RestoreOutcome.Restored, back.Outcome);
        Assert.Equal(saved.CommitId, back.Version);
        Assert.Equal(saved.Sha256, Sha256Of(restored));
        Assert.Equal(saved.Size, new FileInfo(restored).Length);
        Assert.True(PersistTestData.HasPayload(restored, "hello from the wal"));
        Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(restored));
        // What a user browsing the bucket finds: the snapshot, its manifest and the pointer, under the prefix.
        var files = (await FilesAsync(client, bucket)).Select(f => f.Path).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
        [
            "space/.hfpersist/db/data.sqlite/current.json",
            $"space/.hfpersist/db/data.sqlite/versions/{saved.CommitId}/data.sqlite",
            $"space/.hfpersist/db/data.sqlite/versions/{saved.CommitId}/manifest.json",
        ], files);

        // Unchanged: no xorb leaves, whether the file is recognised as untouched or snapshotted again after a touch.
        var xorbs = hub.Hub.XetCounters.XorbUploads;
        var again = await manager.SaveAsync(db, "db/data.sqlite");
        File.SetLastWriteTimeUtc(db, DateTime.UtcNow.AddMinutes(1));
        var touched = await manager.SaveAsync(db, "db/data.sqlite");
        Assert.True(again.SkippedUnchanged);
        Assert.True(touched.SkippedUnchanged);
        Assert.Equal(saved.CommitId, touched.CommitId);
        Assert.Equal(xorbs, hub.Hub.XetCounters.XorbUploads);
        Assert.Single(await HistoryAsync(manager, "db/data.sqlite"));

        // One row more in a 256 KiB database: Xet sends the changed chunks, not the database again.
        var onDisk = hub.Hub.XetChunkBytesOnDisk();
        PersistTestData.Exec(live, "INSERT INTO rows(payload) VALUES ('one more row')");
        var changed = await manager.SaveAsync(db, "db/data.sqlite");
        Assert.False(changed.SkippedUnchanged);
        var added = hub.Hub.XetChunkBytesOnDisk() - onDisk;
        Assert.True(added < changed.Size / 2, $"{added} new chunk bytes stored for a {changed.Size}-byte database with one new row");
        Assert.Equal([changed.CommitId, saved.CommitId], (await HistoryAsync(manager, "db/data.sqlite")).Select(v => v.CommitId));
    }

    [Fact]
    public async Task Keep_two_leaves_two_versions_after_four_saves_and_the_older_one_restores()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var bucket = $"{user}/rolling";
        using var manager = Manager(client, bucket, o => o.KeepVersions = 2);
        var db = PersistTestData.Database(PathOf("rolling.db"), 16);
        var saves = new List<SaveResult>();
        for (var i = 1; i <= 4; i++)
        {
            PersistTestData.Insert(db, $"save {i}");
            saves.Add(await manager.SaveAsync(db, "data.sqlite"));
        }

        var history = await HistoryAsync(manager, "data.sqlite");
        Assert.Equal([saves[3].CommitId, saves[2].CommitId], history.Select(v => v.CommitId));
        Assert.Equal([saves[2].CommitId, saves[3].CommitId], await VersionFoldersAsync(client, bucket, "", "data.sqlite"));
        var older = PathOf("older.db");
        var restored = await manager.RestoreAsync("data.sqlite", older, new RestoreOptions { Revision = saves[2].CommitId });
        Assert.Equal(saves[2].Sha256, restored.Sha256);
        Assert.True(PersistTestData.HasPayload(older, "save 3"));
        Assert.False(PersistTestData.HasPayload(older, "save 4"));
        await Assert.ThrowsAsync<HubNotFoundException>(() => manager.RestoreAsync("data.sqlite", PathOf("gone.db"), new RestoreOptions { Revision = saves[0].CommitId }));
        Assert.False(File.Exists(PathOf("gone.db")));
    }

    [Fact]
    public async Task A_second_writer_is_refused_with_a_conflict_and_the_bucket_is_left_as_it_was()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var bucket = $"{user}/two-writers";
        using var first = Manager(client, bucket);
        using var second = Manager(client, bucket, o => o.StateDirectory = PathOf("second-state"));
        var a = PersistTestData.Database(PathOf("a.db"), 16);
        var b = PersistTestData.Database(PathOf("b.db"), 16);
        var saved = await first.SaveAsync(a, "data.sqlite");
        var before = (await FilesAsync(client, bucket)).Select(f => (f.Path, f.XetHash)).ToList();

        var refused = await Assert.ThrowsAsync<HubConflictException>(() => second.SaveAsync(b, "data.sqlite"));
        Assert.Contains("never restored from it or saved to it", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await FilesAsync(client, bucket)).Select(f => (f.Path, f.XetHash)).ToList());

        // After a restore the second writer may save; then the first one is the stale writer.
        await second.RestoreAsync("data.sqlite", b, new RestoreOptions { Overwrite = true });
        PersistTestData.Insert(b, "second writer");
        var theirs = await second.SaveAsync(b, "data.sqlite");
        PersistTestData.Insert(a, "first writer, stale");
        var stale = await Assert.ThrowsAsync<HubConflictException>(() => first.SaveAsync(a, "data.sqlite"));
        Assert.Contains("changed in", stale.Message, StringComparison.Ordinal);
        var history = await HistoryAsync(first, "data.sqlite");
        Assert.Equal([theirs.CommitId, saved.CommitId], history.Select(v => v.CommitId));

        // Force replaces it; their version stays among the kept ones.
        var forced = await first.SaveAsync(a, "data.sqlite", new SaveOptions { Force = true });
        Assert.Equal([forced.CommitId, theirs.CommitId, saved.CommitId], (await HistoryAsync(first, "data.sqlite")).Select(v => v.CommitId));
    }

    [Fact]
    public async Task A_save_interrupted_after_its_version_landed_leaves_the_pointer_on_the_old_version_and_the_next_save_cleans_up()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var bucket = $"{user}/interrupted";
        using var manager = Manager(client, bucket);
        var db = PersistTestData.Database(PathOf("interrupted.db"), 16);
        PersistTestData.Insert(db, "saved");
        var saved = await manager.SaveAsync(db, "data.sqlite");
        PersistTestData.Insert(db, "never committed");

        // The hub applies every batch at once but holds its answer: the save is cut off once its version is in.
        await hub.SetFaultsAsync($"rate=1,kinds=late,delay=60000,methods=POST,paths=/api/buckets/{bucket}/batch");
        using var cut = new CancellationTokenSource();
        var saving = manager.SaveAsync(db, "data.sqlite", cancellationToken: cut.Token);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((await VersionFoldersAsync(client, bucket, "", "data.sqlite")).Count < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "the interrupted save's version never landed");
                Assert.False(saving.IsCompleted, "the save finished although the hub held its answers");
                await Task.Delay(20);
            }
            cut.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => saving);
        }
        finally
        {
            await hub.SetFaultsAsync("off");
        }

        using (var reader = Manager(client, bucket, o => o.StateDirectory = PathOf("reader-state")))
        {
            var check = PathOf("check.db");
            var restored = await reader.RestoreAsync("data.sqlite", check);
            Assert.Equal(saved.CommitId, restored.Version);
            Assert.True(PersistTestData.HasPayload(check, "saved"));
            Assert.False(PersistTestData.HasPayload(check, "never committed"));
            Assert.Equal([saved.CommitId], (await HistoryAsync(reader, "data.sqlite")).Select(v => v.CommitId));
        }

        // The writer goes on without a conflict; the orphaned version is deleted one save later.
        var next = await manager.SaveAsync(db, "data.sqlite");
        Assert.Equal(3, (await VersionFoldersAsync(client, bucket, "", "data.sqlite")).Count);
        PersistTestData.Insert(db, "and more");
        var last = await manager.SaveAsync(db, "data.sqlite");
        Assert.Equal([saved.CommitId, next.CommitId, last.CommitId], await VersionFoldersAsync(client, bucket, "", "data.sqlite"));
    }

    [Fact]
    public async Task A_save_whose_writes_fail_changes_nothing_and_a_restore_of_a_damaged_snapshot_touches_nothing()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var bucket = $"{user}/failing";
        using var manager = Manager(client, bucket);
        var db = PersistTestData.Database(PathOf("failing.db"), 16);
        var saved = await manager.SaveAsync(db, "data.sqlite");
        PersistTestData.Insert(db, "lost");
        await hub.SetFaultsAsync($"rate=1,kinds=500,methods=POST,paths=/api/buckets/{bucket}/batch");
        try
        {
            await Assert.ThrowsAnyAsync<HubException>(() => manager.SaveAsync(db, "data.sqlite"));
        }
        finally
        {
            await hub.SetFaultsAsync("off");
        }
        Assert.Equal([saved.CommitId], (await HistoryAsync(manager, "data.sqlite")).Select(v => v.CommitId));
        Assert.False((await manager.SaveAsync(db, "data.sqlite")).SkippedUnchanged);

        // A pointer that names content the snapshot does not hold: the restore refuses before anything is replaced.
        var id = BucketId.Parse(bucket);
        var pointerPath = ".hfpersist/data.sqlite/current.json";
        var local = PathOf("pointer.json");
        await client.Buckets.DownloadFileAsync(id, pointerPath, local);
        var text = await File.ReadAllTextAsync(local);
        var current = (await HistoryAsync(manager, "data.sqlite"))[0];
        await File.WriteAllTextAsync(local, text.Replace(current.Sha256!, new string('0', 64), StringComparison.Ordinal));
        await client.Buckets.BatchAsync(id, [new BucketAddFile(pointerPath, HfHub.Files.ContentSource.FromFile(local))]);
        var target = PathOf("target.db");
        await File.WriteAllTextAsync(target, "keep me");
        await Assert.ThrowsAsync<PersistenceIntegrityException>(() => manager.RestoreAsync("data.sqlite", target, new RestoreOptions { Overwrite = true }));
        Assert.Equal("keep me", await File.ReadAllTextAsync(target));
        Assert.Empty(Directory.EnumerateFiles(_dir, ".target.db.hfpersist-*"));
    }

    [Fact]
    public async Task Bucket_targets_are_checked_before_anything_is_sent()
    {
        using var client = Client("hf_unused");
        Assert.Equal("hf://buckets/me/b/a/b", PersistenceManager.ParseBucket("me/b/a/b").ToString());
        Assert.Equal("hf://buckets/me/b", PersistenceManager.ParseBucket("hf://buckets/me/b").ToString());
        Assert.Throws<PersistenceException>(() => PersistenceManager.ParseBucket("hf://datasets/me/b"));
        Assert.Throws<PersistenceException>(() => PersistenceManager.ParseBucket("justaname"));
        Assert.Throws<PersistenceException>(() => PersistenceManager.ParseBucket("me/b/../x"));
        using var manager = Manager(client, "me/b");
        await Assert.ThrowsAsync<PersistenceException>(() => manager.SaveFolderAsync(_dir, "folder"));
    }
}
