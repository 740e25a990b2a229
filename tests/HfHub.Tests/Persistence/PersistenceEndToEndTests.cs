using System.Collections.Concurrent;
using HfCtl.Testing;
using HfHub.Auth;
using HfHub.Http;
using HfHub.Persistence;
using HfHub.Repos;
using Microsoft.Data.Sqlite;

namespace HfHub.Tests.Persistence;

/// <summary>PersistenceManager against a real local hub over loopback HTTP.</summary>
public sealed class PersistenceEndToEndTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfpersist-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private HubClient Client(string token, bool xet = true) => new(new HubClientOptions
    {
        Endpoint = hub.Endpoint,
        Token = HfToken.FromValue(token),
        Environment = new HfEnvironment(name => !xet && name == "HF_HUB_DISABLE_XET" ? "1" : null, _dir),
    });

    private PersistenceManager Manager(HubClient client, string dataset, Action<PersistenceOptions>? configure = null)
    {
        var options = new PersistenceOptions { Client = client, TempDirectory = _dir };
        configure?.Invoke(options);
        return new PersistenceManager(dataset, options);
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>A WAL-mode database of about <paramref name="kilobytes"/> KiB of random rows.</summary>
    private string Database(string name, int kilobytes = 64) => PersistTestData.Database(PathOf(name), kilobytes);

    /// <summary>One boot of the README's library recipe: restore (skipped when the file is there), auto-save, write, stop.</summary>
    private async Task<List<Exception>> BootAsync(string token, string dataset, string db, string row)
    {
        using var client = Client(token);
        using var persistence = Manager(client, dataset);
        await persistence.RestoreAsync("db/data.sqlite", db, new RestoreOptions { IfLocalMissing = true, IfRemoteExists = true });
        var errors = new List<Exception>();
        var autoSave = persistence.StartAutoSave(db, "db/data.sqlite", TimeSpan.FromHours(1),
            new AutoSaveOptions { FlushOnTermination = false, OnError = e => { lock (errors) { errors.Add(e); } } });
        await using (autoSave)
        {
            if (!File.Exists(db))
            {
                PersistTestData.Database(db);
            }
            PersistTestData.Insert(db, row);
        }
        return errors;
    }

    [Fact]
    public async Task The_library_recipe_goes_on_saving_after_a_restart_with_the_file_kept_and_conflicts_only_when_the_remote_moved_on()
    {
        var (user, token) = await hub.CreateUserAsync();
        var dataset = $"{user}/restarts";
        var db = PathOf("local_data.db");

        Assert.Empty(await BootAsync(token, dataset, db, "first boot"));
        Assert.Empty(await BootAsync(token, dataset, db, "after a restart"));
        Assert.Empty(await BootAsync(token, dataset, db, "after another restart"));
        var check = PathOf("check.db");
        using (var client = Client(token))
        using (var reader = Manager(client, dataset, o => o.StateDirectory = PathOf("reader-state")))
        {
            await reader.RestoreAsync("db/data.sqlite", check);
        }
        Assert.True(PersistTestData.HasPayload(check, "first boot"));
        Assert.True(PersistTestData.HasPayload(check, "after another restart"));

        // Someone else (another local copy) saves the path: now the kept file's base is stale.
        PersistTestData.Insert(check, "elsewhere");
        using (var client = Client(token))
        using (var other = Manager(client, dataset, o => o.StateDirectory = PathOf("reader-state")))
        {
            await other.SaveAsync(check, "db/data.sqlite");
        }
        var errors = await BootAsync(token, dataset, db, "stale");
        Assert.IsType<HubConflictException>(Assert.Single(errors));
    }

    [Fact]
    public async Task Seed_calls_save_and_restore_a_live_database_in_a_new_private_dataset()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var dataset = $"{user}/app-data";
        using var manager = Manager(client, dataset);
        var db = Database("local_data.db");
        PersistTestData.Insert(db, "hello");

        var saved = await manager.SaveAsync(db, "db/data.sqlite");
        var again = await manager.SaveAsync(db, "db/data.sqlite");
        var restoredPath = PathOf("restored.db");
        var restored = await manager.RestoreAsync("db/data.sqlite", restoredPath);

        Assert.False(saved.SkippedUnchanged);
        Assert.Equal(SnapshotKind.Sqlite, saved.Kind);
        Assert.True(again.SkippedUnchanged);
        Assert.Equal(saved.CommitId, again.CommitId);
        var info = await client.Repos.GetInfoAsync(RepoId.Parse(dataset), RepoType.Dataset);
        Assert.True(info.Private);
        Assert.Equal(RestoreOutcome.Restored, restored.Outcome);
        Assert.Equal(saved.Sha256, restored.Sha256);
        Assert.True(PersistTestData.HasPayload(restoredPath, "hello"));
        Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(restoredPath));
        var commits = new List<HfHub.Files.CommitInfo>();
        await foreach (var commit in client.Files.ListCommitsAsync(RepoId.Parse(dataset), RepoType.Dataset))
        {
            commits.Add(commit);
        }
        Assert.Equal(2, commits.Count); // the initial commit and exactly one save
    }

    [Fact]
    public async Task Saves_while_a_writer_inserts_restore_to_consistent_prefixes()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        using var manager = Manager(client, $"{user}/busy");
        var db = Database("busy.db", 16);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            using var c = PersistTestData.OpenWal(db);
            while (!stop.IsCancellationRequested)
            {
                PersistTestData.Exec(c, "BEGIN; INSERT INTO rows(payload) VALUES (hex(randomblob(100))); INSERT INTO rows(payload) VALUES (hex(randomblob(100))); COMMIT");
            }
        });
        var saves = new List<SaveResult>();
        for (var i = 0; i < 5; i++)
        {
            saves.Add(await manager.SaveAsync(db, "busy.sqlite"));
        }
        await stop.CancelAsync();
        await writer;

        var versions = new List<PersistVersion>();
        await foreach (var version in manager.GetHistoryAsync("busy.sqlite"))
        {
            versions.Add(version);
        }
        Assert.Equal(saves.Count(s => !s.SkippedUnchanged), versions.Count);
        var previous = int.MaxValue;
        foreach (var version in versions)
        {
            var target = PathOf($"v-{version.CommitId}.db");
            await manager.RestoreAsync("busy.sqlite", target, new RestoreOptions { Revision = version.CommitId });
            Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(target));
            var ids = SqliteSnapshotTests.Ids(target);
            Assert.Equal(Enumerable.Range(1, ids.Count).Select(x => (long)x), ids);
            Assert.True(ids.Count <= previous, "history is newest first and each version holds more rows than the one before");
            previous = ids.Count;
        }
        Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(db));
    }

    [Fact]
    public async Task Two_managers_saving_the_same_path_conflict_and_nothing_is_lost()
    {
        var (user, token) = await hub.CreateUserAsync();
        var dataset = $"{user}/shared";
        using var clientA = Client(token);
        using var clientB = Client(token);
        using var alice = Manager(clientA, dataset);
        using var bob = Manager(clientB, dataset);
        var seed = Database("seed.db");
        await alice.SaveAsync(seed, "app.sqlite");
        var aliceDb = PathOf("alice.db");
        var bobDb = PathOf("bob.db");
        await alice.RestoreAsync("app.sqlite", aliceDb);
        await bob.RestoreAsync("app.sqlite", bobDb);
        PersistTestData.Insert(aliceDb, "alice's row");
        PersistTestData.Insert(bobDb, "bob's row");

        var aliceSave = await alice.SaveAsync(aliceDb, "app.sqlite");
        var conflict = await Assert.ThrowsAsync<HubConflictException>(() => bob.SaveAsync(bobDb, "app.sqlite"));

        Assert.Contains("changed", conflict.Message);
        var check = PathOf("check.db");
        var latest = await alice.RestoreAsync("app.sqlite", check);
        Assert.Equal(aliceSave.Sha256, latest.Sha256);
        Assert.True(PersistTestData.HasPayload(check, "alice's row"));
        Assert.True(PersistTestData.HasPayload(bobDb, "bob's row"));
        Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(bobDb));
    }

    [Fact]
    public async Task Concurrent_writers_of_different_paths_rebase_and_all_saves_land()
    {
        var (user, token) = await hub.CreateUserAsync();
        var dataset = $"{user}/many";
        using var setup = Client(token);
        await setup.Repos.CreateAsync(RepoId.Parse(dataset), new() { Type = RepoType.Dataset, Private = true });
        async Task<SaveResult> Loop(string name)
        {
            using var client = Client(token);
            using var manager = Manager(client, dataset);
            var file = PathOf(name + ".txt");
            SaveResult last = null!;
            for (var i = 0; i < 4; i++)
            {
                await File.WriteAllTextAsync(file, $"{name} {i}");
                last = await manager.SaveAsync(file, name + ".txt");
            }
            return last;
        }
        var results = await Task.WhenAll(Loop("a"), Loop("b"), Loop("c"));

        using var reader = Manager(setup, dataset);
        foreach (var name in new[] { "a", "b", "c" })
        {
            var target = PathOf(name + "-check.txt");
            await reader.RestoreAsync(name + ".txt", target);
            Assert.Equal($"{name} 3", await File.ReadAllTextAsync(target));
        }
        Assert.All(results, r => Assert.False(r.SkippedUnchanged));
    }

    [Fact]
    public async Task A_damaged_database_uploads_while_it_is_checked_but_is_never_committed()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        using var manager = Manager(client, $"{user}/damaged");
        var db = PathOf("damaged.db");
        DamageIndex(db);

        var e = await Assert.ThrowsAsync<PersistenceException>(() => manager.SaveAsync(db, "db.sqlite"));

        Assert.Contains("integrity check", e.Message);
        var files = await client.Files.GetPathsInfoAsync(RepoId.Parse($"{user}/damaged"), ["db.sqlite"], RepoType.Dataset);
        Assert.Empty(files);
        Assert.Empty(Directory.GetFiles(_dir, ".hfpersist-*"));
    }

    /// <summary>A database whose index misses rows: SQLite reads and copies it, <c>integrity_check</c> reports it.</summary>
    private static void DamageIndex(string path)
    {
        string[] entry;
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            PersistTestData.Exec(c, "CREATE TABLE t(a INTEGER); CREATE INDEX i ON t(a); INSERT INTO t VALUES (1), (2), (3);");
            using var read = c.CreateCommand();
            read.CommandText = "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master WHERE name = 'i'";
            using var reader = read.ExecuteReader();
            reader.Read();
            entry = [reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3).ToString(System.Globalization.CultureInfo.InvariantCulture), reader.GetString(4)];
        }
        // Hide the index from the schema, add rows it never sees, then put it back.
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            PersistTestData.Exec(c, "PRAGMA writable_schema = ON; DELETE FROM sqlite_master WHERE name = 'i';");
        }
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            PersistTestData.Exec(c, "INSERT INTO t VALUES (4), (5), (6);");
            using var put = c.CreateCommand();
            put.CommandText = "PRAGMA writable_schema = ON; INSERT INTO sqlite_master VALUES ($type, $name, $table, $root, $sql);";
            put.Parameters.AddWithValue("$type", entry[0]);
            put.Parameters.AddWithValue("$name", entry[1]);
            put.Parameters.AddWithValue("$table", entry[2]);
            put.Parameters.AddWithValue("$root", long.Parse(entry[3], System.Globalization.CultureInfo.InvariantCulture));
            put.Parameters.AddWithValue("$sql", entry[4]);
            put.ExecuteNonQuery();
        }
    }

    [Fact]
    public async Task Restore_from_a_corrupted_blob_is_refused_and_the_local_file_is_untouched()
    {
        var (user, token) = await hub.CreateUserAsync();
        // The hub corrupts a stored LFS object, so this save and restore go through LFS (Xet content is checked in XetDownloadTests).
        using var client = Client(token, xet: false);
        using var manager = Manager(client, $"{user}/corrupt");
        var saved = await manager.SaveAsync(Database("big.db", 2048), "db.sqlite");
        using var admin = hub.RawClient();
        admin.DefaultRequestHeaders.Add("X-LocalHub-Admin", hub.Hub.AdminSecret);
        (await admin.PostAsync($"/_localhub/blobs/{saved.Sha256}/corrupt", null)).EnsureSuccessStatusCode();
        var local = Database("mine.db");
        PersistTestData.Insert(local, "my local data");
        var before = await File.ReadAllBytesAsync(local);

        var e = await Assert.ThrowsAnyAsync<PersistenceIntegrityException>(() => manager.RestoreAsync("db.sqlite", local, new RestoreOptions { Overwrite = true }));

        Assert.Contains("checksum", e.Message);
        Assert.Equal(before, await File.ReadAllBytesAsync(local));
        Assert.True(PersistTestData.HasPayload(local, "my local data"));
        Assert.Empty(Directory.GetFiles(_dir, "*.hfpersist-*"));
    }

    [Fact]
    public async Task A_database_restore_asks_the_Hub_once_before_it_downloads()
    {
        var (user, token) = await hub.CreateUserAsync();
        using (var client = Client(token))
        using (var manager = Manager(client, $"{user}/round-trips"))
        {
            await manager.SaveAsync(Database("app.db", 2048), "db/app.sqlite"); // over 1 MB: stored in LFS
        }
        var requests = new ConcurrentQueue<string>();
        using var recording = new HubClient(new HubClientOptions
        {
            Endpoint = hub.Endpoint,
            Token = HfToken.FromValue(token),
            Environment = new HfEnvironment(_ => null, _dir),
            Transport = new RequestTap(r => requests.Enqueue($"{r.Method} {r.RequestUri!.AbsolutePath}")),
        });
        using var restorer = Manager(recording, $"{user}/round-trips");

        var restored = await restorer.RestoreAsync("db/app.sqlite", PathOf("restored.db"));

        // One HEAD tells the commit, size and SHA-256; then the bytes of that commit (an LFS file may redirect).
        Assert.Equal(RestoreOutcome.Restored, restored.Outcome);
        var sent = requests.ToArray();
        Assert.Equal($"HEAD /datasets/{user}/round-trips/resolve/main/db/app.sqlite", sent[0]);
        Assert.Equal($"GET /datasets/{user}/round-trips/resolve/{restored.Version}/db/app.sqlite", sent[1]);
        Assert.All(sent.Skip(2), r => Assert.DoesNotContain("/resolve/", r));
        Assert.InRange(sent.Length, 2, 3);
        Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(PathOf("restored.db")));
    }

    [Fact]
    public async Task Someone_elses_dataset_and_a_public_dataset_are_refused_and_nothing_is_written()
    {
        var (owner, ownerToken) = await hub.CreateUserAsync();
        var (_, otherToken) = await hub.CreateUserAsync();
        using var ownerClient = Client(ownerToken);
        await ownerClient.Repos.CreateAsync(RepoId.Parse($"{owner}/private-data"), new() { Type = RepoType.Dataset, Private = true });
        await ownerClient.Repos.CreateAsync(RepoId.Parse($"{owner}/public-data"), new() { Type = RepoType.Dataset, Private = false });
        var file = PathOf("x.txt");
        await File.WriteAllTextAsync(file, "data");

        using var otherClient = Client(otherToken);
        using var intruder = Manager(otherClient, $"{owner}/private-data");
        var denied = await Assert.ThrowsAnyAsync<HubException>(() => intruder.SaveAsync(file, "x.txt"));
        Assert.True(denied is HubForbiddenException or HubConflictException or HubNotFoundException, denied.GetType().Name);

        using var ownerManager = Manager(ownerClient, $"{owner}/public-data");
        var refused = await Assert.ThrowsAsync<PersistenceException>(() => ownerManager.SaveAsync(file, "x.txt"));
        Assert.Contains("PUBLIC", refused.Message);

        foreach (var name in new[] { "private-data", "public-data" })
        {
            var count = 0;
            await foreach (var _ in ownerClient.Files.ListCommitsAsync(RepoId.Parse($"{owner}/{name}"), RepoType.Dataset))
            {
                count++;
            }
            Assert.Equal(1, count);
        }
    }

    [Fact]
    public async Task Retention_squashes_the_history_and_the_latest_version_survives()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        using var manager = Manager(client, $"{user}/retained", o => o.KeepVersions = 3);
        var file = PathOf("r.txt");
        for (var i = 0; i < 5; i++)
        {
            await File.WriteAllTextAsync(file, $"version {i}");
            await manager.SaveAsync(file, "r.txt");
        }
        var count = 0;
        await foreach (var _ in client.Files.ListCommitsAsync(RepoId.Parse($"{user}/retained"), RepoType.Dataset))
        {
            count++;
        }
        Assert.InRange(count, 1, 3);
        var target = PathOf("r-check.txt");
        await manager.RestoreAsync("r.txt", target);
        Assert.Equal("version 4", await File.ReadAllTextAsync(target));
    }

    [Fact]
    public async Task Missing_remote_and_existing_local_are_skipped_when_asked()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        using var manager = Manager(client, $"{user}/boot");
        var local = PathOf("boot.db");

        var first = await manager.RestoreAsync("db.sqlite", local, new RestoreOptions { IfRemoteExists = true, IfLocalMissing = true });
        Assert.Equal(RestoreOutcome.SkippedRemoteMissing, first.Outcome);
        Assert.False(File.Exists(local));
        await Assert.ThrowsAsync<HubNotFoundException>(() => manager.RestoreAsync("db.sqlite", local));
    }

    [Fact]
    public async Task Folders_save_and_restore_changed_files_only()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        using var manager = Manager(client, $"{user}/folder");
        var folder = Directory.CreateDirectory(PathOf("data")).FullName;
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        await File.WriteAllTextAsync(Path.Combine(folder, "a.txt"), "a1");
        await File.WriteAllTextAsync(Path.Combine(folder, "sub", "b.txt"), "b1");
        var db = Path.Combine(folder, "app.db");
        using (var c = PersistTestData.OpenWal(db))
        {
            PersistTestData.Exec(c, "INSERT INTO rows(payload) VALUES ('in the folder')");
        }

        var first = await manager.SaveFolderAsync(folder, "state");
        var again = await manager.SaveFolderAsync(folder, "state");
        await File.WriteAllTextAsync(Path.Combine(folder, "a.txt"), "a2");
        File.Delete(Path.Combine(folder, "sub", "b.txt"));
        var third = await manager.SaveFolderAsync(folder, "state");

        Assert.Equal((3, false), (first.FilesChanged, first.SkippedUnchanged));
        Assert.True(again.SkippedUnchanged);
        Assert.Equal((1, 1, 1), (third.FilesChanged, third.FilesUnchanged, third.FilesDeleted));

        var target = PathOf("restored");
        var restored = await manager.RestoreFolderAsync("state", target);
        Assert.Equal(2, restored.FilesRestored);
        Assert.Equal("a2", await File.ReadAllTextAsync(Path.Combine(target, "a.txt")));
        Assert.False(File.Exists(Path.Combine(target, "sub", "b.txt")));
        Assert.True(PersistTestData.HasPayload(Path.Combine(target, "app.db"), "in the folder"));
        var again2 = await manager.RestoreFolderAsync("state", target, new RestoreOptions { Overwrite = true });
        Assert.Equal(1, again2.FilesUnchanged);
    }
}
