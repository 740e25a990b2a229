using System.Text.Json;
using HfCtl.Testing;
using HfHub.LocalHub;

namespace HfCtl.Tests.Files;

/// <summary>A local hub with small multipart parts, for CLI transfer tests.</summary>
public sealed class CliFilesHubFixture : LocalHubFixture
{
    protected override void Configure(LocalHubOptions options) => options.LfsChunkSize = 64 * 1024;
}

public sealed class FilesCommandTests(CliFilesHubFixture hub) : IClassFixture<CliFilesHubFixture>
{
    private async Task<(CliRunner Cli, string User)> LoggedInAsync()
    {
        var (user, token) = await hub.CreateUserAsync();
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        return (cli, user);
    }

    private static string Work(CliRunner cli, string name)
    {
        var path = Path.Combine(cli.HfHome, "work", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    [Fact]
    public async Task A_private_repo_is_not_found_for_anonymous_callers_and_other_users()
    {
        var (owner, user) = await LoggedInAsync();
        using var ownerCli = owner;
        var repo = $"{user}/{LocalHubFixture.UniqueName("hidden")}";
        Assert.Equal(0, (await owner.RunAsync("repo", "create", repo, "--private")).ExitCode);
        var (stranger, _) = await LoggedInAsync();
        using var strangerCli = stranger;
        using var anonymous = new CliRunner();
        anonymous.Variables["HF_ENDPOINT"] = hub.EndpointText;

        // The Hub answers 401 RepoNotFound to anonymous callers and 404 to signed-in ones; both are "not found" (exit 5).
        foreach (var cli in new[] { anonymous, stranger })
        {
            var info = await cli.RunAsync("repo", "info", repo);
            Assert.True(info.ExitCode == 5, info.ToString());
            Assert.Single(info.Stderr.Trim().Split('\n'));
            Assert.Contains("not found", info.Stderr, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task A_gated_repo_tells_strangers_to_ask_for_access_and_anonymous_callers_to_log_in()
    {
        var (owner, user) = await LoggedInAsync();
        using var ownerCli = owner;
        var repo = $"{user}/{LocalHubFixture.UniqueName("gated")}";
        var file = Work(owner, "weights.bin");
        await File.WriteAllTextAsync(file, "w");
        Assert.Equal(0, (await owner.RunAsync("repo", "create", repo)).ExitCode);
        Assert.Equal(0, (await owner.RunAsync("upload", repo, file, "weights.bin")).ExitCode);
        using (var http = hub.RawClient(owner.Variables["HF_TOKEN"]))
        {
            (await System.Net.Http.Json.HttpClientJsonExtensions.PutAsJsonAsync(http, $"/api/models/{repo}/settings", new { gated = "manual" })).EnsureSuccessStatusCode();
        }
        var (stranger, _) = await LoggedInAsync();
        using var strangerCli = stranger;
        using var anonymous = new CliRunner();
        anonymous.Variables["HF_ENDPOINT"] = hub.EndpointText;

        var refused = await stranger.RunAsync("download", repo, "weights.bin");
        Assert.True(refused.ExitCode == Cli.ExitCodes.Forbidden, refused.ToString());
        Assert.Contains("ask for access", Assert.Single(refused.Stderr.Trim().Split('\n')), StringComparison.Ordinal);
        var anonymousRefused = await anonymous.RunAsync("download", repo, "weights.bin");
        Assert.True(anonymousRefused.ExitCode == Cli.ExitCodes.Auth, anonymousRefused.ToString());
        Assert.Contains("not logged in", anonymousRefused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await owner.RunAsync("download", repo, "weights.bin")).ExitCode);
    }

    [Fact]
    public async Task Repo_create_info_list_files_and_delete()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var repo = $"{user}/{LocalHubFixture.UniqueName("d")}";

        var create = await cli.RunAsync("repo", "create", repo, "--type", "dataset", "--private");
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Contains($"/datasets/{repo}", create.Stdout);
        var again = await cli.RunAsync("repo", "create", repo, "--type", "dataset");
        Assert.Equal(7, again.ExitCode);
        var existOk = await cli.RunAsync("repo", "create", repo, "--type", "dataset", "--exist-ok", "--json");
        Assert.Equal(0, existOk.ExitCode);
        using (var json = JsonDocument.Parse(existOk.Stdout))
        {
            Assert.False(json.RootElement.GetProperty("created").GetBoolean());
        }

        var info = await cli.RunAsync("repo", "info", repo, "--type", "dataset");
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Matches($@"(?m)^id:\s+{repo}$", info.Stdout);
        Assert.Matches(@"(?m)^private:\s+yes$", info.Stdout);

        var list = await cli.RunAsync("repo", "list", "--type", "dataset", "--author", user);
        Assert.Equal(0, list.ExitCode);
        Assert.Equal($"{repo}\tprivate", string.Join('\t', list.Stdout.Trim().Split('\t').Take(2)));

        var file = Work(cli, "notes.txt");
        await File.WriteAllTextAsync(file, "hello\n");
        Assert.Equal(0, (await cli.RunAsync("upload", repo, file, "docs/notes.txt", "--type", "dataset")).ExitCode);
        var files = await cli.RunAsync("repo", "files", repo, "--type", "dataset");
        Assert.Contains("docs/notes.txt\t6\t-", files.Stdout);

        var refused = await cli.RunAsync("repo", "delete", repo, "--type", "dataset");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("-y", refused.Stderr);
        Assert.Equal(0, (await cli.RunAsync("repo", "info", repo, "--type", "dataset")).ExitCode);

        var delete = await cli.RunAsync("repo", "delete", repo, "--type", "dataset", "-y");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Equal(5, (await cli.RunAsync("repo", "info", repo, "--type", "dataset")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("repo", "delete", repo, "--type", "dataset", "-y", "--missing-ok")).ExitCode);
    }

    [Theory]
    [InlineData("repo", "info", "bad--id/x")]
    [InlineData("repo", "create", "a/b/c")]
    [InlineData("download", "-bad/name")]
    [InlineData("upload", "x/y.git", "file")]
    public async Task Invalid_repo_ids_exit_2(params string[] args)
    {
        var (cli, _) = await LoggedInAsync();
        using var __ = cli;
        var result = await cli.RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("invalid repo id", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Uploading_a_missing_file_is_a_usage_error()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var result = await cli.RunAsync("upload", $"{user}/x", Path.Combine(cli.HfHome, "nope.bin"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no such file or folder", result.Stderr);
    }

    [Fact]
    public async Task Hf_uris_name_the_repo_its_type_revision_and_path_wherever_a_repo_is_taken()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var name = LocalHubFixture.UniqueName("uri");
        var dataset = $"hf://datasets/{user}/{name}";
        var local = Work(cli, "rows.csv");
        await File.WriteAllTextAsync(local, "a,b\n1,2\n");

        Assert.Equal(0, (await cli.RunAsync("repo", "create", dataset)).ExitCode);
        var upload = await cli.RunAsync("upload", $"{dataset}/data/rows.csv", local);
        Assert.True(upload.ExitCode == 0, upload.ToString());

        var info = JsonDocument.Parse((await cli.RunAsync("--json", "repo", "info", dataset)).Stdout).RootElement;
        Assert.Equal("dataset", info.GetProperty("type").GetString());
        Assert.Contains("data/rows.csv", info.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        var files = await cli.RunAsync("repo", "files", $"{dataset}@main/data");
        Assert.Equal("data/rows.csv", files.Stdout.Split('\n')[0].Split('\t')[0]);

        var target = Work(cli, "out");
        var download = await cli.RunAsync("download", $"{dataset}@main/data/rows.csv", "--local-dir", target);
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal("a,b\n1,2\n", await File.ReadAllTextAsync(Path.Combine(target, "data", "rows.csv")));

        // A model needs no type prefix; a Space command takes hf://spaces/…
        Assert.Equal(0, (await cli.RunAsync("upload", $"hf://{user}/{name}-model/notes.txt", local)).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("repo", "info", $"{user}/{name}-model")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("spaces", "create", $"hf://spaces/{user}/{name}-app", "--empty")).ExitCode);
        Assert.Contains($"name:", (await cli.RunAsync("spaces", "info", $"hf://spaces/{user}/{name}-app")).Stdout, StringComparison.Ordinal);

        var wrongKind = await cli.RunAsync("spaces", "info", $"hf://{user}/{name}-model");
        Assert.Equal(2, wrongKind.ExitCode);
        Assert.Contains("names a model, not a Space", wrongKind.Stderr, StringComparison.Ordinal);
        var bucket = await cli.RunAsync("download", $"hf://buckets/{user}/b/rows.csv");
        Assert.Equal(2, bucket.ExitCode);
        Assert.Contains("is a bucket, not a repo", bucket.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await cli.RunAsync("repo", "delete", dataset, "-y")).ExitCode);
        Assert.Equal(5, (await cli.RunAsync("repo", "info", dataset)).ExitCode);
    }

    [Fact]
    public async Task Upload_then_download_into_the_cache_and_a_local_dir()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var repo = $"{user}/{LocalHubFixture.UniqueName("m")}";
        var big = Work(cli, "model.safetensors");
        var bytes = new byte[300_000];
        new Random(4).NextBytes(bytes);
        await File.WriteAllBytesAsync(big, bytes);

        // The repo does not exist yet: upload creates it.
        var upload = await cli.RunAsync("upload", repo, big, "--commit-message", "Add weights");
        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Single(upload.Stdout.Trim().Split('\n'));
        Assert.Contains($"{repo}/commit/", upload.Stdout);
        Assert.Equal("", upload.Stderr); // piped: no progress bars

        var same = await cli.RunAsync("upload", repo, big);
        Assert.Equal(0, same.ExitCode);
        Assert.Contains("No changes", same.Stdout);

        var download = await cli.RunAsync("download", repo, "model.safetensors");
        Assert.True(download.ExitCode == 0, download.ToString());
        var cached = download.Stdout.Trim();
        Assert.StartsWith(Path.Combine(cli.HfHome, "hub", $"models--{user}--{repo.Split('/')[1]}", "snapshots"), cached);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(cached));

        var localDir = Work(cli, "out");
        var json = await cli.RunAsync("download", repo, "--local-dir", localDir, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(Path.GetFullPath(localDir), doc.RootElement.GetProperty("path").GetString());
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(localDir, "model.safetensors")));
    }

    [Fact]
    public async Task Folder_upload_with_include_and_exclude_then_filtered_download()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var repo = $"{user}/{LocalHubFixture.UniqueName("s")}";
        var folder = Work(cli, "site/x");
        folder = Path.GetDirectoryName(folder)!;
        Directory.CreateDirectory(Path.Combine(folder, "static"));
        await File.WriteAllTextAsync(Path.Combine(folder, "app.py"), "import gradio\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "static", "style.css"), "body{}\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "debug.log"), "noise\n");

        var upload = await cli.RunAsync("upload", repo, folder, "--type", "space", "--exclude", "*.log", "--json");
        Assert.True(upload.ExitCode == 0, upload.ToString());
        using (var json = JsonDocument.Parse(upload.Stdout))
        {
            Assert.Equal(2, json.RootElement.GetProperty("filesUploaded").GetInt32());
        }
        var files = await cli.RunAsync("repo", "files", repo, "--type", "space");
        Assert.Contains("app.py", files.Stdout);
        Assert.Contains("static/style.css", files.Stdout);
        Assert.DoesNotContain("debug.log", files.Stdout);

        var target = Work(cli, "copy");
        var download = await cli.RunAsync("download", repo, "--type", "space", "--include", "static/*", "--local-dir", target);
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.True(File.Exists(Path.Combine(target, "static", "style.css")));
        Assert.False(File.Exists(Path.Combine(target, "app.py")));
    }

    [Fact]
    public async Task A_folder_of_1200_files_goes_up_as_one_commit()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var repo = $"{user}/{LocalHubFixture.UniqueName("many")}";
        var folder = Path.GetDirectoryName(Work(cli, "many/x"))!;
        for (var i = 0; i < 1200; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, $"f{i:0000}.txt"), $"file {i}\n");
        }

        var upload = await cli.RunAsync("upload", repo, folder, "--json");
        Assert.True(upload.ExitCode == 0, upload.ToString());
        using (var json = JsonDocument.Parse(upload.Stdout))
        {
            Assert.Equal(1200, json.RootElement.GetProperty("filesUploaded").GetInt32());
            Assert.Equal(1, json.RootElement.GetProperty("commits").GetArrayLength());
        }
        var history = await cli.RunAsync("api", $"/api/models/{repo}/commits/main");
        using var commits = JsonDocument.Parse(history.Stdout);
        Assert.Equal(2, commits.RootElement.GetArrayLength()); // the repo's initial commit and the upload
    }

    [Fact]
    public async Task A_stale_parent_commit_exits_7()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var repo = $"{user}/{LocalHubFixture.UniqueName("c")}";
        var file = Work(cli, "a.txt");
        await File.WriteAllTextAsync(file, "1");
        var first = await cli.RunAsync("upload", repo, file, "--json");
        Assert.True(first.ExitCode == 0, first.ToString());
        string parent;
        using (var json = JsonDocument.Parse(first.Stdout))
        {
            parent = json.RootElement.GetProperty("commit").GetString()!;
        }
        await File.WriteAllTextAsync(file, "2");
        Assert.Equal(0, (await cli.RunAsync("upload", repo, file)).ExitCode);
        await File.WriteAllTextAsync(file, "3");

        var stale = await cli.RunAsync("upload", repo, file, "--parent-commit", parent);

        Assert.Equal(7, stale.ExitCode);
        Assert.Contains("refresh", stale.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Single(stale.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task On_a_terminal_progress_goes_to_stderr_and_the_result_to_stdout()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        cli.Terminal = true;
        var repo = $"{user}/{LocalHubFixture.UniqueName("t")}";
        var file = Work(cli, "w.bin");
        await File.WriteAllBytesAsync(file, new byte[200_000]);

        var upload = await cli.RunAsync("upload", repo, file);
        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains($"{repo}/commit/", upload.Stdout);
        Assert.Contains("w.bin", upload.Stderr);

        var quiet = await cli.RunAsync("download", repo, "w.bin", "--quiet");
        Assert.Equal(0, quiet.ExitCode);
        Assert.Equal("", quiet.Stderr);
        Assert.True(File.Exists(quiet.Stdout.Trim()), quiet.ToString()); // the result survives --quiet
    }

    [Fact]
    public async Task A_path_that_escapes_the_target_folder_is_refused()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var target = Work(cli, "dl/inner");
        var result = await cli.RunAsync("download", $"{user}/anything", "../../outside.txt", "--local-dir", target);
        Assert.Equal(2, result.ExitCode); // refused before any request
        Assert.Contains("invalid path in repo '../../outside.txt'", result.Stderr);
        Assert.False(File.Exists(Path.Combine(cli.HfHome, "work", "outside.txt")));
    }

    [Fact]
    public async Task A_bare_name_means_the_callers_namespace_in_upload_download_info_and_files()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var name = LocalHubFixture.UniqueName("bare");
        var file = Work(cli, "f.txt");
        await File.WriteAllTextAsync(file, "bare name\n");

        var upload = await cli.RunAsync("upload", name, file);
        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains($"{user}/{name}", upload.Stdout);

        var info = await cli.RunAsync("repo", "info", name);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Matches($@"(?m)^id:\s+{user}/{name}$", info.Stdout);
        Assert.Contains("f.txt", (await cli.RunAsync("repo", "files", name)).Stdout);

        var into = Work(cli, "out");
        var download = await cli.RunAsync("download", name, "f.txt", "--local-dir", into);
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal("bare name\n", await File.ReadAllTextAsync(Path.Combine(into, "f.txt")));

        var missing = await cli.RunAsync("repo", "info", LocalHubFixture.UniqueName("none"));
        Assert.True(missing.ExitCode == 5, missing.ToString());
        Assert.Single(missing.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task An_upload_that_fails_after_creating_its_repo_leaves_no_repo_behind()
    {
        var (cli, user) = await LoggedInAsync();
        using var _ = cli;
        var name = LocalHubFixture.UniqueName("half");
        var file = Work(cli, "f.txt");
        await File.WriteAllTextAsync(file, "x\n");

        // The repo does not exist yet, so it is created; the commit then fails on the stale parent.
        var failed = await cli.RunAsync("upload", name, file, "--parent-commit", new string('0', 40));
        Assert.True(failed.ExitCode == 7, failed.ToString());
        Assert.Single(failed.Stderr.Trim().Split('\n'));
        Assert.Contains($"the model {user}/{name} it had created was removed again", failed.Stderr);
        Assert.Equal(5, (await cli.RunAsync("repo", "info", $"{user}/{name}")).ExitCode);
    }
}
