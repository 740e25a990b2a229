using System.Text;
using HfCtl.Testing;
using HfHub.Auth;
using HfHub.Http;
using HfHub.LocalHub;
using HfHub.LocalHub.Spaces;
using HfHub.Spaces;

namespace HfHub.Tests.Spaces;

public sealed class SpacesClientTests(SpacesHubFixture hub) : IClassFixture<SpacesHubFixture>
{
    private static readonly SpaceWaitOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(20) };

    private HubClient Client(string token) => new(new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token) });

    private static SpaceCreateOptions Docker(string dockerfile = SpacesHubFixture.GoodDockerfile) => new()
    {
        Sdk = "docker",
        Files = [new SpaceFile("Dockerfile", Encoding.UTF8.GetBytes(dockerfile)), new SpaceFile("app.py", "print('hi')\n"u8.ToArray())],
    };

    [Fact]
    public async Task A_docker_space_builds_runs_and_reports_host_and_runtime()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var id = $"{user}/My_App.v1";
        var created = await client.Spaces.CreateAsync(id, Docker());
        Assert.EndsWith($"/spaces/{id}", created.Url);

        var stages = new List<string>();
        var runtime = await client.Spaces.WaitAsync(id, Fast with { OnStage = r => stages.Add(r.Stage) });
        Assert.Equal(SpaceStage.Running, runtime.Stage);
        Assert.Equal("cpu-basic", runtime.Hardware.Current);
        Assert.Equal(172800, runtime.SleepTime);

        var info = await client.Spaces.GetAsync(id);
        Assert.Equal($"{user.ToLowerInvariant()}-my-app-v1", info.Subdomain);
        Assert.Equal($"{hub.EndpointText}/_spaces/{info.Subdomain}", info.Host);
        Assert.Equal("docker", info.Sdk);
        Assert.Equal(SpaceStage.Running, info.Runtime!.Stage);

        using var http = new HttpClient();
        var page = await http.GetAsync(info.AppUrl + "/");
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Contains(id, await page.Content.ReadAsStringAsync());

        var listed = await client.Spaces.ListAsync(new SpaceListOptions { Author = user }).ToListAsync();
        var item = Assert.Single(listed);
        Assert.Equal(SpaceStage.Running, item.Runtime?.Stage);
        Assert.Equal(info.Host, item.AppUrl);
    }

    [Fact]
    public async Task A_new_space_without_files_has_no_app_file_and_a_broken_dockerfile_fails_to_build()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        await client.Spaces.CreateAsync($"{user}/empty", new SpaceCreateOptions { Sdk = "docker" });
        Assert.Equal(SpaceStage.NoAppFile, (await client.Spaces.GetRuntimeAsync($"{user}/empty")).Stage);

        await client.Spaces.CreateAsync($"{user}/broken", Docker("WORKDIR /app\nRUN echo no base image\n"));
        var runtime = await client.Spaces.WaitAsync($"{user}/broken", Fast);
        Assert.Equal(SpaceStage.BuildError, runtime.Stage);
        Assert.Contains("FROM", runtime.ErrorMessage);
        var build = await client.Spaces.GetLogsAsync($"{user}/broken", SpaceLogKind.Build).ToListAsync();
        Assert.Contains(build, l => l.Text.StartsWith("ERROR:"));
    }

    [Fact]
    public async Task Hardware_requested_differs_from_current_until_the_rebuild_finishes()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var id = $"{user}/hw";
        await client.Spaces.CreateAsync(id, Docker());
        await client.Spaces.WaitAsync(id, Fast);

        var requested = await client.Spaces.RequestHardwareAsync(id, "t4-small");
        Assert.Equal(SpaceStage.Building, requested.Stage);
        Assert.Equal("t4-small", requested.Hardware.Requested);
        Assert.Equal("cpu-basic", requested.Hardware.Current);
        Assert.Null(requested.SleepTime); // upgraded hardware never sleeps unless asked

        var done = await client.Spaces.WaitAsync(id, Fast);
        Assert.Equal("t4-small", done.Hardware.Current);

        var error = await Assert.ThrowsAsync<HubException>(() => client.Spaces.RequestHardwareAsync(id, "t4-huge"));
        Assert.Equal(400, error.Status);
        Assert.Contains("t4-huge", error.Message);
        Assert.Equal("t4-small", (await client.Spaces.GetHardwareAsync(id)).Requested);

        var flavors = await client.Spaces.ListHardwareAsync();
        Assert.Contains(flavors, f => f.Name == "a10g-small" && f.Accelerator?.Model == "A10G");
    }

    [Fact]
    public async Task Secrets_list_names_only_and_variables_list_values()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var id = $"{user}/settings";
        await client.Spaces.CreateAsync(id, Docker() with { Secrets = [new SpaceSetting("API_KEY", "s3cr3t-value")] });
        await client.Spaces.SetSecretAsync(id, "OTHER", "another-s3cr3t", "described");
        var secrets = await client.Spaces.ListSecretsAsync(id);
        Assert.Equal(["API_KEY", "OTHER"], secrets.Select(s => s.Key));
        Assert.Equal("described", secrets[1].Description);
        Assert.NotNull(secrets[0].UpdatedAt);

        using var raw = hub.RawClient(token);
        var body = await raw.GetStringAsync($"/api/spaces/{id}/secrets");
        Assert.DoesNotContain("s3cr3t", body);
        await client.Spaces.WaitAsync(id, Fast);
        var logs = string.Join("\n", (await client.Spaces.GetLogsAsync(id, SpaceLogKind.Build).ToListAsync()).Select(l => l.Text));
        Assert.Contains("API_KEY", logs);
        Assert.DoesNotContain("s3cr3t", logs);

        await client.Spaces.DeleteSecretAsync(id, "OTHER");
        await client.Spaces.DeleteSecretAsync(id, "NEVER_SET");
        Assert.Equal(["API_KEY"], (await client.Spaces.ListSecretsAsync(id)).Select(s => s.Key));

        var variables = await client.Spaces.SetVariableAsync(id, "MODEL", "org/model");
        Assert.Equal("org/model", Assert.Single(variables).Value);
        Assert.Empty(await client.Spaces.DeleteVariableAsync(id, "MODEL"));

        Assert.Throws<ArgumentException>(() => client.Spaces.SetSecretAsync(id, "1BAD", "x").GetAwaiter().GetResult());
        var response = await raw.PostAsync($"/api/spaces/{id}/secrets", new StringContent("{\"key\":\"bad-key\",\"value\":\"x\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)response.StatusCode);
    }

    [Fact]
    public async Task Pause_stays_paused_until_restart_and_wakeup_restarts_it()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var id = $"{user}/pausable";
        await client.Spaces.CreateAsync(id, Docker());
        await client.Spaces.WaitAsync(id, Fast);

        var paused = await client.Spaces.PauseAsync(id);
        Assert.Equal(SpaceStage.Paused, paused.Stage);
        Assert.Null(paused.Hardware.Current);
        using var http = new HttpClient();
        var info = await client.Spaces.GetAsync(id);
        Assert.Equal(503, (int)(await http.GetAsync(info.AppUrl)).StatusCode);
        Assert.Equal(SpaceStage.Paused, (await client.Spaces.GetRuntimeAsync(id)).Stage); // a visit does not wake a paused Space

        var woken = await client.Spaces.WakeUpAsync(id, Fast);
        Assert.Equal(SpaceStage.Running, woken.Stage);
    }

    [Fact]
    public async Task A_sleeping_space_wakes_when_its_app_url_is_requested()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var id = $"{user}/sleepy";
        await client.Spaces.CreateAsync(id, Docker() with { SleepTimeSeconds = 5 }); // 5 "seconds" of 10 ms
        await client.Spaces.WaitAsync(id, Fast);
        await SpacesHubFixture.Eventually(async () => (await client.Spaces.GetRuntimeAsync(id)).Stage == SpaceStage.Sleeping, "SLEEPING");

        var info = await client.Spaces.GetAsync(id);
        using var http = new HttpClient();
        var first = await http.GetAsync(info.AppUrl);
        Assert.Equal(503, (int)first.StatusCode);
        Assert.Equal(SpaceStage.Running, (await client.Spaces.WaitAsync(id, Fast)).Stage);
        Assert.Equal(200, (int)(await http.GetAsync(info.AppUrl)).StatusCode);
    }

    [Fact]
    public async Task Following_run_logs_yields_lines_as_the_app_writes_them()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var id = $"{user}/logs";
        await client.Spaces.CreateAsync(id, Docker());
        await client.Spaces.WaitAsync(id, Fast);
        var info = await client.Spaces.GetAsync(id);

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<SpaceLogLine>();
        await foreach (var line in client.Spaces.GetLogsAsync(id, SpaceLogKind.Run, follow: true, cancellationToken: cancel.Token))
        {
            seen.Add(line);
            if (line.Text.Contains("Uvicorn running"))
            {
                using var http = new HttpClient();
                await http.GetAsync(info.AppUrl + "/hello");
            }
            if (line.Text.Contains("GET /hello"))
            {
                break;
            }
        }
        Assert.Contains(seen, l => l.Text.Contains("GET /hello"));
        Assert.Equal(Enumerable.Range(0, seen.Count).Select(i => (long)i), seen.Select(l => l.Index));

        var tail = await client.Spaces.GetLogsAsync(id, SpaceLogKind.Run, tail: 1).ToListAsync();
        Assert.Contains("GET /hello", Assert.Single(tail).Text);
    }

    [Fact]
    public async Task Bulk_restart_of_failed_spaces_only_touches_those()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        await client.Spaces.CreateAsync($"{user}/ok", Docker());
        for (var i = 0; i < 3; i++)
        {
            await client.Spaces.CreateAsync($"{user}/crash{i}", Docker("FROM python:3.12\nCMD exit 1\n"));
        }
        foreach (var name in new[] { "ok", "crash0", "crash1", "crash2" })
        {
            await client.Spaces.WaitAsync($"{user}/{name}", Fast);
        }
        Assert.Equal(SpaceStage.RuntimeError, (await client.Spaces.GetRuntimeAsync($"{user}/crash1")).Stage);

        var results = await client.Spaces.RestartWhereAsync(user, SpaceStage.RuntimeError, maxConcurrency: 2);
        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.All(results, r => Assert.Equal(SpaceStage.Building, r.Runtime!.Stage));
        Assert.Equal(SpaceStage.Running, (await client.Spaces.GetRuntimeAsync($"{user}/ok")).Stage);
    }

    [Fact]
    public async Task Duplicate_copies_files_and_state_and_delete_removes_the_space()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        await client.Spaces.CreateAsync($"{user}/source", Docker());
        await client.Spaces.WaitAsync($"{user}/source", Fast);
        var copy = await client.Spaces.DuplicateAsync($"{user}/source", $"{user}/copy", new SpaceDuplicateOptions { Hardware = "cpu-upgrade" });
        Assert.EndsWith($"/spaces/{user}/copy", copy.Url);
        var runtime = await client.Spaces.WaitAsync($"{user}/copy", Fast);
        Assert.Equal(SpaceStage.Running, runtime.Stage);
        Assert.Equal("cpu-upgrade", runtime.Hardware.Current);
        await Assert.ThrowsAsync<HubConflictException>(() => client.Spaces.DuplicateAsync($"{user}/source", $"{user}/copy"));

        await client.Spaces.DeleteAsync($"{user}/copy");
        await Assert.ThrowsAsync<HubNotFoundException>(() => client.Spaces.GetRuntimeAsync($"{user}/copy"));
        await client.Spaces.DeleteAsync($"{user}/copy", missingOk: true);
    }

    [Fact]
    public async Task A_read_token_cannot_change_a_space()
    {
        var (user, token) = await hub.CreateUserAsync();
        var readToken = await hub.CreateTokenAsync(user, "read");
        using var owner = Client(token);
        using var reader = Client(readToken);
        var id = $"{user}/guarded";
        await owner.Spaces.CreateAsync(id, Docker());
        await owner.Spaces.WaitAsync(id, Fast);
        await Assert.ThrowsAsync<HubForbiddenException>(() => reader.Spaces.PauseAsync(id));
        await Assert.ThrowsAsync<HubForbiddenException>(() => reader.Spaces.SetSecretAsync(id, "K", "v"));
        Assert.Equal(SpaceStage.Running, (await reader.Spaces.GetRuntimeAsync(id)).Stage);
        Assert.Empty(await owner.Spaces.ListSecretsAsync(id));
    }

    private static SpaceTimings SlowBuild()
    {
        var timings = SpaceTimings.Fast();
        timings.Build = TimeSpan.FromMilliseconds(300);
        return timings;
    }

    [Fact]
    public async Task A_hub_stopped_mid_build_finishes_the_build_after_a_restart()
    {
        var folder = Directory.CreateTempSubdirectory("hfctl-spaces-restart-").FullName;
        try
        {
            string user, token;
            await using (var first = await LocalHubServer.StartAsync(new LocalHubOptions { DataDirectory = folder, Spaces = SlowBuild() }))
            {
                user = "demo";
                token = first.DemoToken!;
                using var client = new HubClient(new HubClientOptions { Endpoint = first.Endpoint, Token = HfToken.FromValue(token) });
                await client.Spaces.CreateAsync($"{user}/resume", Docker());
                Assert.Equal(SpaceStage.Building, (await client.Spaces.GetRuntimeAsync($"{user}/resume")).Stage);
            }
            await Task.Delay(400); // the build's end passes while the hub is down
            await using var second = await LocalHubServer.StartAsync(new LocalHubOptions { DataDirectory = folder, Spaces = SpaceTimings.Fast() });
            using var again = new HubClient(new HubClientOptions { Endpoint = second.Endpoint, Token = HfToken.FromValue(token) });
            var runtime = await again.Spaces.WaitAsync($"{user}/resume", Fast);
            Assert.Equal(SpaceStage.Running, runtime.Stage);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
