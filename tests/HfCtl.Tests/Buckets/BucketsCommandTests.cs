using System.Text.Json;
using HfCtl.Testing;

namespace HfCtl.Tests.Buckets;

/// <summary><c>hfctl buckets …</c> in-process against the local hub, as a person or a script runs it.</summary>
public sealed class BucketsCommandTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    private async Task<(CliRunner Cli, string User)> LoggedInAsync()
    {
        var (user, token) = await hub.CreateUserAsync();
        return (CliRunner.Against(hub, token), user);
    }

    private static string Folder(CliRunner cli, string name)
    {
        var path = Path.Combine(cli.HfHome, "work", name);
        Directory.CreateDirectory(path);
        return path;
    }

    private static async Task<CliResult> OkAsync(CliRunner cli, params string[] args)
    {
        var result = await cli.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result}");
        return result;
    }

    [Fact]
    public async Task Create_info_list_move_and_delete_a_bucket()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var name = LocalHubFixture.UniqueName("b");
        var created = await OkAsync(cli, "buckets", "create", name, "--json");
        using (var json = JsonDocument.Parse(created.Stdout))
        {
            Assert.Equal($"{user}/{name}", json.RootElement.GetProperty("id").GetString());
            Assert.Equal($"hf://buckets/{user}/{name}", json.RootElement.GetProperty("uri").GetString());
        }
        Assert.Equal(7, (await cli.RunAsync("buckets", "create", $"{user}/{name}")).ExitCode);
        await OkAsync(cli, "buckets", "create", $"hf://buckets/{user}/{name}", "--exist-ok");
        var info = await OkAsync(cli, "buckets", "info", $"{user}/{name}");
        Assert.Contains("visibility: private", info.Stdout, StringComparison.Ordinal);
        var list = await OkAsync(cli, "buckets", "list");
        Assert.Equal($"{user}/{name}\tprivate\t0\t0 B", list.Stdout.Trim());

        var moved = $"{user}/{LocalHubFixture.UniqueName("m")}";
        await OkAsync(cli, "buckets", "move", $"{user}/{name}", moved);
        Assert.Equal(5, (await cli.RunAsync("buckets", "info", $"{user}/{name}")).ExitCode);
        var refused = await cli.RunAsync("buckets", "delete", moved);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("-y", refused.Stderr, StringComparison.Ordinal);
        await OkAsync(cli, "buckets", "delete", moved, "-y");
        Assert.Equal(5, (await cli.RunAsync("buckets", "delete", moved, "-y")).ExitCode);
        await OkAsync(cli, "buckets", "delete", moved, "-y", "--missing-ok");
    }

    [Fact]
    public async Task Cp_ls_and_rm_move_files_between_disk_and_bucket_and_copy_on_the_server()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var bucket = $"{user}/{LocalHubFixture.UniqueName("f")}";
        await OkAsync(cli, "buckets", "create", bucket);
        var work = Folder(cli, "cp");
        var local = Path.Combine(work, "model.bin");
        var content = new byte[150_000];
        new Random(5).NextBytes(content);
        await File.WriteAllBytesAsync(local, content);

        var up = await OkAsync(cli, "buckets", "cp", local, $"hf://buckets/{bucket}/models/");
        Assert.Contains("Uploaded models/model.bin", up.Stdout, StringComparison.Ordinal);
        await OkAsync(cli, "buckets", "cp", $"hf://buckets/{bucket}/models/model.bin", $"hf://buckets/{bucket}/backup/copy.bin");
        var ls = await OkAsync(cli, "buckets", "ls", $"hf://buckets/{bucket}", "-R", "--json");
        using (var json = JsonDocument.Parse(ls.Stdout))
        {
            var paths = json.RootElement.EnumerateArray().Where(e => e.GetProperty("type").GetString() == "file").Select(e => e.GetProperty("path").GetString()).ToList();
            Assert.Equal(["backup/copy.bin", "models/model.bin"], paths);
        }
        Assert.Equal("backup/\t-\t-\nmodels/\t-\t-", (await OkAsync(cli, "buckets", "ls", $"hf://buckets/{bucket}")).Stdout.Trim());

        var back = Path.Combine(work, "back.bin");
        await OkAsync(cli, "buckets", "cp", $"hf://buckets/{bucket}/backup/copy.bin", back);
        Assert.Equal(content, await File.ReadAllBytesAsync(back));

        Assert.Equal(2, (await cli.RunAsync("buckets", "rm", $"hf://buckets/{bucket}/backup/copy.bin")).ExitCode);
        Assert.Equal(5, (await cli.RunAsync("buckets", "rm", $"hf://buckets/{bucket}/nothing.bin", "-y")).ExitCode);
        await OkAsync(cli, "buckets", "rm", $"hf://buckets/{bucket}/models", "-R", "-y");
        var left = await OkAsync(cli, "buckets", "ls", $"hf://buckets/{bucket}", "-R");
        Assert.DoesNotContain("models/model.bin", left.Stdout, StringComparison.Ordinal);
        Assert.Contains("backup/copy.bin", left.Stdout, StringComparison.Ordinal);
    }

    /// <summary><c>cp - DST</c> and <c>cp SRC -</c> as in a pipe: the bytes go through unchanged, stdout holds only them, and no spool file is left.</summary>
    [Fact]
    public async Task Cp_with_a_dash_reads_stdin_into_a_bucket_and_writes_a_file_to_stdout()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var bucket = $"{user}/{LocalHubFixture.UniqueName("d")}";
        await OkAsync(cli, "buckets", "create", bucket);
        var content = new byte[300_000];
        new Random(11).NextBytes(content);
        var spoolsBefore = Spools();

        cli.StdinBytes = content;
        var up = await OkAsync(cli, "buckets", "cp", "-", $"hf://buckets/{bucket}/logs/piped.bin");
        Assert.Contains("Uploaded logs/piped.bin (stdin", up.Stdout, StringComparison.Ordinal);
        var info = await OkAsync(cli, "buckets", "ls", $"hf://buckets/{bucket}/logs", "--json");
        using (var json = JsonDocument.Parse(info.Stdout))
        {
            Assert.Equal(content.Length, json.RootElement[0].GetProperty("size").GetInt64());
        }

        cli.StdinBytes = null;
        cli.Variables["HFCTL_FORMAT"] = "agent";
        var down = await OkAsync(cli, "buckets", "cp", $"hf://buckets/{bucket}/logs/piped.bin", "-");
        Assert.Equal(content, down.StdoutBytes);
        Assert.Equal("", down.Stdout);
        Assert.Equal("", down.Stderr);
        cli.Variables["HFCTL_FORMAT"] = "human";
        var human = await OkAsync(cli, "buckets", "cp", $"hf://buckets/{bucket}/logs/piped.bin", "-", "--json");
        Assert.Equal(content, human.StdoutBytes);
        Assert.Equal("", human.Stdout);

        var missing = await cli.RunAsync("buckets", "cp", $"hf://buckets/{bucket}/logs/none.bin", "-");
        Assert.True(missing.ExitCode == 5, missing.ToString());
        Assert.Empty(missing.StdoutBytes);
        var folder = await cli.RunAsync("buckets", "cp", "-", $"hf://buckets/{bucket}/logs/");
        Assert.True(folder.ExitCode == 2, folder.ToString());
        Assert.Contains("file name", folder.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, (await cli.RunAsync("buckets", "cp", "-", "./local.bin")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("buckets", "cp", $"hf://buckets/{bucket}/logs/", "-")).ExitCode);
        Assert.Equal(spoolsBefore, Spools());
    }

    private static string[] Spools() => [.. Directory.EnumerateFiles(Path.GetTempPath(), "hfctl-cp-*").Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_bucket_of_another_user_cannot_be_written_and_a_private_one_is_not_found()
    {
        var (owner, user) = await LoggedInAsync();
        using var _ = owner;
        var open = $"{user}/{LocalHubFixture.UniqueName("o")}";
        var hidden = $"{user}/{LocalHubFixture.UniqueName("h")}";
        await OkAsync(owner, "buckets", "create", open, "--public");
        await OkAsync(owner, "buckets", "create", hidden);
        var file = Path.Combine(Folder(owner, "o"), "a.txt");
        await File.WriteAllTextAsync(file, "mine");
        await OkAsync(owner, "buckets", "cp", file, $"hf://buckets/{open}/a.txt");

        var (stranger, _) = await LoggedInAsync();
        using var __ = stranger;
        var write = await stranger.RunAsync("buckets", "cp", file, $"hf://buckets/{open}/b.txt");
        Assert.True(write.ExitCode == 6, write.ToString());
        var rm = await stranger.RunAsync("buckets", "rm", $"hf://buckets/{open}/a.txt", "-y");
        Assert.True(rm.ExitCode == 6, rm.ToString());
        Assert.Single(rm.Stderr.Trim().Split('\n'));
        Assert.Equal(5, (await stranger.RunAsync("buckets", "ls", $"hf://buckets/{hidden}")).ExitCode);
        Assert.Contains("a.txt", (await OkAsync(owner, "buckets", "ls", $"hf://buckets/{open}")).Stdout, StringComparison.Ordinal);
    }

    /// <summary>The README's recipe, as a user runs it: sync a folder up, change it, sync with --delete, and back down.</summary>
    [Fact]
    public async Task The_readme_sync_recipe_round_trips_a_folder()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var bucket = $"{user}/{LocalHubFixture.UniqueName("s")}";
        var data = Folder(cli, "data");
        await File.WriteAllTextAsync(Path.Combine(data, "a.txt"), "alpha");
        Directory.CreateDirectory(Path.Combine(data, "logs"));
        await File.WriteAllTextAsync(Path.Combine(data, "logs", "b.log"), "beta");

        // hfctl buckets create my-data
        await OkAsync(cli, "buckets", "create", bucket);
        // hfctl buckets sync ./data hf://buckets/me/my-data/data
        var first = await OkAsync(cli, "buckets", "sync", data, $"hf://buckets/{bucket}/data");
        Assert.Contains("upload data/a.txt", first.Stdout, StringComparison.Ordinal);
        var again = await OkAsync(cli, "buckets", "sync", data, $"hf://buckets/{bucket}/data");
        Assert.Contains("up to date", again.Stdout, StringComparison.Ordinal);

        File.Delete(Path.Combine(data, "a.txt"));
        await File.WriteAllTextAsync(Path.Combine(data, "logs", "b.log"), "beta, longer now");
        var plan = await OkAsync(cli, "buckets", "sync", data, $"hf://buckets/{bucket}/data", "--delete", "--dry-run");
        Assert.Contains("would delete data/a.txt", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("would upload data/logs/b.log", plan.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, (await cli.RunAsync("buckets", "sync", data, $"hf://buckets/{bucket}/data", "--delete")).ExitCode);
        await OkAsync(cli, "buckets", "sync", data, $"hf://buckets/{bucket}/data", "--delete", "-y");

        // hfctl buckets sync hf://buckets/me/my-data/data ./restored
        var restored = Path.Combine(cli.HfHome, "work", "restored");
        await OkAsync(cli, "buckets", "sync", $"hf://buckets/{bucket}/data", restored);
        Assert.Equal(["logs/b.log"], Directory.EnumerateFiles(restored, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(restored, f).Replace('\\', '/')).ToList());
        Assert.Equal("beta, longer now", await File.ReadAllTextAsync(Path.Combine(restored, "logs", "b.log")));
        Assert.Contains("up to date", (await OkAsync(cli, "buckets", "sync", $"hf://buckets/{bucket}/data", restored)).Stdout, StringComparison.Ordinal);
        Assert.Contains("up to date", (await OkAsync(cli, "buckets", "sync", restored, $"hf://buckets/{bucket}/data")).Stdout, StringComparison.Ordinal);
    }
}
