using System.Text.Json;
using HfCtl.Testing;
using HfHub.Persistence;

namespace HfCtl.Tests.Persist;

public sealed class PersistCommandTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfctl-persist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(CliRunner Cli, string User, string Token)> RunnerAsync()
    {
        var (user, token) = await hub.CreateUserAsync();
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        return (cli, user, token);
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public async Task Save_restore_and_history_each_print_one_line_of_what_they_did()
    {
        var (cli, user, token) = await RunnerAsync();
        using var _ = cli;
        var dataset = $"{user}/space-data";
        var db = PersistTestData.Database(PathOf("app.db"));
        PersistTestData.Insert(db, "first");

        var save = await cli.RunAsync("persist", "save", db, "db/data.sqlite", "--dataset", dataset);
        Assert.True(save.ExitCode == 0, save.ToString());
        Assert.Matches($@"^saved {dataset}:db/data.sqlite \([0-9.]+ KiB, SQLite snapshot\) in commit [0-9a-f]{{12}}\n$", save.Stdout);

        var unchanged = await cli.RunAsync("persist", "save", db, "db/data.sqlite", "--dataset", dataset);
        Assert.Equal(0, unchanged.ExitCode);
        Assert.StartsWith($"unchanged: {dataset}:db/data.sqlite already holds this content", unchanged.Stdout);
        Assert.Single(unchanged.Stdout.Trim().Split('\n'));

        PersistTestData.Insert(db, "second");
        cli.Variables["HF_PERSIST_DATASET"] = dataset;
        var second = await cli.RunAsync("persist", "save", db, "db/data.sqlite", "--json");
        Assert.Equal(0, second.ExitCode);
        using (var json = JsonDocument.Parse(second.Stdout))
        {
            Assert.False(json.RootElement.GetProperty("skippedUnchanged").GetBoolean());
            Assert.Equal("Sqlite", json.RootElement.GetProperty("kind").GetString());
        }

        var history = await cli.RunAsync("persist", "history", "db/data.sqlite");
        Assert.Equal(0, history.ExitCode);
        var rows = history.Stdout.Trim().Split('\n');
        Assert.Equal(2, rows.Length);
        var oldest = rows[1].Split('\t')[0];

        var restoredOld = PathOf("old.db");
        var restore = await cli.RunAsync("persist", "restore", "db/data.sqlite", restoredOld, "--revision", oldest);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.StartsWith($"restored {dataset}:db/data.sqlite at {oldest[..12]} to {restoredOld}", restore.Stdout);
        Assert.True(PersistTestData.HasPayload(restoredOld, "first"));
        Assert.False(PersistTestData.HasPayload(restoredOld, "second"));

        var skip = await cli.RunAsync("persist", "restore", "db/data.sqlite", restoredOld, "--if-local-missing");
        Assert.Equal(0, skip.ExitCode);
        Assert.Equal($"skipped: {restoredOld} exists; nothing restored\n", skip.Stdout);

        var refuse = await cli.RunAsync("persist", "restore", "db/data.sqlite", restoredOld);
        Assert.Equal(7, refuse.ExitCode);
        Assert.Contains("exists; nothing restored: pass --force to replace it, or --if-local-missing to keep it", refuse.Stderr);
        Assert.Single(refuse.Stderr.Trim().Split('\n'));
        Assert.False(PersistTestData.HasPayload(restoredOld, "second"));

        var latest = await cli.RunAsync("persist", "restore", "db/data.sqlite", restoredOld, "--force", "--json");
        Assert.Equal(0, latest.ExitCode);
        using (var json = JsonDocument.Parse(latest.Stdout))
        {
            Assert.Equal("Restored", json.RootElement.GetProperty("outcome").GetString());
        }
        Assert.True(PersistTestData.HasPayload(restoredOld, "second"));

        var missing = await cli.RunAsync("persist", "restore", "db/nothing.sqlite", PathOf("none.db"), "--if-remote-exists");
        Assert.Equal(0, missing.ExitCode);
        Assert.Equal($"skipped: db/nothing.sqlite does not exist in {dataset} yet; nothing restored\n", missing.Stdout);
        Assert.DoesNotContain(token, save.All + history.All + restore.All + latest.All);
    }

    [Fact]
    public async Task History_of_a_path_never_saved_says_so()
    {
        var (cli, user, _) = await RunnerAsync();
        using var __ = cli;
        var dataset = $"{user}/history-empty";
        var file = PathOf("saved.txt");
        await File.WriteAllTextAsync(file, "data");
        Assert.Equal(0, (await cli.RunAsync("persist", "save", file, "saved.txt", "--dataset", dataset)).ExitCode);

        var history = await cli.RunAsync("persist", "history", "never/saved.txt", "--dataset", dataset);

        Assert.Equal(0, history.ExitCode);
        Assert.Equal("", history.Stdout);
        Assert.Contains($"no saved versions of never/saved.txt in {dataset}", history.Stderr);
    }

    [Fact]
    public async Task Save_into_a_remote_ending_in_a_slash_keeps_the_file_name()
    {
        var (cli, user, _) = await RunnerAsync();
        using var __ = cli;
        var dataset = $"{user}/into-folder";
        var file = PathOf("f.txt");
        await File.WriteAllTextAsync(file, "data");

        var save = await cli.RunAsync("persist", "save", file, "dir/", "--dataset", dataset);

        Assert.True(save.ExitCode == 0, save.ToString());
        Assert.StartsWith($"saved {dataset}:dir/f.txt ", save.Stdout);
        var restored = PathOf("back.txt");
        Assert.Equal(0, (await cli.RunAsync("persist", "restore", "dir/f.txt", restored, "--dataset", dataset)).ExitCode);
        Assert.Equal("data", await File.ReadAllTextAsync(restored));
        Assert.Equal(5, (await cli.RunAsync("persist", "restore", "dir", PathOf("as-dir.txt"), "--dataset", dataset)).ExitCode);
    }

    [Fact]
    public async Task After_keep_squashes_the_printed_commit_is_the_one_history_shows()
    {
        var (cli, user, _) = await RunnerAsync();
        using var __ = cli;
        var dataset = $"{user}/kept";
        var file = PathOf("k.txt");
        await File.WriteAllTextAsync(file, "v1");
        Assert.Equal(0, (await cli.RunAsync("persist", "save", file, "k.txt", "--dataset", dataset, "--keep", "1")).ExitCode);
        await File.WriteAllTextAsync(file, "v2");

        var save = await cli.RunAsync("persist", "save", file, "k.txt", "--dataset", dataset, "--keep", "1");
        var history = await cli.RunAsync("persist", "history", "k.txt", "--dataset", dataset);

        Assert.True(save.ExitCode == 0, save.ToString());
        var printed = System.Text.RegularExpressions.Regex.Match(save.Stdout, "in commit ([0-9a-f]{12})").Groups[1].Value;
        var row = Assert.Single(history.Stdout.Trim().Split('\n'));
        Assert.StartsWith(printed, row.Split('\t')[0]);
    }

    [Fact]
    public async Task Two_local_files_saved_to_one_path_from_one_hf_home_are_two_writers()
    {
        var (cli, user, _) = await RunnerAsync();
        using var __ = cli;
        var dataset = $"{user}/two-writers";
        var first = PathOf("first.txt");
        var second = PathOf("second.txt");
        await File.WriteAllTextAsync(first, "first");
        await File.WriteAllTextAsync(second, "second");
        Assert.Equal(0, (await cli.RunAsync("persist", "save", first, "shared.txt", "--dataset", dataset)).ExitCode);
        await File.WriteAllTextAsync(first, "first, changed");
        Assert.Equal(0, (await cli.RunAsync("persist", "save", first, "shared.txt", "--dataset", dataset)).ExitCode);

        var other = await cli.RunAsync("persist", "save", second, "shared.txt", "--dataset", dataset);

        Assert.Equal(7, other.ExitCode);
        var back = PathOf("back.txt");
        Assert.Equal(0, (await cli.RunAsync("persist", "restore", "shared.txt", back, "--dataset", dataset)).ExitCode);
        Assert.Equal("first, changed", await File.ReadAllTextAsync(back));
    }

    [Fact]
    public async Task Run_with_verbose_traces_saves_what_the_app_wrote_and_keeps_the_token_out()
    {
        // The runner checks every output against the secret canary; --verbose prints every request.
        var (cli, user, _) = await RunnerAsync();
        using var __ = cli;
        var dataset = $"{user}/run-verbose";
        var file = PathOf("written.txt");

        var run = await cli.RunAsync("--verbose", "persist", "run", "-d", dataset, "--every", "1h", $"{file}=out/", "--", "/bin/sh", "-c", "echo from the app > \"$0\"", file);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("* > GET", run.Stderr);
        Assert.Contains($"persist: saved {dataset}:out/written.txt", run.Stderr);
        var back = PathOf("back.txt");
        Assert.Equal(0, (await cli.RunAsync("persist", "restore", "out/written.txt", back, "--dataset", dataset)).ExitCode);
        Assert.Equal("from the app\n", await File.ReadAllTextAsync(back));
    }

    [Fact]
    public async Task Symbolic_links_are_said_when_followed_and_refused_when_a_folder_save_would_leave_the_folder()
    {
        var (cli, user, _) = await RunnerAsync();
        using var __ = cli;
        var dataset = $"{user}/links";
        var outside = PathOf("outside.txt");
        await File.WriteAllTextAsync(outside, "outside");
        var link = PathOf("link.txt");
        File.CreateSymbolicLink(link, outside);

        var single = await cli.RunAsync("persist", "save", link, "link.txt", "--dataset", dataset);
        Assert.True(single.ExitCode == 0, single.ToString());
        Assert.Contains($"note: {link} is a symbolic link; saving the file it points to, {outside}", single.Stderr);

        var folder = Directory.CreateDirectory(PathOf("tree")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "inside.txt"), "inside");
        File.CreateSymbolicLink(Path.Combine(folder, "escape.txt"), outside);
        var save = await cli.RunAsync("persist", "save", folder, "tree", "--folder", "--dataset", dataset);
        Assert.Equal(1, save.ExitCode);
        Assert.Contains("'escape.txt' is a symbolic link to outside", save.Stderr);
        Assert.Single(save.Stderr.Trim().Split('\n'));
        Assert.Equal(5, (await cli.RunAsync("persist", "restore", "tree", PathOf("tree-back"), "--folder", "--dataset", dataset)).ExitCode);
    }

    [Fact]
    public async Task Bad_input_gives_clear_errors_and_writes_nothing()
    {
        var (cli, user, _) = await RunnerAsync();
        using var __ = cli;
        var (other, _) = await hub.CreateUserAsync();
        var dataset = $"{user}/never-created";
        var file = PathOf("data.txt");
        await File.WriteAllTextAsync(file, "data");

        var missing = await cli.RunAsync("persist", "save", PathOf("missing.db"), "x.db", "--dataset", dataset);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr);
        Assert.Single(missing.Stderr.Trim().Split('\n'));

        var folder = await cli.RunAsync("persist", "save", _dir, "x.db", "--dataset", dataset);
        Assert.Equal(1, folder.ExitCode);
        Assert.Contains("is a directory, not a file", folder.Stderr);
        var restoreIntoFolder = await cli.RunAsync("persist", "restore", "x.db", _dir, "--dataset", dataset);
        Assert.Equal(1, restoreIntoFolder.ExitCode);
        Assert.Contains("is a directory, not a file", restoreIntoFolder.Stderr);

        var dotdot = await cli.RunAsync("persist", "save", file, "../escape.txt", "--dataset", dataset);
        Assert.Equal(2, dotdot.ExitCode);
        Assert.Contains("invalid remote path '../escape.txt'", dotdot.Stderr);

        var restoreDotdot = await cli.RunAsync("persist", "restore", "db/../../x", PathOf("x"), "--dataset", dataset);
        Assert.Equal(2, restoreDotdot.ExitCode);

        var noDataset = await cli.RunAsync("persist", "save", file, "x.txt");
        Assert.Equal(2, noDataset.ExitCode);
        Assert.Contains("HF_PERSIST_DATASET", noDataset.Stderr);

        var badId = await cli.RunAsync("persist", "save", file, "x.txt", "--dataset", "not a dataset");
        Assert.Equal(2, badId.ExitCode);

        var foreign = await cli.RunAsync("persist", "save", file, "x.txt", "--dataset", $"{other}/their-data");
        Assert.True(foreign.ExitCode is 5 or 6, foreign.ToString());
        Assert.DoesNotContain("Exception", foreign.Stderr);

        var check = await cli.RunAsync("persist", "history", "x.txt", "--dataset", dataset);
        Assert.Equal(5, check.ExitCode);
        using var admin = hub.RawClient();
        // Anonymous callers get 401 for a missing repo, as on the Hub; the error code says it does not exist.
        Assert.Equal("RepoNotFound", (await admin.GetAsync($"/api/datasets/{other}/their-data")).Headers.GetValues("X-Error-Code").Single());
        Assert.Empty(Directory.GetFiles(_dir, "*.hfpersist-*"));
    }

    [Fact]
    public async Task Folder_save_and_restore_through_the_cli()
    {
        var (cli, user, _) = await RunnerAsync();
        using var __ = cli;
        var dataset = $"{user}/folders";
        var folder = Directory.CreateDirectory(PathOf("state")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "one.txt"), "1");
        PersistTestData.Database(Path.Combine(folder, "app.db"));

        var save = await cli.RunAsync("persist", "save", folder, "state", "--folder", "--dataset", dataset);
        Assert.True(save.ExitCode == 0, save.ToString());
        Assert.StartsWith($"saved folder {dataset}:state/ (2 changed, 0 unchanged, 0 deleted) in commit ", save.Stdout);
        var again = await cli.RunAsync("persist", "save", folder, "state", "--folder", "--dataset", dataset);
        Assert.StartsWith("unchanged:", again.Stdout);

        var target = PathOf("restored-state");
        var restore = await cli.RunAsync("persist", "restore", "state", target, "--folder", "--dataset", dataset);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains("(2 restored, 0 unchanged, sha256 verified)", restore.Stdout);
        Assert.Equal("1", await File.ReadAllTextAsync(Path.Combine(target, "one.txt")));
    }

    [Fact]
    public async Task Watch_saves_changes_and_flushes_when_cancelled()
    {
        var (cli, user, _) = await RunnerAsync();
        using var __ = cli;
        var dataset = $"{user}/watched";
        var db = PersistTestData.Database(PathOf("watched.db"));
        using var stop = new CancellationTokenSource();
        var watch = cli.RunAsync(stop.Token, "persist", "watch", db, "app.sqlite", "--dataset", dataset, "--every", "1h");
        var manager = new PersistenceManager(dataset, new PersistenceOptions { ClientOptions = new HfHub.HubClientOptions { Endpoint = hub.Endpoint, Token = HfHub.Auth.HfToken.FromValue(cli.Variables["HF_TOKEN"]) } });
        using var _ = manager;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the first save never landed");
            var found = false;
            try
            {
                await foreach (var _v in manager.GetHistoryAsync("app.sqlite"))
                {
                    found = true;
                }
            }
            catch (HfHub.Http.HubNotFoundException)
            {
            }
            if (found)
            {
                break;
            }
            await Task.Delay(100);
        }
        PersistTestData.Insert(db, "the last change");
        await stop.CancelAsync();
        var result = await watch;

        Assert.True(result.ExitCode == 0, result.ToString());
        var check = PathOf("check.db");
        await manager.RestoreAsync("app.sqlite", check);
        Assert.True(PersistTestData.HasPayload(check, "the last change"));
        Assert.Equal(2, result.Stdout.Trim().Split('\n').Length);
    }
}
