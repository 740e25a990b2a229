using System.Text.Json;
using HfCtl.Commands.Spaces;
using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.LocalHub;
using HfHub.LocalHub.Spaces;
using HfHub.Spaces;

using static HfCtl.Tests.CliAssert;

namespace HfCtl.Tests.Spaces;

/// <summary>The seed's Spaces walk-through and the hf CLI's nouns, end to end against a local hub.</summary>
public sealed class SpacesCommandTests(SpacesHubFixture hub) : IClassFixture<SpacesHubFixture>
{
    private CliRunner Cli(string token) => CliRunner.Against(hub, token);

    private HubClient Client(string token) => new(new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token) });

    [Fact]
    public async Task The_seed_walk_through_works_end_to_end()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        const string secret = "sk-live-value-that-must-never-print";

        var empty = await cli.RunAsync("spaces", "list", "--author", user);
        Ok(empty);
        Assert.Equal("", empty.Stdout);

        var create = await cli.RunAsync("spaces", "create", "web", "--sdk", "docker", "--wait");
        Ok(create);
        Assert.Contains($"Created {user}/web", create.Stdout);
        Assert.Contains($"{user}/web is RUNNING on cpu-basic", create.Stdout);

        var list = await cli.RunAsync("spaces", "list", "--author", user);
        Ok(list);
        Assert.Equal($"{user}/web\tRUNNING\tcpu-basic\t{hub.EndpointText}/_spaces/{user.ToLowerInvariant()}-web", list.Stdout.Trim());

        cli.Terminal = true;
        var table = await cli.RunAsync("spaces", "list", "--author", user);
        Assert.Contains("NAME", table.Stdout);
        Assert.Contains("APP URL", table.Stdout);
        cli.Terminal = false;

        var set = await cli.RunAsync("--verbose", "spaces", "secrets", "web", "--set_key", "API_KEY", "--set_value", secret);
        Ok(set);
        cli.Stdin = "from-stdin-secret\n";
        Ok(await cli.RunAsync("spaces", "secrets", "web", "--set-key", "OTHER", "--set-value", "-"));
        var get = await cli.RunAsync("--verbose", "spaces", "secrets", "web", "--get");
        Ok(get);
        Assert.Contains("API_KEY", get.Stdout);
        Assert.Contains("OTHER", get.Stdout);
        Assert.DoesNotContain(secret, set.All + get.All);
        Assert.DoesNotContain("from-stdin-secret", get.All);

        var hardware = await cli.RunAsync("spaces", "hardware", "web");
        Ok(hardware);
        Assert.Contains("current:   cpu-basic", hardware.Stdout);
        var upgrade = await cli.RunAsync("spaces", "hardware", "web", "--set", "t4-small");
        Ok(upgrade);
        Assert.Contains("Requested t4-small", upgrade.Stdout);
        var invalid = await cli.RunAsync("spaces", "hardware", "web", "--set", "t4-gigantic");
        OneLineError(invalid, 1, "Invalid hardware flavor 't4-gigantic'");
        var after = await cli.RunAsync("spaces", "hardware", "web", "--json");
        Assert.Contains("\"requested\":\"t4-small\"", after.Stdout);

        var restart = await cli.RunAsync("spaces", "action", "web", "restart", "--wait");
        Ok(restart);
        Assert.Contains($"{user}/web is RUNNING on t4-small", restart.Stdout);

        var logs = await cli.RunAsync("spaces", "logs", "web");
        Ok(logs);
        Assert.Contains("Uvicorn running", logs.Stdout);
        var build = await cli.RunAsync("spaces", "logs", "web", "--build");
        Ok(build);
        Assert.Contains("--> FROM python:3.12-slim", build.Stdout);
        Assert.Contains("API_KEY", build.Stdout);
        Assert.DoesNotContain(secret, logs.All + build.All);

        var pause = await cli.RunAsync("spaces", "action", "web", "pause");
        Ok(pause);
        Assert.Contains("PAUSED", pause.Stdout);
        var paused = await cli.RunAsync("spaces", "wait", "web");
        Assert.Equal(SpaceExitCodes.NotRunning, paused.ExitCode);

        var wake = await cli.RunAsync("spaces", "action", "web", "wakeup", "--wait");
        Ok(wake);
        Assert.Contains("restarted from PAUSED", wake.Stdout);
        Assert.Contains("is RUNNING", wake.Stdout);

        // A Space that falls asleep wakes up when its app URL is visited.
        Ok(await cli.RunAsync("spaces", "settings", "web", "--sleep-time", "50"));
        using var client = Client(token);
        await SpacesHubFixture.Eventually(async () => (await client.Spaces.GetRuntimeAsync($"{user}/web")).Stage == SpaceStage.Sleeping, "SLEEPING");
        var info = await cli.RunAsync("spaces", "info", "web", "--json");
        Assert.Contains("\"stage\":\"SLEEPING\"", info.Stdout);
        using (var http = new HttpClient())
        {
            Assert.Equal(503, (int)(await http.GetAsync($"{hub.EndpointText}/_spaces/{user.ToLowerInvariant()}-web/")).StatusCode);
        }
        Ok(await cli.RunAsync("spaces", "wait", "web"));
    }

    [Fact]
    public async Task Wakeup_of_a_sleeping_space_visits_its_app_url()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        Ok(await cli.RunAsync("spaces", "create", "nap", "--sleep-time", "50", "--wait"));
        using var client = Client(token);
        await SpacesHubFixture.Eventually(async () => (await client.Spaces.GetRuntimeAsync($"{user}/nap")).Stage == SpaceStage.Sleeping, "SLEEPING");
        var wake = await cli.RunAsync("spaces", "wakeup", $"{user}/nap", "--wait");
        Ok(wake);
        Assert.Contains("visited its app URL", wake.Stdout);
        Assert.Contains("is RUNNING", wake.Stdout);
    }

    [Fact]
    public async Task Wait_exit_codes_are_documented_per_final_stage()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        Ok(await cli.RunAsync("spaces", "create", "good"));
        Ok(await cli.RunAsync("spaces", "wait", "good", "--timeout", "30s"));

        var folder = Directory.CreateDirectory(Path.Combine(cli.HfHome, "broken-space")).FullName; // removed with the runner
        File.WriteAllText(Path.Combine(folder, "Dockerfile"), "WORKDIR /app\n");
        var deploy = await cli.RunAsync("spaces", "deploy", "broken", folder, "--create");
        Assert.Equal(SpaceExitCodes.Failed, deploy.ExitCode);
        Assert.Contains("BUILD_ERROR", deploy.Stderr);
        Assert.Equal(SpaceExitCodes.Failed, (await cli.RunAsync("spaces", "wait", "broken")).ExitCode);

        Ok(await cli.RunAsync("spaces", "create", "bare", "--empty"));
        var bare = await cli.RunAsync("spaces", "wait", "bare");
        Assert.Equal(SpaceExitCodes.Failed, bare.ExitCode);
        Assert.Contains("NO_APP_FILE", bare.Stderr);

        // A hub whose builds take ten minutes: the wait times out.
        var slow = new SpaceTimings { Build = TimeSpan.FromMinutes(10), Tick = TimeSpan.FromMilliseconds(50) };
        await using var slowHub = await LocalHubServer.StartAsync(new LocalHubOptions { Spaces = slow });
        using var slowCli = new CliRunner();
        slowCli.Variables["HF_ENDPOINT"] = slowHub.Endpoint.ToString().TrimEnd('/');
        slowCli.Variables["HF_TOKEN"] = slowHub.DemoToken!;
        Ok(await slowCli.RunAsync("spaces", "create", "slow"));
        var timeout = await slowCli.RunAsync("spaces", "wait", "slow", "--timeout", "300ms");
        Assert.Equal(SpaceExitCodes.Timeout, timeout.ExitCode);
        Assert.Contains("still BUILDING", timeout.Stderr);
    }

    [Fact]
    public async Task Logs_follow_prints_lines_as_the_app_writes_them()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        Ok(await cli.RunAsync("spaces", "create", "chatty", "--wait"));
        var streams = hub.Hub.State.Spaces.OpenLogStreams;

        var follow = cli.RunAsync("spaces", "logs", "chatty", "-f", "-n", "0");
        await SpacesHubFixture.Eventually(() => Task.FromResult(hub.Hub.State.Spaces.OpenLogStreams > streams || follow.IsCompleted), "the log stream to open");
        using (var http = new HttpClient())
        {
            await http.GetAsync($"{hub.EndpointText}/_spaces/{user.ToLowerInvariant()}-chatty/produced-after-connect");
        }
        using var client = Client(token);
        await client.Spaces.PauseAsync($"{user}/chatty"); // the app stops: the stream ends
        var result = await follow.WaitAsync(TimeSpan.FromSeconds(20));
        Ok(result);
        var lines = result.Stdout.Trim().Split('\n');
        Assert.Contains("GET /produced-after-connect", lines[0]);
        Assert.Contains("paused", lines[^1]);
    }

    [Fact]
    public async Task Logs_show_the_last_50_lines_and_say_how_many_were_left_out()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        Ok(await cli.RunAsync("spaces", "create", "busy", "--wait"));
        using (var http = new HttpClient())
        {
            for (var i = 0; i < 60; i++)
            {
                await http.GetAsync($"{hub.EndpointText}/_spaces/{user.ToLowerInvariant()}-busy/r{i}");
            }
        }
        var logs = await cli.RunAsync("spaces", "logs", "busy");
        Ok(logs);
        var lines = logs.Stdout.TrimEnd().Split('\n');
        Assert.Equal(50, lines.Length); // piped: only log lines on stdout, the note on stderr
        Assert.Matches(@"^… \d+ earlier lines left out", logs.Stderr);
        Assert.Contains("GET /r59", lines[^1]);
        cli.Terminal = true;
        var shown = (await cli.RunAsync("spaces", "logs", "busy")).Stdout.TrimEnd().Split('\n');
        cli.Terminal = false;
        Assert.Equal(51, shown.Length);
        Assert.Matches(@"^… \d+ earlier lines left out", shown[0]);
        var tail = await cli.RunAsync("spaces", "logs", "busy", "-n", "3");
        Assert.Equal(3, tail.Stdout.TrimEnd().Split('\n').Length);
        var all = await cli.RunAsync("spaces", "logs", "busy", "--all");
        Assert.True(all.Stdout.TrimEnd().Split('\n').Length > 60);
    }

    [Fact]
    public async Task Deploy_uploads_a_folder_as_one_commit_and_reports_running()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        Ok(await cli.RunAsync("spaces", "create", "site", "--empty"));
        var folder = Directory.CreateDirectory(Path.Combine(cli.HfHome, "site")).FullName; // removed with the runner
        File.WriteAllText(Path.Combine(folder, "Dockerfile"), SpacesHubFixture.GoodDockerfile);
        File.WriteAllText(Path.Combine(folder, "app.py"), "print('hello')\n");
        Directory.CreateDirectory(Path.Combine(folder, "static"));
        File.WriteAllText(Path.Combine(folder, "static", "style.css"), "body{}\n");

        var deploy = await cli.RunAsync("spaces", "deploy", "site", folder);
        Ok(deploy);
        Assert.Contains("Uploaded 3 files", deploy.Stdout);
        Assert.Contains("is RUNNING", deploy.Stdout);
        var build = await cli.RunAsync("spaces", "logs", "site", "--build");
        Assert.Contains("--> COPY app.py .", build.Stdout);
    }

    [Fact]
    public async Task Bad_input_fails_with_one_line_and_changes_nothing()
    {
        var (user, token) = await hub.CreateUserAsync();
        var readToken = await hub.CreateTokenAsync(user, "read");
        using var cli = Cli(token);
        Ok(await cli.RunAsync("spaces", "create", "guarded", "--wait"));

        OneLineError(await cli.RunAsync("spaces", "create", "bad name!"), 2, "invalid Space name");
        OneLineError(await cli.RunAsync("spaces", "info", "a/b/c"), 2, "invalid Space id");
        OneLineError(await cli.RunAsync("spaces", "secrets", "guarded", "--set_key", "1BAD", "--set_value", "x"), 2, "invalid secret key '1BAD'");
        OneLineError(await cli.RunAsync("spaces", "restart", $"{user}/missing"), 5, "not found");
        OneLineError(await cli.RunAsync("spaces", "create", "flavored", "--hardware", "nope-gpu"), 1, "Invalid hardware flavor 'nope-gpu'");
        Assert.Equal(5, (await cli.RunAsync("spaces", "info", "flavored")).ExitCode);

        using var reader = new CliRunner();
        reader.Variables["HF_ENDPOINT"] = hub.EndpointText;
        reader.Variables["HF_TOKEN"] = readToken;
        OneLineError(await reader.RunAsync("spaces", "pause", $"{user}/guarded"), 6, "forbidden");
        OneLineError(await reader.RunAsync("spaces", "secrets", $"{user}/guarded", "--set_key", "K", "--set_value", "v"), 6, "forbidden");
        OneLineError(await reader.RunAsync("spaces", "hardware", $"{user}/guarded", "--set", "t4-small"), 6, "forbidden");
        var runtime = await reader.RunAsync("spaces", "info", $"{user}/guarded", "--json");
        Ok(runtime);
        Assert.Contains("\"stage\":\"RUNNING\"", runtime.Stdout);
        Assert.Contains("\"requestedHardware\":\"cpu-basic\"", runtime.Stdout);
        Assert.Contains("\"name\":", (await cli.RunAsync("spaces", "secrets", "list", "guarded", "--json")).Stdout.Replace("[]", "\"name\":"));
        Assert.Equal("[]", (await cli.RunAsync("spaces", "secrets", "list", "guarded", "--json")).Stdout.Trim());

        using var anonymous = new CliRunner();
        anonymous.Variables["HF_ENDPOINT"] = hub.EndpointText;
        OneLineError(await anonymous.RunAsync("spaces", "restart", $"{user}/guarded"), 4, "");
    }

    [Fact]
    public async Task A_listing_of_200_spaces_is_cut_at_50_lines_unless_all_or_json()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await client.Spaces.CreateAsync($"{user}/s{i:000}", new SpaceCreateOptions { Sdk = "docker" }, ct));
        using var cli = Cli(token);

        var piped = await cli.RunAsync("spaces", "list", "--author", user);
        Ok(piped);
        var lines = piped.Stdout.TrimEnd().Split('\n');
        Assert.Equal(50, lines.Length); // piped: the TSV holds rows only, the summary is on stderr
        Assert.All(lines, l => Assert.Contains("\tNO_APP_FILE\tcpu-basic\t", l));
        Assert.Equal("… 150 more Spaces; --all to show all, --json for machine output", piped.Stderr.Trim());

        cli.Terminal = true;
        var terminal = await cli.RunAsync("spaces", "list", "--author", user);
        Assert.Equal(51, terminal.Stdout.TrimEnd().Split('\n').Length); // header + 49 rows + summary
        cli.Terminal = false;

        var all = await cli.RunAsync("spaces", "list", "--author", user, "--all");
        Assert.Equal(200, all.Stdout.TrimEnd().Split('\n').Length);
        var json = await cli.RunAsync("spaces", "list", "--author", user, "--json", "name,stage");
        Assert.Equal(200, System.Text.Json.JsonDocument.Parse(json.Stdout).RootElement.GetArrayLength());
        var running = await cli.RunAsync("spaces", "list", "--author", user, "--stage", "RUNNING");
        Ok(running);
        Assert.Equal("", running.Stdout);
    }

    [Fact]
    public async Task Variables_duplicate_and_delete()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        Ok(await cli.RunAsync("spaces", "create", "orig", "-e", "MODEL=org/model", "--wait"));
        Ok(await cli.RunAsync("spaces", "variables", "add", "orig", "-e", "MODE=fast"));
        var vars = await cli.RunAsync("spaces", "variables", "list", "orig");
        Assert.Contains("MODE\tfast", vars.Stdout);
        Assert.Contains("MODEL\torg/model", vars.Stdout);
        Ok(await cli.RunAsync("spaces", "variables", "delete", "orig", "MODE", "-y"));
        Assert.DoesNotContain("MODE\t", (await cli.RunAsync("spaces", "variables", "list", "orig")).Stdout);

        var dup = await cli.RunAsync("spaces", "duplicate", "orig", "copy", "--wait");
        Ok(dup);
        Assert.Contains("is RUNNING", dup.Stdout);
        Assert.Equal(7, (await cli.RunAsync("spaces", "duplicate", "orig", "copy")).ExitCode);

        Ok(await cli.RunAsync("spaces", "delete", "copy", "-y"));
        Assert.Equal(5, (await cli.RunAsync("spaces", "info", "copy")).ExitCode);
        Ok(await cli.RunAsync("spaces", "delete", "copy", "-y", "--missing-ok"));
        var flavors = await cli.RunAsync("spaces", "hardware", "--list");
        Assert.Contains("t4-small", flavors.Stdout);
    }

    [Fact]
    public async Task Destructive_commands_refuse_without_a_terminal_unless_yes_and_ask_on_one()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        Ok(await cli.RunAsync("spaces", "create", "keep", "--empty", "-e", "MODE=fast"));
        cli.Stdin = "a-secret-value";
        Ok(await cli.RunAsync("spaces", "secrets", "keep", "--set_key", "API_KEY", "--set_value", "-"));
        cli.Stdin = "y\n"; // a script's stdin: nobody reads a prompt there, so even a 'y' on it must not count

        foreach (var args in new[]
        {
            new[] { "spaces", "delete", "keep" },
            ["spaces", "secrets", "delete", "keep", "API_KEY"],
            ["spaces", "variables", "delete", "keep", "MODE"],
            ["repo", "delete", "keep", "--type", "space"],
        })
        {
            var refused = await cli.RunAsync(args);
            OneLineError(refused, 2, "pass -y (or --yes) to confirm");
        }
        Assert.Contains("API_KEY", (await cli.RunAsync("spaces", "secrets", "list", "keep")).Stdout);
        Assert.Contains("MODE\tfast", (await cli.RunAsync("spaces", "variables", "list", "keep")).Stdout);
        Ok(await cli.RunAsync("spaces", "info", "keep"));

        // On a terminal: asked, default no.
        cli.InputTerminal = true;
        cli.Stdin = "\n";
        var declined = await cli.RunAsync("spaces", "delete", "keep");
        Assert.True(declined.ExitCode == 1, declined.ToString());
        Assert.Contains($"Delete the Space {user}/keep", declined.Stderr);
        Assert.Contains("cancelled: nothing was deleted", declined.Stderr);
        Ok(await cli.RunAsync("spaces", "info", "keep"));
        cli.Stdin = "y\n";
        Ok(await cli.RunAsync("spaces", "variables", "delete", "keep", "MODE"));
        cli.InputTerminal = false;
        Assert.DoesNotContain("MODE\t", (await cli.RunAsync("spaces", "variables", "list", "keep")).Stdout);
        Ok(await cli.RunAsync("spaces", "secrets", "delete", "keep", "API_KEY", "--yes"));
        Ok(await cli.RunAsync("spaces", "delete", "keep", "-y"));
        Assert.Equal(5, (await cli.RunAsync("spaces", "info", "keep")).ExitCode);
    }

    [Fact]
    public async Task Deleting_a_missing_secret_says_so_and_an_empty_value_is_refused_unless_asked()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        Ok(await cli.RunAsync("spaces", "create", "sec", "--empty"));

        OneLineError(await cli.RunAsync("spaces", "secrets", "delete", "sec", "NOPE", "-y"), 5, $"{user}/sec has no secret NOPE: nothing deleted");
        OneLineError(await cli.RunAsync("spaces", "variables", "delete", "sec", "NOPE", "-y"), 5, $"{user}/sec has no variable NOPE: nothing deleted");
        var accepted = await cli.RunAsync("spaces", "secrets", "delete", "sec", "NOPE", "-y", "--missing-ok");
        Ok(accepted);
        Assert.Contains("nothing to delete", accepted.Stdout);
        Assert.DoesNotContain("Deleted", accepted.Stdout);

        // No --set_value: stdin is not read, whatever it holds.
        cli.Stdin = "";
        OneLineError(await cli.RunAsync("spaces", "secrets", "sec", "--set_key", "EMPTY"), 2, "--set_value is required");
        OneLineError(await cli.RunAsync("spaces", "secrets", "sec", "--set_key", "EMPTY", "--set_value", "-"), 2, "refusing to set secret EMPTY to an empty value: pass --allow-empty");
        OneLineError(await cli.RunAsync("spaces", "secrets", "add", "sec", "-s", "EMPTY="), 2, "pass --allow-empty");
        Assert.DoesNotContain("EMPTY", (await cli.RunAsync("spaces", "secrets", "list", "sec")).Stdout);
        Ok(await cli.RunAsync("spaces", "secrets", "sec", "--set_key", "EMPTY", "--set_value", "-", "--allow-empty"));
        Assert.Contains("EMPTY", (await cli.RunAsync("spaces", "secrets", "list", "sec")).Stdout);
    }

    [Fact]
    public async Task Search_finds_running_spaces_by_their_words_best_first_and_the_others_on_request()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        var word = LocalHubFixture.UniqueName("zebra");
        Ok(await cli.RunAsync("spaces", "create", $"{word}-painter", "--sdk", "docker", "--wait"));
        Ok(await cli.RunAsync("repo", "create", $"{user}/{word}-idle", "--type", "space", "--space-sdk", "docker"));

        var found = await cli.RunAsync("--json", "spaces", "search", $"{word} painter");
        Ok(found);
        var hits = JsonDocument.Parse(found.Stdout).RootElement;
        var first = Assert.Single(hits.EnumerateArray());
        Assert.Equal($"{user}/{word}-painter", first.GetProperty("name").GetString());
        Assert.Equal("RUNNING", first.GetProperty("stage").GetString());
        Assert.Equal(1.0, first.GetProperty("score").GetDouble());

        var all = JsonDocument.Parse((await cli.RunAsync("--json", "spaces", "search", word, "--include-non-running")).Stdout).RootElement;
        Assert.Equal([$"{user}/{word}-idle", $"{user}/{word}-painter"], all.EnumerateArray().Select(h => h.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        cli.Terminal = true;
        var table = await cli.RunAsync("spaces", "search", word, "--sdk", "gradio");
        Ok(table);
        Assert.Contains("No Spaces found.", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Templates_are_listed_and_a_new_space_starts_from_the_files_of_the_one_it_names()
    {
        var (owner, ownerToken) = await hub.CreateUserAsync();
        using var ownerClient = Client(ownerToken);
        var app = System.Text.Encoding.UTF8.GetBytes("import gradio as gr\n# the template's own app\n");
        await ownerClient.Spaces.CreateAsync($"{owner}/chat-template", new SpaceCreateOptions { Sdk = "gradio", Files = [new SpaceFile("app.py", app)] });
        var name = LocalHubFixture.UniqueName("Chatbot");
        await hub.RegisterSpaceTemplateAsync(name, $"{owner}/chat-template", preferredPrivate: true);

        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        var listed = await cli.RunAsync("--format", "agent", "spaces", "templates");
        Ok(listed);
        var lines = listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("name\trepo_id\tsdk\tpreferred_private", lines[0]);
        Assert.Contains($"{name}\t{owner}/chat-template\tgradio\tyes", lines);
        var json = JsonDocument.Parse((await cli.RunAsync("--json", "spaces", "templates")).Stdout).RootElement;
        var mine = json.EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);
        Assert.Equal($"{owner}/chat-template", mine.GetProperty("repoId").GetString());
        Assert.True(mine.GetProperty("preferredPrivate").GetBoolean());

        // By its short name in another case, as huggingface_hub resolves it: the SDK and privacy follow the template.
        var created = await cli.RunAsync("spaces", "create", "mine", "--template", name.ToUpperInvariant());
        Ok(created);
        Assert.Contains($"Created {user}/mine", created.Stdout);
        using var client = Client(token);
        var info = await client.Spaces.GetAsync($"{user}/mine");
        Assert.Equal("gradio", info.Sdk);
        Assert.True(info.Private);
        using var raw = hub.RawClient(token);
        Assert.Equal(app, await raw.GetByteArrayAsync($"/spaces/{user}/mine/resolve/main/app.py"));
        var files = await cli.RunAsync("--json", "repo", "files", $"{user}/mine", "--type", "space");
        Assert.DoesNotContain("requirements.txt", files.Stdout, StringComparison.Ordinal); // no starter app beside the template's

        Ok(await cli.RunAsync("spaces", "create", "open", "--template", $"{owner}/chat-template", "--public"));
        Assert.False((await client.Spaces.GetAsync($"{user}/open")).Private);

        OneLineError(await cli.RunAsync("spaces", "create", "other", "--template", "no-such-template"), 2, "unknown Space template 'no-such-template'");
        OneLineError(await cli.RunAsync("spaces", "create", "other", "--template", name, "--sdk", "docker"), 2, "does not match the template");
        await Assert.ThrowsAsync<HfHub.Http.HubNotFoundException>(() => client.Spaces.GetAsync($"{user}/other"));

        // The Hub refuses a template outside its catalog (huggingface_hub#4355: arbitrary repo ids are rejected).
        var refused = await raw.PostAsync("/api/repos/create", new StringContent(
            $$"""{"name":"raw","type":"space","sdk":"gradio","template":"{{owner}}/not-a-template"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("not a Space template", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Card_prints_the_readme_its_metadata_as_key_value_or_json_and_its_text_cut_at_fifty_lines_for_an_agent()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var body = string.Join("\n", Enumerable.Range(1, 60).Select(i => $"line {i}"));
        var readme = $"---\ntitle: My App\nemoji: 🚀\ncolorFrom: blue\nsdk: docker\npinned: false\napp_port: 7860\ntags:\n  - demo\n  - tools\nshort_description: \"42\"\n---\n\n# My App\n{body}\n";
        await client.Spaces.CreateAsync($"{user}/carded", new SpaceCreateOptions { Sdk = "docker", Files = [new SpaceFile("README.md", System.Text.Encoding.UTF8.GetBytes(readme))] });
        using var cli = Cli(token);

        var metadata = await cli.RunAsync("--format", "agent", "spaces", "card", "carded", "--metadata");
        Ok(metadata);
        Assert.Equal(
            ["title=My App", "emoji=🚀", "colorFrom=blue", "sdk=docker", "pinned=false", "app_port=7860", "tags=[\"demo\",\"tools\"]", "short_description=42"],
            metadata.Stdout.TrimEnd('\n').Split('\n'));
        var json = JsonDocument.Parse((await cli.RunAsync("--json", "spaces", "card", "carded", "--metadata")).Stdout).RootElement;
        Assert.Equal(JsonValueKind.False, json.GetProperty("pinned").ValueKind);
        Assert.Equal(7860, json.GetProperty("app_port").GetInt32());
        Assert.Equal("42", json.GetProperty("short_description").GetString()); // quoted: stays a string
        Assert.Equal(["demo", "tools"], json.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        var text = await cli.RunAsync("--format", "agent", "spaces", "card", "carded", "--text");
        Ok(text);
        var lines = text.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(51, lines.Length);
        Assert.Equal("# My App", lines[0]);
        Assert.StartsWith("… 11 more lines; --all", lines[50], StringComparison.Ordinal);
        var all = await cli.RunAsync("--format", "agent", "spaces", "card", "carded", "--text", "--all");
        Assert.EndsWith("line 60", all.Stdout.TrimEnd('\n'), StringComparison.Ordinal);
        Assert.DoesNotContain("colorFrom", all.Stdout, StringComparison.Ordinal);
        var whole = await cli.RunAsync("spaces", "card", $"{user}/carded", "--all");
        Assert.StartsWith("---\ntitle: My App\n", whole.Stdout, StringComparison.Ordinal);

        OneLineError(await cli.RunAsync("spaces", "card", "carded", "--metadata", "--text"), 2, "--metadata and --text cannot be used together");
        Assert.Equal(5, (await cli.RunAsync("spaces", "card", "no-such-space")).ExitCode);
    }
}
