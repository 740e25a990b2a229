using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.Persistence;
using HfHub.Repos;

namespace HfCtl.Tests.Reliability;

/// <summary>
/// Crash suite, persistence: <c>hfctl persist save</c> and <c>hfctl persist restore</c> as real
/// processes killed at 50 seeded moments each. Invariants: the dataset holds the previous or the
/// new version, never a half one; the local database is never damaged; a restore target is the old
/// file or the complete, verified new one — never a partial file.
/// </summary>
public sealed class PersistCrashTests(CrashHubFixture hub) : IClassFixture<CrashHubFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfctl-crash-persist-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    private PersistenceManager Reader(string token, string dataset) => new(dataset, new PersistenceOptions
    {
        ClientOptions = new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token), Environment = new HfEnvironment(_ => null, _dir) },
        TempDirectory = _dir,
    });

    [Fact]
    public async Task Killing_persist_save_at_random_moments_never_leaves_a_half_version_or_a_damaged_database()
    {
        var (user, token) = await hub.CreateUserAsync();
        var dataset = $"{user}/killed-save";
        var crash = new CrashTesting(hub, _dir);
        using var reader = Reader(token, dataset);
        var db = PersistTestData.Database(PathOf("app.db"), 2 * 1024);
        var random = new Random(CrashTesting.Seed + 2);
        var startup = await crash.RunOkAsync(token, "--version");
        var span = await crash.RunOkAsync(token, "persist", "save", db, "app.sqlite", "--dataset", dataset);
        var previous = (await reader.RestoreAsync("app.sqlite", PathOf("check-0.db"))).Sha256;
        var clock = new KillClock(random, startup, span);
        var outcomes = new Dictionary<string, int> { ["kills"] = 0, ["finished_before_kill"] = 0, ["remote_previous"] = 0, ["remote_next"] = 0 };
        for (var round = 1; CrashTesting.NeedsMore(outcomes, round - 1); round++)
        {
            var where = $"seed {CrashTesting.Seed}, round {round}";
            PersistTestData.Insert(db, $"round {round}");
            string expected;
            using (var snapshot = await LocalSnapshot.TakeAsync(db, _dir))
            {
                expected = snapshot.Digest.Sha256;
            }
            var killed = await crash.RunAndKillAsync(token, clock, "persist", "save", db, "app.sqlite", "--dataset", dataset);
            var check = PathOf($"check-{round}.db");
            var remote = await reader.RestoreAsync("app.sqlite", check);
            Assert.True(remote.Sha256 == previous || remote.Sha256 == expected, $"{where}: the dataset holds neither the previous nor the new version");
            Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(check));
            Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(db));
            File.Delete(check);
            outcomes[killed ? "kills" : "finished_before_kill"]++;
            if (killed)
            {
                outcomes[remote.Sha256 == expected ? "remote_next" : "remote_previous"]++;
            }
            else
            {
                Assert.True(remote.Sha256 == expected, $"{where}: the save finished but the dataset does not hold it");
            }
            previous = remote.Sha256;
        }

        // One kill lands after the commit for certain: the dataset then holds the new version.
        PersistTestData.Insert(db, "after the commit");
        string committed;
        using (var snapshot = await LocalSnapshot.TakeAsync(db, _dir))
        {
            committed = snapshot.Digest.Sha256;
        }
        await crash.KillOnceCommittedAsync(token, RepoId.Parse(dataset), RepoType.Dataset, "persist", "save", db, "app.sqlite", "--dataset", dataset);
        Assert.Equal(committed, (await reader.RestoreAsync("app.sqlite", PathOf("check-committed.db"))).Sha256);
        outcomes["killed_after_commit"] = 1;

        // After all that, a normal save from the same machine still works (no stale state blocks it).
        await crash.RunOkAsync(token, "persist", "save", db, "app.sqlite", "--dataset", dataset);
        // Killed saves leave their snapshot in the temp folder; the next save removes them all.
        outcomes["snapshot_files_left"] = Directory.EnumerateFiles(crash.TempFolder, ".hfpersist-*").Count();
        await CrashTesting.ReportAsync("persist-save", outcomes);
        var summary = string.Join(", ", outcomes.Select(p => $"{p.Key} {p.Value}"));
        Assert.True(outcomes["kills"] >= CrashTesting.KillsPerCommand, $"seed {CrashTesting.Seed}: too few runs were killed: {summary}");
        // Random kills landed before the commit (after it only now and then: that moment is short, hence the kill above).
        Assert.True(outcomes["remote_previous"] > 0, $"seed {CrashTesting.Seed}: {summary}");
        Assert.True(outcomes["snapshot_files_left"] == 0, $"seed {CrashTesting.Seed}: snapshots of killed saves were left in the temp folder: {summary}");
    }

    [Fact]
    public async Task Killing_persist_restore_at_random_moments_leaves_the_old_file_or_the_complete_new_one()
    {
        var (user, token) = await hub.CreateUserAsync();
        var dataset = $"{user}/killed-restore";
        var crash = new CrashTesting(hub, _dir);
        var saved = PersistTestData.Database(PathOf("saved.db"), 2 * 1024);
        await crash.RunOkAsync(token, "persist", "save", saved, "app.sqlite", "--dataset", dataset);
        string remote;
        using (var snapshot = await LocalSnapshot.TakeAsync(saved, _dir))
        {
            remote = snapshot.Digest.Sha256;
        }
        var old = PersistTestData.Database(PathOf("old.db"), 512);
        var oldSha = CrashTesting.Sha256(old);
        var target = PathOf("target.db");
        var random = new Random(CrashTesting.Seed + 3);

        var startup = await crash.RunOkAsync(token, "--version");
        File.Copy(old, target, overwrite: true);
        var span = await crash.RunOkAsync(token, "persist", "restore", "app.sqlite", target, "--dataset", dataset, "--force");
        Assert.Equal(remote, CrashTesting.Sha256(target));
        var clock = new KillClock(random, startup, span);
        var outcomes = new Dictionary<string, int> { ["kills"] = 0, ["finished_before_kill"] = 0, ["target_old"] = 0, ["target_new"] = 0, ["target_absent"] = 0 };
        for (var round = 1; CrashTesting.NeedsMore(outcomes, round - 1); round++)
        {
            var where = $"seed {CrashTesting.Seed}, round {round}";
            // Odd rounds replace an older database (--force); even rounds restore to a missing file.
            var replace = round % 2 == 1;
            SqliteFiles.DeleteSidecars(target);
            if (replace)
            {
                File.Copy(old, target, overwrite: true);
            }
            else
            {
                File.Delete(target);
            }
            string[] args = replace
                ? ["persist", "restore", "app.sqlite", target, "--dataset", dataset, "--force"]
                : ["persist", "restore", "app.sqlite", target, "--dataset", dataset];
            var killed = await crash.RunAndKillAsync(token, clock, args);
            outcomes[killed ? "kills" : "finished_before_kill"]++;
            if (!File.Exists(target))
            {
                Assert.False(replace, $"{where}: the killed restore removed the old file and put nothing in its place");
                outcomes["target_absent"]++;
                continue;
            }
            var sha = CrashTesting.Sha256(target);
            Assert.True(sha == remote || (replace && sha == oldSha), $"{where}: the target is neither the old file nor the complete restored one");
            Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(target));
            outcomes[sha == remote ? "target_new" : "target_old"]++;
        }
        // Killed restores leave their temp file beside the target (never at it); the next restore removes them all.
        await crash.RunOkAsync(token, "persist", "restore", "app.sqlite", target, "--dataset", dataset, "--force");
        outcomes["temp_files_left"] = Directory.EnumerateFiles(_dir, ".target.db.hfpersist-*").Count();
        await CrashTesting.ReportAsync("persist-restore", outcomes);
        var summary = string.Join(", ", outcomes.Select(p => $"{p.Key} {p.Value}"));
        Assert.True(outcomes["kills"] >= CrashTesting.KillsPerCommand, $"seed {CrashTesting.Seed}: too few runs were killed: {summary}");
        Assert.True(outcomes["target_new"] > 0 && outcomes["target_old"] + outcomes["target_absent"] > 0, $"seed {CrashTesting.Seed}: {summary}");
        Assert.True(outcomes["temp_files_left"] == 0, $"seed {CrashTesting.Seed}: temp files of killed restores were left beside the target: {summary}");
    }
}
