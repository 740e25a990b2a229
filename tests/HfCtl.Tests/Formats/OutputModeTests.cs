using System.Text.Json;
using HfCtl.Cli;
using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.Repos;

using static HfCtl.Tests.CliAssert;

namespace HfCtl.Tests.Formats;

/// <summary>
/// What each mode looks like to its reader. Agent mode (here from <c>AI_AGENT</c>, on a claimed colour
/// terminal, to show that the agent wins over the terminal): TSV with a header, key=value records, the
/// 50-line rule with a summary saying how to get the rest, no prompt, no ANSI bytes, an exit-code line
/// after an error. Human mode: stage colours only on a colour terminal, URLs never wrapped, a quiet Ctrl-C.
/// </summary>
public sealed class OutputModeTests(SpacesHubFixture hub) : IClassFixture<SpacesHubFixture>
{
    private const char Escape = '\u001b';

    private CliRunner Cli(string token, bool agent)
    {
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        if (agent)
        {
            cli.Variables["AI_AGENT"] = "test-harness";
            cli.Terminal = true;
            cli.InputTerminal = true;
            cli.Color = true;
        }
        return cli;
    }

    private HubClient Client(string token) => new(new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token) });

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');

    private static void NoAnsi(CliResult result) => Assert.DoesNotContain(Escape, result.All);

    [Fact]
    public async Task An_agent_gets_listings_as_TSV_with_a_header_full_values_and_ISO_times()
    {
        var (user, token) = await hub.CreateUserAsync();
        using (var client = Client(token))
        {
            await client.Repos.CreateAsync(RepoId.Parse($"{user}/alpha"));
            await client.Repos.CreateAsync(RepoId.Parse($"{user}/beta-with-a-rather-long-name-that-a-table-would-cut"));
        }
        using var cli = Cli(token, agent: true);
        var list = await cli.RunAsync("repo", "list", "--author", user);
        Ok(list);
        NoAnsi(list);
        var lines = Lines(list.Stdout);
        Assert.Equal("id\tvisibility\tupdated", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.All(lines[1..], l => Assert.Matches($@"^{user}/[a-z-]+\tpublic\t(-|\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$", l));
        Assert.Contains(lines, l => l.StartsWith($"{user}/beta-with-a-rather-long-name-that-a-table-would-cut\t", StringComparison.Ordinal));

        var info = await cli.RunAsync("repo", "info", $"{user}/alpha");
        Ok(info);
        Assert.All(Lines(info.Stdout), l => Assert.Matches("^[a-z_]+=", l));
        Assert.Contains($"id={user}/alpha", Lines(info.Stdout));
        Assert.Contains(Lines(info.Stdout), l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^last_modified=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));
    }

    [Fact]
    public async Task An_agent_gets_one_record_as_key_value_lines_and_a_person_aligned_fields()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var cli = Cli(token, agent: true);
        Ok(await cli.RunAsync("spaces", "create", "web", "--wait"));
        var info = await cli.RunAsync("spaces", "info", "web");
        Ok(info);
        NoAnsi(info);
        Assert.All(Lines(info.Stdout), l => Assert.Matches("^[a-z_]+=", l));
        Assert.Contains("stage=RUNNING", Lines(info.Stdout));
        Assert.Contains(Lines(info.Stdout), l => l.StartsWith($"app_url={hub.EndpointText}/_spaces/", StringComparison.Ordinal));

        cli.Variables.Remove("AI_AGENT");
        var human = await cli.RunAsync("spaces", "info", "web");
        Assert.Matches(@"(?m)^stage:\s+RUNNING$", human.Stdout);
    }

    [Fact]
    public async Task Every_single_record_view_is_key_value_lines_for_an_agent()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token, agent: true);
        cli.Variables["HF_ENDPOINTS_API"] = hub.EndpointText + "/_endpoints/v2";
        Ok(await cli.RunAsync("spaces", "create", "rec", "--sdk", "gradio", "--wait"));
        Ok(await cli.RunAsync("endpoints", "deploy", "rec", "--repo", "openai-community/gpt2", "--framework", "pytorch", "--accelerator", "cpu",
            "--instance-type", "intel-icl", "--instance-size", "x2", "--vendor", "aws", "--region", "us-east-1"));

        var views = new Dictionary<string, string[]>
        {
            ["whoami"] = ["auth", "whoami"],
            ["status"] = ["auth", "status"],
            ["hardware"] = ["spaces", "hardware", "rec"],
            ["dev mode"] = ["spaces", "dev-mode", "rec"],
            ["endpoint"] = ["endpoints", "info", "rec"],
        };
        var outputs = new Dictionary<string, string[]>();
        foreach (var (name, args) in views)
        {
            var result = await cli.RunAsync(args);
            Ok(result);
            NoAnsi(result);
            outputs[name] = Lines(result.Stdout);
        }
        Assert.Equal([$"user={user}", "orgs=none"], outputs["whoami"]);
        Assert.All(outputs["status"], l => Assert.Matches("^[a-z_]+=", l));
        Assert.Contains($"user={user}", outputs["status"]);
        Assert.Contains("role=write", outputs["status"]);
        Assert.Contains($"token=hf_****{token[^4..]}", outputs["status"]);
        Assert.Equal(["current=cpu-basic", "requested=cpu-basic"], outputs["hardware"]);
        // dev mode ends with one sentence of advice after its record
        Assert.All(outputs["dev mode"][..^1], l => Assert.Matches("^[a-z_]+=", l));
        Assert.Contains($"vscode_web={hub.EndpointText}/spaces/{user}/rec/dev-mode/vscode-web?folder=/home/user/app", outputs["dev mode"]);
        Assert.Contains($"ssh=ssh {user.ToLowerInvariant()}-rec@ssh.hf.space", outputs["dev mode"]);
        Assert.All(outputs["endpoint"], l => Assert.Matches("^[a-z_]+=", l));
        Assert.Contains($"name={user}/rec", outputs["endpoint"]);
        Assert.Contains("model=openai-community/gpt2@main (text-generation)", outputs["endpoint"]);

        cli.Variables.Remove("AI_AGENT");
        Assert.Matches(@"(?m)^current:\s+cpu-basic$", (await cli.RunAsync("spaces", "hardware", "rec")).Stdout);
        Assert.Matches(@"(?m)^state:\s+\w+", (await cli.RunAsync("endpoints", "info", "rec")).Stdout);
        Assert.Equal(user, (await cli.RunAsync("--quiet", "auth", "whoami")).Stdout.Trim());
    }

    [Fact]
    public async Task An_agent_gets_the_first_50_lines_of_a_long_api_answer_and_how_to_get_the_rest()
    {
        var (user, token) = await hub.CreateUserAsync();
        using (var client = Client(token))
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, 60), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
                await client.Repos.CreateAsync(RepoId.Parse($"{user}/m{i:000}"), cancellationToken: ct));
        }
        using var cli = Cli(token, agent: true);
        cli.Terminal = false;
        var path = $"/api/models?author={user}&limit=100";

        var cut = await cli.RunAsync("api", path);
        Ok(cut);
        var lines = Lines(cut.Stdout);
        Assert.Equal(51, lines.Length);
        Assert.Matches(@"^… \d+ more lines of a JSON array of 60 items \(keys: [^)]*\bid\b.*--all to show all", lines[^1]);

        var all = await cli.RunAsync("api", path, "--all");
        using var body = JsonDocument.Parse(all.Stdout);
        Assert.Equal(60, body.RootElement.GetArrayLength());

        // Headers count too: whatever a command prints, an agent sees at most 50 lines and a summary.
        var included = await cli.RunAsync("api", path, "--include");
        Ok(included);
        var shown = Lines(included.Stdout);
        Assert.True(shown.Length <= 52, included.ToString());
        Assert.StartsWith("HTTP/", shown[0], StringComparison.Ordinal);
        Assert.Matches(@"^… \d+ more lines.*--all to show all", shown[^1]);
    }

    [Fact]
    public async Task An_agent_gets_the_last_50_log_lines_with_a_summary_and_n_gives_more()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token, agent: true);
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
        NoAnsi(logs);
        var lines = Lines(logs.Stdout);
        Assert.Equal(51, lines.Length);
        Assert.Matches(@"^… \d+ earlier lines left out; -n N or --all", lines[0]);
        Assert.Contains("GET /r59", lines[^1]);

        var more = await cli.RunAsync("spaces", "logs", "busy", "-n", "60");
        Ok(more);
        Assert.Equal(60, Lines(more.Stdout).Length);
        Assert.Contains("GET /r59", Lines(more.Stdout)[^1]);
    }

    [Fact]
    public async Task An_agent_is_never_prompted_a_destructive_command_without_yes_refuses_in_one_line()
    {
        var (user, token) = await hub.CreateUserAsync();
        using (var client = Client(token))
        {
            await client.Repos.CreateAsync(RepoId.Parse($"{user}/keep"));
        }
        using var cli = Cli(token, agent: true);
        cli.Stdin = "y\n"; // someone could answer, but an agent is never asked

        var refused = await cli.RunAsync("repo", "delete", $"{user}/keep");
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.Equal(
            [$"error: refusing to delete model {user}/keep without confirmation: agent mode never prompts, pass -y (or --yes) to confirm", "exit 2: bad usage"],
            Lines(refused.Stderr));
        Ok(await cli.RunAsync("repo", "info", $"{user}/keep"));

        Ok(await cli.RunAsync("repo", "delete", $"{user}/keep", "--yes"));
        Assert.Equal(ExitCodes.NotFound, (await cli.RunAsync("repo", "info", $"{user}/keep")).ExitCode);
    }

    [Fact]
    public async Task An_agent_reads_an_error_as_one_line_then_what_the_exit_code_means()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token, agent: true);

        var missing = await cli.RunAsync("repo", "info", $"{user}/missing");
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        var lines = Lines(missing.Stderr);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Equal("exit 5: not found", lines[1]);

        var typo = await cli.RunAsync("repo", "info", "--revison", "main", $"{user}/x");
        Assert.Equal(ExitCodes.Usage, typo.ExitCode);
        Assert.Equal("exit 2: bad usage", Lines(typo.Stderr)[^1]);

        cli.Variables.Remove("AI_AGENT");
        var human = await cli.RunAsync("repo", "info", $"{user}/missing");
        Assert.Single(Lines(human.Stderr));
    }

    [Fact]
    public async Task An_agent_gets_one_line_at_the_start_and_one_at_the_end_of_a_transfer_instead_of_bars()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token, agent: true);
        using (var client = Client(token))
        {
            await client.Repos.CreateAsync(RepoId.Parse($"{user}/model"));
        }
        var file = Path.Combine(cli.HfHome, "weights.bin");
        File.WriteAllBytes(file, new byte[3000]);

        var upload = await cli.RunAsync("upload", $"{user}/model", file);
        Ok(upload);
        NoAnsi(upload);
        var lines = Lines(upload.Stderr);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"upload to {user}/model: started", lines[0]);
        Assert.StartsWith($"upload to {user}/model: done, 1 file, 3000 bytes in ", lines[1], StringComparison.Ordinal);

        var download = await cli.RunAsync("download", $"{user}/model", "weights.bin", "--local-dir", Path.Combine(cli.HfHome, "out"));
        Ok(download);
        Assert.StartsWith($"download of {user}/model: started\ndownload of {user}/model: done, 1 file, 3000 bytes", download.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_person_sees_stage_colours_only_on_a_colour_terminal_and_URLs_whole_in_a_narrow_one()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token, agent: false);
        Ok(await cli.RunAsync("spaces", "create", "shiny", "--wait"));
        var url = $"{hub.EndpointText}/_spaces/{user.ToLowerInvariant()}-shiny";

        cli.Terminal = true;
        cli.Color = true;
        var colour = await cli.RunAsync("spaces", "list", "--author", user);
        Ok(colour);
        Assert.Contains("\u001b[32mRUNNING", colour.Stdout); // green

        cli.Color = false;
        NoAnsi(await cli.RunAsync("spaces", "list", "--author", user));
        cli.Terminal = false;
        NoAnsi(await cli.RunAsync("spaces", "list", "--author", user));
        cli.Terminal = true;
        cli.Color = true;
        cli.Variables["AI_AGENT"] = "1";
        NoAnsi(await cli.RunAsync("spaces", "list", "--author", user));
        cli.Variables.Remove("AI_AGENT");

        cli.Color = false;
        cli.Width = 40;
        var narrow = await cli.RunAsync("spaces", "list", "--author", user);
        Ok(narrow);
        Assert.Contains(Lines(narrow.Stdout), l => l.Contains(url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ctrl_C_ends_a_followed_log_quietly_with_exit_130()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var cli = Cli(token, agent: false);
        Ok(await cli.RunAsync("spaces", "create", "follow-me", "--wait"));
        var streams = hub.Hub.State.Spaces.OpenLogStreams;
        using var ctrlC = new CancellationTokenSource();

        var follow = cli.RunAsync(ctrlC.Token, "spaces", "logs", "follow-me", "-f");
        await SpacesHubFixture.Eventually(() => Task.FromResult(hub.Hub.State.Spaces.OpenLogStreams > streams || follow.IsCompleted), "the log stream to open");
        await ctrlC.CancelAsync();
        var result = await follow.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(ExitCodes.Interrupted, result.ExitCode);
        Assert.DoesNotContain("error", result.Stderr, StringComparison.OrdinalIgnoreCase);
    }
}
