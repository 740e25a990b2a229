using HfCtl.Testing;

namespace HfCtl.Tests.Conformance;

/// <summary>
/// The official Python client, <c>huggingface_hub</c>, against the local hub: each test runs one
/// script of <c>conformance/python/scenarios/</c> (a batch of checks in one Python process) and
/// fails on any check that fails. Skipped, with the reason, where <c>../shared</c> is absent.
/// </summary>
[Collection(PythonRefereeCollection.Name)]
public sealed class PythonConformanceTests(PythonHubFixture hub)
{
    private async Task<CliResult> RunAsync(string script, object? args = null, string role = "write")
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (user, token) = await hub.CreateUserAsync(role);
        return await PythonReferee.RunScenarioAsync(script, hub.EndpointText, token, user, args);
    }

    [SkippableFact]
    public async Task Connection_and_a_first_file_round_trip()
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (user, token) = await hub.CreateUserAsync();
        var fineGrained = await hub.CreateTokenAsync(new
        {
            user,
            role = "write",
            kind = "fineGrained",
            fineGrained = new { global = Array.Empty<string>(), scoped = new[] { new { entity = new { type = "user", name = user }, permissions = new[] { "repo.content.read", "repo.write" } } } },
        }, $"the fine-grained token of {user}");
        var oauth = await hub.CreateTokenAsync(new { user, role = "write", kind = "oauth" }, $"the OAuth token of {user}");
        var result = await PythonReferee.RunScenarioAsync("basics.py", hub.EndpointText, token, user, new { fine_grained = fineGrained, oauth });
        PythonReferee.AssertAllPassed(result, "basics", "whoami", "token_kinds", "small_file_round_trip");
    }

    [SkippableFact]
    public async Task Inference_endpoints_through_their_api()
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (other, otherToken) = await hub.CreateUserAsync();
        var result = await RunAsync("endpoints.py", new { other = new { user = other, token = otherToken } });
        PythonReferee.AssertAllPassed(result, "endpoints", "lifecycle", "duplicate_and_foreign_namespace");
    }

    [SkippableFact]
    public async Task Canonical_ids_and_renamed_repos()
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (owner, _) = await hub.CreateUserAsync();
        var canonical = LocalHubFixture.UniqueName("gpt");
        await hub.CreateCanonicalRepoAsync("model", canonical, owner, ("config.json", """{"model_type": "gpt2"}"""));
        var result = await RunAsync("repo_identity.py", new { canonical });
        PythonReferee.AssertAllPassed(result, "repo_identity", "missing_bare_ids_answer_false", "canonical_repo_is_served", "moved_repo_redirects");
    }

    [SkippableFact]
    public async Task Gated_repos_and_access_requests()
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (other, otherToken) = await hub.CreateUserAsync();
        var (requester, requesterToken) = await hub.CreateUserAsync();
        var result = await RunAsync("gated.py", new
        {
            other = new { user = other, token = otherToken },
            requester = new { user = requester, token = requesterToken },
        });
        PythonReferee.AssertAllPassed(result, "gated", "callers_without_access_get_gated_repo_error", "manual_requests_are_accepted_by_the_owner");
    }

    [SkippableFact]
    public async Task Likes_and_the_storage_list()
    {
        var result = await RunAsync("likes_and_storage.py", new { admin = hub.Hub.AdminSecret });
        PythonReferee.AssertAllPassed(result, "likes_and_storage", "likes", "user_repos");
    }

    [SkippableFact]
    public async Task The_spaces_walk_through()
    {
        var result = await RunAsync("spaces.py", new { admin = hub.Hub.AdminSecret });
        PythonReferee.AssertAllPassed(result, "spaces", "docker_space_builds_and_runs", "secrets_and_variables", "pause_restart_and_hardware", "duplicate", "from_a_template");
    }

    [SkippableFact]
    public async Task Folders_refs_and_pull_requests()
    {
        var result = await RunAsync("files.py");
        PythonReferee.AssertAllPassed(result, "files", "folder_with_patterns_and_snapshot", "commits_refs_branches_and_tags", "pull_request_by_create_commit");
    }

    [SkippableFact]
    public async Task Buckets_that_hfctl_filled_read_back_through_python_and_python_manages_its_own()
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (user, token) = await hub.CreateUserAsync();
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        var bucket = $"{user}/{HfCtl.Testing.LocalHubFixture.UniqueName("seed")}";
        var folder = Path.Combine(cli.HfHome, "seed");
        Directory.CreateDirectory(Path.Combine(folder, "dir", "sub"));
        await File.WriteAllTextAsync(Path.Combine(folder, "top.txt"), "top");
        await File.WriteAllBytesAsync(Path.Combine(folder, "dir", "sub", "data.bin"), new byte[70_000]);
        Assert.Equal(0, (await cli.RunAsync("buckets", "create", bucket)).ExitCode);
        var sync = await cli.RunAsync("buckets", "sync", folder, $"hf://buckets/{bucket}");
        Assert.True(sync.ExitCode == 0, sync.ToString());

        var result = await PythonReferee.RunScenarioAsync("buckets.py", hub.EndpointText, token, user, new { seeded = bucket, size = 70_003 });
        PythonReferee.AssertAllPassed(result, "buckets", "reads_what_hfctl_wrote", "create_move_and_delete");
    }

    [SkippableFact]
    public async Task Space_volumes_through_set_delete_create_duplicate_and_the_runtime()
    {
        var result = await RunAsync("volumes.py");
        PythonReferee.AssertAllPassed(result, "volumes", "set_read_and_delete", "refused", "duplicate_with_volumes");
    }

    [SkippableFact]
    public async Task Discussions_and_pull_requests()
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (other, otherToken) = await hub.CreateUserAsync();
        var result = await RunAsync("discussions.py", new { other = new { user = other, token = otherToken } });
        PythonReferee.AssertAllPassed(result, "discussions", "discussion_timeline", "pull_request_pushed_and_merged", "create_pr_commit_and_conflict");
    }

    [SkippableFact]
    public async Task The_cache_and_persisted_snapshots_are_shared_with_hfctl_both_ways()
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (user, token) = await hub.CreateUserAsync();
        using var cli = CliRunner.Against(hub, token);
        var repo = $"{user}/{LocalHubFixture.UniqueName("shared")}";
        var work = Path.Combine(cli.HfHome, "work");
        Directory.CreateDirectory(work);
        var weights = new byte[100_000];
        Random.Shared.NextBytes(weights);
        await File.WriteAllBytesAsync(Path.Combine(work, "weights.bin"), weights);
        await File.WriteAllTextAsync(Path.Combine(work, "notes.txt"), "shared notes");
        Assert.Equal(0, (await cli.RunAsync("repo", "create", repo)).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("upload", repo, Path.Combine(work, "weights.bin"), "weights.bin")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("upload", repo, Path.Combine(work, "notes.txt"), "notes.txt")).ExitCode);
        var downloaded = await cli.RunAsync("download", repo, "weights.bin");
        Assert.Equal(0, downloaded.ExitCode);
        // A Xet file: hfctl put it in the cache-wide shared blob store, its repo blob a relative link there, the layout
        // huggingface_hub 1.32 writes. The referee here is older than that store: reading it proves older clients still can.
        var blobLink = new FileInfo(Path.Combine(cli.HfHome, "hub", $"models--{repo.Replace("/", "--", StringComparison.Ordinal)}", "blobs",
            Path.GetFileName(new FileInfo(downloaded.Stdout.Trim()).LinkTarget!)));
        Assert.StartsWith(Path.Combine("..", "..", "blobs") + Path.DirectorySeparatorChar, blobLink.LinkTarget, StringComparison.Ordinal);
        var dataset = $"{user}/{LocalHubFixture.UniqueName("state")}";
        var db = PersistTestData.Database(Path.Combine(work, "app.db"));
        PersistTestData.Insert(db, "first");
        var save = await cli.RunAsync("persist", "save", db, "db/app.sqlite", "--dataset", dataset);
        Assert.True(save.ExitCode == 0, save.ToString());

        var result = await PythonReferee.RunScenarioAsync("shared_with_hfctl.py", hub.EndpointText, token, user,
            new { repo, dataset, sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(weights)) },
            new Dictionary<string, string> { ["HF_HOME"] = cli.HfHome });
        PythonReferee.AssertAllPassed(result, "shared_with_hfctl", "reads_hfctls_cache_offline", "downloads_into_the_shared_cache", "reads_a_persisted_sqlite_snapshot");

        // hfctl finds the file the Python client downloaded at the same place in the shared cache.
        var pythonPath = result.Stdout.Split('\n').Single(l => l.StartsWith("path ", StringComparison.Ordinal))["path ".Length..];
        var download = await cli.RunAsync("download", repo, "notes.txt");
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal(Path.GetFullPath(pythonPath), new FileInfo(download.Stdout.Trim()).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(download.Stdout.Trim()));
    }

    [SkippableFact]
    public async Task The_hubs_rules_and_commit_scheduler()
    {
        var result = await RunAsync("hub_rules.py");
        PythonReferee.AssertAllPassed(result, "hub_rules", "readme_metadata_is_validated", "folder_deleted_without_trailing_slash",
            "error_texts_clients_match_on", "commit_scheduler_pushes_a_folder");
    }

    [SkippableFact]
    public async Task The_hf_cli_uploads_and_downloads_against_the_local_hub()
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (user, token) = await hub.CreateUserAsync();
        var repo = $"{user}/{LocalHubFixture.UniqueName("hfcli")}";
        var work = Directory.CreateTempSubdirectory("hfctl-hfcli-").FullName;
        try
        {
            var file = Path.Combine(work, "notes.txt");
            await File.WriteAllTextAsync(file, "from the hf CLI");
            var whoami = await PythonReferee.RunHfAsync(hub.EndpointText, token, null, "auth", "whoami");
            Assert.True(whoami.ExitCode == 0, whoami.ToString());
            Assert.Contains(user, whoami.Stdout, StringComparison.Ordinal);
            var upload = await PythonReferee.RunHfAsync(hub.EndpointText, token, null, "upload", repo, file, "notes.txt");
            Assert.True(upload.ExitCode == 0, upload.ToString());
            var target = Path.Combine(work, "out");
            var download = await PythonReferee.RunHfAsync(hub.EndpointText, token, null, "download", repo, "notes.txt", "--local-dir", target);
            Assert.True(download.ExitCode == 0, download.ToString());
            Assert.Equal("from the hf CLI", await File.ReadAllTextAsync(Path.Combine(target, "notes.txt")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
