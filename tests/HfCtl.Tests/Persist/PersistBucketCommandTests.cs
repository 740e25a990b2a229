using System.Text.Json;
using System.Text.RegularExpressions;
using HfCtl.Testing;

namespace HfCtl.Tests.Persist;

/// <summary><c>hfctl persist … --bucket</c> in-process against a local hub: rolling versions, conflicts, a failed save.</summary>
public sealed partial class PersistBucketCommandTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfctl-persist-bucket-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(CliRunner Cli, string User)> RunnerAsync()
    {
        var (user, token) = await hub.CreateUserAsync();
        return (CliRunner.Against(hub, token), user);
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    [GeneratedRegex(@"as version (\S+)\n$")]
    private static partial Regex SavedVersion();

    private static string VersionOf(CliResult save)
    {
        Assert.True(save.ExitCode == 0, save.ToString());
        return SavedVersion().Match(save.Stdout) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no version in: {save.Stdout}");
    }

    /// <summary>The version ids <c>persist history</c> prints (TSV, newest first).</summary>
    private static async Task<List<string>> HistoryAsync(CliRunner cli, params string[] args)
    {
        var history = await cli.RunAsync(["persist", "history", .. args]);
        Assert.True(history.ExitCode == 0, history.ToString());
        return [.. history.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0])];
    }

    [Fact]
    public async Task Save_restore_and_history_with_a_bucket_keep_rolling_versions_in_a_new_private_bucket()
    {
        var (cli, user) = await RunnerAsync();
        using var _ = cli;
        var bucket = $"{user}/space-data";
        var target = $"hf://buckets/{bucket}/web";
        var db = PersistTestData.Database(PathOf("app.db"));
        PersistTestData.Insert(db, "save 1");

        var first = await cli.RunAsync("persist", "save", db, "db/data.sqlite", "--bucket", target, "--keep", "2");
        Assert.Matches($@"^saved {Regex.Escape(target)}:db/data.sqlite \([0-9.]+ KiB, SQLite snapshot\) as version [0-9]{{8}}T[0-9]{{9}}Z-[0-9a-f]{{6}}\n$", first.Stdout);
        var unchanged = await cli.RunAsync("persist", "save", db, "db/data.sqlite", "--bucket", target, "--keep", "2");
        Assert.Equal(0, unchanged.ExitCode);
        Assert.Equal($"unchanged: {target}:db/data.sqlite already holds this content", unchanged.Stdout[..(unchanged.Stdout.IndexOf(" (", StringComparison.Ordinal))]);
        using (var info = JsonDocument.Parse((await cli.RunAsync("buckets", "info", bucket, "--json")).Stdout))
        {
            Assert.True(info.RootElement.GetProperty("private").GetBoolean());
        }

        var versions = new List<string> { VersionOf(first) };
        cli.Variables["HF_PERSIST_BUCKET"] = target;
        for (var i = 2; i <= 4; i++)
        {
            PersistTestData.Insert(db, $"save {i}");
            versions.Add(VersionOf(await cli.RunAsync("persist", "save", db, "db/data.sqlite", "--keep", "2")));
        }
        var json = await cli.RunAsync("persist", "history", "db/data.sqlite", "--json");
        using (var listed = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal([versions[3], versions[2]], listed.RootElement.EnumerateArray().Select(v => v.GetProperty("commitId").GetString()));
        }
        Assert.Equal([versions[3], versions[2]], await HistoryAsync(cli, "db/data.sqlite"));

        var older = PathOf("older.db");
        var restore = await cli.RunAsync("persist", "restore", "db/data.sqlite", older, "--version", versions[2]);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.StartsWith($"restored {target}:db/data.sqlite at version {versions[2]} to {older} (", restore.Stdout);
        Assert.True(PersistTestData.HasPayload(older, "save 3"));
        Assert.False(PersistTestData.HasPayload(older, "save 4"));
        var dropped = await cli.RunAsync("persist", "restore", "db/data.sqlite", PathOf("dropped.db"), "--version", versions[0]);
        Assert.Equal(5, dropped.ExitCode);
        Assert.Contains("is not among the 2 versions", dropped.Stderr);
        Assert.False(File.Exists(PathOf("dropped.db")));

        var latest = await cli.RunAsync("persist", "restore", "db/data.sqlite", older, "--force", "--json");
        using (var restored = JsonDocument.Parse(latest.Stdout))
        {
            Assert.Equal(versions[3], restored.RootElement.GetProperty("version").GetString());
        }
        Assert.True(PersistTestData.HasPayload(older, "save 4"));
        var missing = await cli.RunAsync("persist", "restore", "db/nothing.sqlite", PathOf("none.db"), "--if-remote-exists");
        Assert.Equal($"skipped: db/nothing.sqlite does not exist in {target} yet; nothing restored\n", missing.Stdout);
    }

    [Fact]
    public async Task A_second_writer_is_refused_with_exit_7_and_the_bucket_keeps_the_first_writers_version()
    {
        var (cli, user) = await RunnerAsync();
        using var _ = cli;
        var bucket = $"{user}/two-writers";
        var a = PersistTestData.Database(PathOf("a.db"));
        Directory.CreateDirectory(PathOf("other"));
        var b = PersistTestData.Database(PathOf("other/b.db"));
        var saved = VersionOf(await cli.RunAsync("persist", "save", a, "data.sqlite", "--bucket", bucket));

        var refused = await cli.RunAsync("persist", "save", b, "data.sqlite", "--bucket", bucket);

        Assert.Equal(7, refused.ExitCode);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        Assert.Contains("nothing was written", refused.Stderr);
        Assert.Equal([saved], await HistoryAsync(cli, "data.sqlite", "--bucket", bucket));
        var forced = VersionOf(await cli.RunAsync("persist", "save", b, "data.sqlite", "--bucket", bucket, "--force"));
        Assert.Equal([forced, saved], await HistoryAsync(cli, "data.sqlite", "--bucket", bucket));
        Assert.Equal(7, (await cli.RunAsync("persist", "save", a, "data.sqlite", "--bucket", bucket)).ExitCode);
    }

    [Fact]
    public async Task A_save_whose_bucket_writes_fail_leaves_the_pointer_on_the_old_version()
    {
        var (cli, user) = await RunnerAsync();
        using var _ = cli;
        var bucket = $"{user}/failing";
        var db = PersistTestData.Database(PathOf("failing.db"));
        var saved = VersionOf(await cli.RunAsync("persist", "save", db, "data.sqlite", "--bucket", bucket));
        PersistTestData.Insert(db, "not saved");

        await hub.SetFaultsAsync($"rate=1,kinds=500,methods=POST,paths=/api/buckets/{bucket}/batch");
        CliResult failed;
        try
        {
            failed = await cli.RunAsync("persist", "save", db, "data.sqlite", "--bucket", bucket);
        }
        finally
        {
            await hub.SetFaultsAsync("off");
        }

        Assert.Equal(1, failed.ExitCode);
        Assert.Single(failed.Stderr.Trim().Split('\n'));
        Assert.Equal([saved], await HistoryAsync(cli, "data.sqlite", "--bucket", bucket));
        var check = PathOf("check.db");
        Assert.Equal(0, (await cli.RunAsync("persist", "restore", "data.sqlite", check, "--bucket", bucket)).ExitCode);
        Assert.False(PersistTestData.HasPayload(check, "not saved"));
        // The writer goes on: its own half-written save is no conflict.
        var next = VersionOf(await cli.RunAsync("persist", "save", db, "data.sqlite", "--bucket", bucket));
        Assert.Equal([next, saved], await HistoryAsync(cli, "data.sqlite", "--bucket", bucket));
    }
}
