using HfHub.Http;
using HfHub.Persistence;

namespace HfHub.Tests.Persistence;

/// <summary>The manager's decisions (skip, conflict, retry, refuse) against an in-memory dataset.</summary>
public sealed class PersistenceManagerLogicTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfpersist-logic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Local(string name, string? content = null)
    {
        var path = Path.Combine(_dir, name);
        if (content is not null)
        {
            File.WriteAllText(path, content);
        }
        return path;
    }

    private PersistenceManager Manager(FakeRemote remote, Action<PersistenceOptions>? configure = null)
    {
        var options = new PersistenceOptions { TempDirectory = _dir };
        configure?.Invoke(options);
        return new PersistenceManager(remote, options);
    }

    [Fact]
    public async Task First_save_creates_a_private_dataset_and_an_unchanged_save_makes_no_commit()
    {
        var remote = new FakeRemote();
        using var manager = Manager(remote);
        var file = Local("a.txt", "v1");

        var first = await manager.SaveAsync(file, "a.txt");
        var second = await manager.SaveAsync(file, "a.txt");

        Assert.True(remote.Exists);
        Assert.True(remote.Private);
        Assert.False(first.SkippedUnchanged);
        Assert.True(second.SkippedUnchanged);
        Assert.Equal(first.CommitId, second.CommitId);
        Assert.Equal(1, remote.CommitCalls);
        Assert.Equal("v1", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["a.txt"]));
        Assert.Contains(".hfpersist/a.txt.json", remote.FilesAt("main").Keys);
    }

    [Fact]
    public async Task A_public_dataset_is_refused()
    {
        var remote = new FakeRemote();
        await remote.CreatePrivateAsync(default);
        remote.Private = false;
        using var manager = Manager(remote);

        var e = await Assert.ThrowsAsync<PersistenceException>(() => manager.SaveAsync(Local("a.txt", "x"), "a.txt"));

        Assert.Contains("PUBLIC", e.Message);
        Assert.Equal(0, remote.CommitCalls);
    }

    [Fact]
    public async Task A_second_writer_that_never_saw_the_path_gets_a_conflict_and_nothing_is_lost()
    {
        var remote = new FakeRemote();
        using var alice = Manager(remote);
        using var bob = Manager(remote);
        await alice.SaveAsync(Local("alice.txt", "alice's data"), "shared.txt");

        var e = await Assert.ThrowsAsync<HubConflictException>(() => bob.SaveAsync(Local("bob.txt", "bob's data"), "shared.txt"));

        Assert.Contains("restore it first", e.Message);
        Assert.Equal("alice's data", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["shared.txt"]));
        Assert.Equal("bob's data", File.ReadAllText(Local("bob.txt")));
    }

    [Fact]
    public async Task Two_writers_that_restored_the_same_version_conflict_on_the_second_save()
    {
        var remote = new FakeRemote();
        using var seed = Manager(remote);
        await seed.SaveAsync(Local("seed.txt", "v0"), "shared.txt");
        using var alice = Manager(remote);
        using var bob = Manager(remote);
        await alice.RestoreAsync("shared.txt", Local("alice.txt"));
        await bob.RestoreAsync("shared.txt", Local("bob.txt"));
        File.WriteAllText(Local("alice.txt"), "v1 alice");
        File.WriteAllText(Local("bob.txt"), "v1 bob");

        await alice.SaveAsync(Local("alice.txt"), "shared.txt");
        await Assert.ThrowsAsync<HubConflictException>(() => bob.SaveAsync(Local("bob.txt"), "shared.txt"));

        Assert.Equal("v1 alice", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["shared.txt"]));
        var forced = await bob.SaveAsync(Local("bob.txt"), "shared.txt", new SaveOptions { Force = true });
        Assert.False(forced.SkippedUnchanged);
        Assert.Equal(["v1 bob", "v1 alice", "v0"], await Contents(bob, remote, "shared.txt"));
    }

    [Fact]
    public async Task A_commit_to_another_path_in_between_is_rebased_and_retried()
    {
        var remote = new FakeRemote();
        using var manager = Manager(remote);
        await manager.SaveAsync(Local("a.txt", "v1"), "a.txt");
        File.WriteAllText(Local("a.txt"), "v2");
        remote.BeforeCommit = () => remote.DirectCommit("other.txt", "theirs"u8.ToArray());

        var result = await manager.SaveAsync(Local("a.txt"), "a.txt");

        Assert.False(result.SkippedUnchanged);
        Assert.Equal(3, remote.CommitCalls);
        Assert.Equal("v2", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["a.txt"]));
        Assert.Equal("theirs", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["other.txt"]));
    }

    [Fact]
    public async Task A_commit_to_the_same_path_in_between_is_a_conflict()
    {
        var remote = new FakeRemote();
        using var manager = Manager(remote);
        await manager.SaveAsync(Local("a.txt", "v1"), "a.txt");
        File.WriteAllText(Local("a.txt"), "v2 mine");
        remote.BeforeCommit = () => remote.DirectCommit("a.txt", "v2 theirs"u8.ToArray());

        var e = await Assert.ThrowsAsync<HubConflictException>(() => manager.SaveAsync(Local("a.txt"), "a.txt"));

        Assert.Contains("another writer while this save was running", e.Message);
        Assert.Equal("v2 theirs", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["a.txt"]));
    }

    [Fact]
    public async Task Restore_of_a_corrupted_blob_is_refused_and_the_local_file_is_untouched()
    {
        var remote = new FakeRemote();
        using var manager = Manager(remote);
        await manager.SaveAsync(Local("a.txt", "precious remote data"), "a.txt");
        remote.CorruptStored("a.txt");
        var target = Local("target.txt", "local data");

        var e = await Assert.ThrowsAsync<PersistenceIntegrityException>(() => manager.RestoreAsync("a.txt", target, new RestoreOptions { Overwrite = true }));

        Assert.Contains("does not match the checksum", e.Message);
        Assert.Equal("local data", File.ReadAllText(target));
        Assert.Single(Directory.GetFiles(_dir, "*target*"));
    }

    [Fact]
    public async Task Restore_flags_skip_like_litestream()
    {
        var remote = new FakeRemote();
        using var manager = Manager(remote);
        var target = Local("target.txt");

        var missing = await manager.RestoreAsync("a.txt", target, new RestoreOptions { IfRemoteExists = true });
        Assert.Equal(RestoreOutcome.SkippedRemoteMissing, missing.Outcome);
        await Assert.ThrowsAsync<HubNotFoundException>(() => manager.RestoreAsync("a.txt", target));

        await manager.SaveAsync(Local("a.txt", "v1"), "a.txt");
        File.WriteAllText(target, "mine");
        var exists = await manager.RestoreAsync("a.txt", target, new RestoreOptions { IfLocalMissing = true });
        Assert.Equal(RestoreOutcome.SkippedLocalExists, exists.Outcome);
        var refused = await Assert.ThrowsAsync<PersistenceLocalExistsException>(() => manager.RestoreAsync("a.txt", target));
        Assert.Contains("refusing to replace", refused.Message);
        Assert.Equal("mine", File.ReadAllText(target));
    }

    [Fact]
    public async Task History_lists_versions_and_any_of_them_restores()
    {
        var remote = new FakeRemote();
        using var manager = Manager(remote);
        var file = Local("a.txt", "v1");
        await manager.SaveAsync(file, "a.txt");
        remote.DirectCommit("unrelated.txt", "x"u8.ToArray());
        File.WriteAllText(file, "v2 longer");
        await manager.SaveAsync(file, "a.txt");

        var history = await ToListAsync(manager.GetHistoryAsync("a.txt"));

        Assert.Equal([9L, 2L], history.Select(v => v.Size));
        var old = Local("old.txt");
        var restored = await manager.RestoreAsync("a.txt", old, new RestoreOptions { Revision = history[1].CommitId });
        Assert.Equal(history[1].CommitId, restored.Version);
        Assert.Equal("v1", File.ReadAllText(old));
    }

    [Fact]
    public async Task Retention_squashes_history_beyond_the_limit()
    {
        var remote = new FakeRemote();
        using var manager = Manager(remote, o => o.KeepVersions = 3);
        var file = Local("a.txt");
        var squashed = false;
        for (var i = 0; i < 4; i++)
        {
            File.WriteAllText(file, $"v{i}");
            squashed |= (await manager.SaveAsync(file, "a.txt")).Squashed;
        }
        Assert.True(squashed);
        Assert.True((await ToListAsync(remote.CommitsAsync("main", default))).Count <= 3);
        Assert.Equal("v3", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["a.txt"]));
    }

    [Fact]
    public async Task The_base_survives_in_the_state_folder_across_managers()
    {
        var remote = new FakeRemote();
        var state = Path.Combine(_dir, "state");
        var file = Local("a.txt", "v1");
        using (var first = Manager(remote, o => o.StateDirectory = state))
        {
            await first.SaveAsync(file, "a.txt");
        }
        File.WriteAllText(file, "v2");
        using var second = Manager(remote, o => o.StateDirectory = state);
        var result = await second.SaveAsync(file, "a.txt");
        Assert.False(result.SkippedUnchanged);
    }

    [Fact]
    public async Task Auto_save_saves_changes_and_flushes_on_stop()
    {
        var remote = new FakeRemote();
        using var manager = Manager(remote);
        var file = Local("a.txt", "v1");
        var errors = new List<Exception>();
        var session = manager.StartAutoSave(file, "a.txt", TimeSpan.FromMilliseconds(100), new AutoSaveOptions { FlushOnTermination = false, OnError = errors.Add });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!remote.Exists || !remote.FilesAt("main").ContainsKey("a.txt"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the first auto-save never happened");
            await Task.Delay(20);
        }
        File.WriteAllText(file, "v2 last change");
        await session.StopAsync();

        Assert.Empty(errors);
        Assert.Equal("v2 last change", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["a.txt"]));
    }

    [Fact]
    public async Task Auto_save_errors_reach_the_callback()
    {
        // A public dataset: every save is refused. (A missing file is no error: it is waited for.)
        var remote = new FakeRemote();
        await remote.CreatePrivateAsync(default);
        remote.Private = false;
        using var manager = Manager(remote);
        var errors = new List<Exception>();
        var session = manager.StartAutoSave(Local("a.txt", "v1"), "a.txt", TimeSpan.FromMilliseconds(50), new AutoSaveOptions { FlushOnTermination = false, OnError = e => { lock (errors) { errors.Add(e); } } });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (errors.Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no error reported");
            await Task.Delay(20);
        }
        await Assert.ThrowsAsync<PersistenceException>(() => session.StopAsync());
        Assert.Contains("PUBLIC", session.LastError!.Message);
    }

    [Fact]
    public async Task Auto_save_waits_for_a_file_that_does_not_exist_yet_and_saves_it_once_it_appears()
    {
        var remote = new FakeRemote();
        using var manager = Manager(remote);
        var file = Local("late.txt");
        var errors = new List<Exception>();
        var session = manager.StartAutoSave(file, "late.txt", TimeSpan.FromMilliseconds(50), new AutoSaveOptions { FlushOnTermination = false, OnError = e => { lock (errors) { errors.Add(e); } } });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!session.WaitingForFile)
        {
            Assert.True(DateTime.UtcNow < deadline, "the session never looked for the file");
            await Task.Delay(20);
        }
        File.WriteAllText(file, "created after the session started");
        while (!remote.Exists || !remote.FilesAt("main").ContainsKey("late.txt"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the file that appeared was never saved");
            await Task.Delay(20);
        }
        await session.StopAsync();

        Assert.Empty(errors);
        Assert.False(session.WaitingForFile);
        Assert.Equal("created after the session started", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["late.txt"]));
    }

    [Fact]
    public async Task A_new_manager_beside_a_kept_file_goes_on_saving_without_any_configuration()
    {
        // The library recipe across a restart: the restore is skipped (the file is there), yet the
        // second process knows which version the file descends from.
        var remote = new FakeRemote();
        var file = Local("kept.db", "v1");
        using (var first = Manager(remote))
        {
            await first.RestoreAsync("kept.db", file, new RestoreOptions { IfLocalMissing = true, IfRemoteExists = true });
            await first.SaveAsync(file, "kept.db");
        }
        File.WriteAllText(file, "v2 after the restart");
        using var second = Manager(remote);
        var skipped = await second.RestoreAsync("kept.db", file, new RestoreOptions { IfLocalMissing = true, IfRemoteExists = true });
        var saved = await second.SaveAsync(file, "kept.db");

        Assert.Equal(RestoreOutcome.SkippedLocalExists, skipped.Outcome);
        Assert.False(saved.SkippedUnchanged);
        Assert.Equal("v2 after the restart", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["kept.db"]));
    }

    [Fact]
    public async Task Two_local_files_saved_to_one_path_are_two_writers_and_the_remote_moving_on_is_a_conflict()
    {
        var remote = new FakeRemote();
        using var manager = Manager(remote);
        var first = Local("first.txt", "first");
        var second = Local("second.txt", "second");
        await manager.RestoreAsync("shared.txt", first, new RestoreOptions { IfLocalMissing = true, IfRemoteExists = true });
        await manager.SaveAsync(first, "shared.txt");

        // The same manager (one process, one HF_HOME) is not one writer: the second file never saw the path.
        await Assert.ThrowsAsync<HubConflictException>(() => manager.SaveAsync(second, "shared.txt"));
        await manager.RestoreAsync("shared.txt", second, new RestoreOptions { Overwrite = true });
        File.WriteAllText(second, "second, after restoring");
        await manager.SaveAsync(second, "shared.txt");
        // Now the remote moved on from what the first file saved.
        File.WriteAllText(first, "first again");
        await Assert.ThrowsAsync<HubConflictException>(() => manager.SaveAsync(first, "shared.txt"));
        Assert.Equal("second, after restoring", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["shared.txt"]));
    }

    [Fact]
    public async Task After_retention_squashes_the_reported_commit_is_the_one_history_lists()
    {
        var remote = new FakeRemote();
        using var manager = Manager(remote, o => o.KeepVersions = 1);
        var file = Local("a.txt", "v1");
        await manager.SaveAsync(file, "a.txt");
        File.WriteAllText(file, "v2");
        var saved = await manager.SaveAsync(file, "a.txt");

        Assert.True(saved.Squashed);
        var history = await ToListAsync(manager.GetHistoryAsync("a.txt"));
        Assert.Equal(saved.CommitId, Assert.Single(history).CommitId);
    }

    [Fact]
    public async Task A_quiet_unchanged_file_is_skipped_without_a_snapshot_and_a_change_is_still_saved()
    {
        var remote = new FakeRemote();
        var snapshots = Path.Combine(_dir, "snapshots");
        using var manager = Manager(remote, o => o.TempDirectory = snapshots);
        var file = Local("quiet.txt", "v1");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-1));
        await manager.SaveAsync(file, "q.txt");
        Directory.Delete(snapshots, recursive: true);

        var skipped = await manager.SaveAsync(file, "q.txt");

        Assert.True(skipped.SkippedUnchanged);
        Assert.False(Directory.Exists(snapshots), "no snapshot is taken for a quiet unchanged file");
        File.WriteAllText(file, "v2");
        var saved = await manager.SaveAsync(file, "q.txt");
        Assert.False(saved.SkippedUnchanged);
        Assert.Equal("v2", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["q.txt"]));
    }

    [Fact]
    public async Task The_hosted_service_restores_at_start_and_saves_at_stop()
    {
        var remote = new FakeRemote();
        using (var seed = Manager(remote))
        {
            await seed.SaveAsync(Local("seed.txt", "from the dataset"), "app.txt");
        }
        using var manager = Manager(remote);
        var local = Local("app.txt");
        var options = new PersistenceHostedServiceOptions { Interval = TimeSpan.FromHours(1) };
        options.Files.Add(new PersistedFile(local, "app.txt"));
        await using var service = new PersistenceHostedService(manager, options);

        await service.StartAsync(CancellationToken.None);
        Assert.Equal("from the dataset", File.ReadAllText(local));
        File.WriteAllText(local, "written by the app");
        await service.StopAsync(CancellationToken.None);

        Assert.Equal("written by the app", System.Text.Encoding.UTF8.GetString(remote.FilesAt("main")["app.txt"]));
    }

    private static async Task<List<string>> Contents(PersistenceManager manager, FakeRemote remote, string path)
    {
        var list = new List<string>();
        await foreach (var version in manager.GetHistoryAsync(path))
        {
            list.Add(System.Text.Encoding.UTF8.GetString(remote.FilesAt(version.CommitId)[path]));
        }
        return list;
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }
}
