using System.Diagnostics;
using System.Text.Json;
using HfCtl.Cli;
using HfCtl.Testing;
using HfHub;

namespace HfCtl.Tests.Formats;

/// <summary>
/// How <c>--format auto</c> tells an agent from a person: the standard variables, the harness registry the
/// local hub serves (fetched at most once a day, cached in <c>$HF_HOME/.agent_harnesses.json</c>), and what
/// a broken or slow registry does to a command (nothing). The hub's fault injection counts the registry's fetches.
/// </summary>
public sealed class AgentDetectionTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    private const string RegistryPath = "/api/agent-harnesses";

    // An empty listing shows the mode at a glance: an agent is told "No repos found.", a pipe gets nothing.
    private static readonly string[] Listing = ["repo", "list", "--author", "nobody-at-all"];

    private CliRunner Cli()
    {
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        return cli;
    }

    private static bool RanAsAgent(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout == "No repos found.\n";
    }

    /// <summary>Every registry request from now on is answered as <paramref name="kind"/> (slow with no delay: answered normally, but counted).</summary>
    private Task RegistryAnswersAsync(string kind = "slow", int delayMs = 0) =>
        hub.SetFaultsAsync($"rate=1,kinds={kind},delay={delayMs},paths={RegistryPath}");

    private async Task<long> RegistryRequestsAsync(string kind = "slow")
    {
        using var admin = hub.RawClient();
        admin.DefaultRequestHeaders.Add("X-LocalHub-Admin", hub.Hub.AdminSecret);
        using var faults = JsonDocument.Parse(await admin.GetStringAsync("/_localhub/faults"));
        return faults.RootElement.GetProperty("injected").TryGetProperty(kind, out var count) ? count.GetInt64() : 0;
    }

    private static string Cache(CliRunner cli) => Path.Combine(cli.HfHome, ".agent_harnesses.json");

    private static string Attempt(CliRunner cli) => Path.Combine(cli.HfHome, "hfctl", "agent-harnesses.checked");

    [Fact]
    public async Task AI_AGENT_or_AGENT_selects_agent_mode_without_asking_the_registry()
    {
        await RegistryAnswersAsync();
        using var cli = Cli();
        Assert.False(RanAsAgent(await cli.RunAsync(Listing)));

        cli.Variables["AI_AGENT"] = "some-new-harness";
        Assert.True(RanAsAgent(await cli.RunAsync(Listing)));
        cli.Variables.Remove("AI_AGENT");
        cli.Variables["AGENT"] = "1";
        Assert.True(RanAsAgent(await cli.RunAsync(Listing)));

        // The first run (no variable) asked for the registry; the standard variables never did.
        Assert.Equal(1, await RegistryRequestsAsync());
    }

    [Fact]
    public async Task A_harness_the_registry_names_selects_agent_mode_and_the_registry_is_fetched_at_most_once_a_day()
    {
        await RegistryAnswersAsync();
        using var cli = Cli();
        cli.Variables["CLAUDECODE"] = "1";

        Assert.True(RanAsAgent(await cli.RunAsync(Listing)));
        Assert.Equal(1, await RegistryRequestsAsync());
        Assert.Contains("claude-code", File.ReadAllText(Cache(cli)));
        using (var cached = JsonDocument.Parse(File.ReadAllText(Cache(cli))))
        {
            Assert.Equal(JsonValueKind.Array, cached.RootElement.GetProperty("standardEnvVars").ValueKind);
        }

        Assert.True(RanAsAgent(await cli.RunAsync(Listing)));
        cli.Variables["CLAUDECODE"] = "0"; // the registry says "1": another value is not that harness
        Assert.False(RanAsAgent(await cli.RunAsync(Listing)));
        Assert.Equal(1, await RegistryRequestsAsync());

        // A day later the registry is asked again.
        var dayAgo = DateTime.UtcNow.AddHours(-25);
        File.SetLastWriteTimeUtc(Cache(cli), dayAgo);
        File.SetLastWriteTimeUtc(Attempt(cli), dayAgo);
        cli.Variables["CLAUDECODE"] = "1";
        Assert.True(RanAsAgent(await cli.RunAsync(Listing)));
        Assert.Equal(2, await RegistryRequestsAsync());
    }

    [Fact]
    public async Task A_failing_registry_leaves_the_command_working_and_is_not_asked_again_the_same_day()
    {
        await RegistryAnswersAsync("500");
        using var cli = Cli();
        cli.Variables["CLAUDECODE"] = "1";

        var first = await cli.RunAsync(Listing);
        Assert.False(RanAsAgent(first)); // no registry, no cache: nothing names this harness
        Assert.Equal("", first.Stderr);
        Assert.False(File.Exists(Cache(cli)));
        Assert.False(RanAsAgent(await cli.RunAsync(Listing)));
        Assert.Equal(1, await RegistryRequestsAsync("500"));
    }

    [Fact]
    public async Task A_slow_registry_delays_a_command_by_a_second_at_most()
    {
        await RegistryAnswersAsync("slow", delayMs: 30_000);
        using var cli = Cli();
        cli.Variables["CLAUDECODE"] = "1";

        var clock = Stopwatch.StartNew();
        var result = await cli.RunAsync(Listing);
        Assert.False(RanAsAgent(result));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        await hub.SetFaultsAsync("off");
    }

    [Fact]
    public async Task A_stale_cache_is_used_when_the_registry_cannot_be_reached_and_a_broken_cache_is_ignored()
    {
        await RegistryAnswersAsync("500");
        using var cli = Cli();
        File.WriteAllText(Cache(cli), """{"standardEnvVars": ["AI_AGENT", "AGENT"], "harnesses": {"my-harness": {"envVars": {"MY_HARNESS_SHELL": "*"}}}}""");
        File.SetLastWriteTimeUtc(Cache(cli), DateTime.UtcNow.AddDays(-3));
        cli.Variables["MY_HARNESS_SHELL"] = "anything";

        Assert.True(RanAsAgent(await cli.RunAsync(Listing)));
        Assert.Equal(1, await RegistryRequestsAsync("500"));

        File.WriteAllText(Cache(cli), "{ not json");
        var broken = await cli.RunAsync(Listing);
        Assert.False(RanAsAgent(broken));
        Assert.Equal("", broken.Stderr);
    }

    [Fact]
    public async Task HFCTL_FORMAT_and_format_choose_the_mode_over_detection()
    {
        using var cli = Cli();
        cli.Variables["AI_AGENT"] = "claude-code";
        cli.Variables["HFCTL_FORMAT"] = "human";
        Assert.False(RanAsAgent(await cli.RunAsync(Listing)));
        Assert.True(RanAsAgent(await cli.RunAsync(["--format", "agent", .. Listing])));
        Assert.Equal("[]", (await cli.RunAsync(["--format", "json", .. Listing])).Stdout.Trim());

        cli.Variables.Remove("AI_AGENT");
        cli.Variables["HFCTL_FORMAT"] = "AGENT";
        Assert.True(RanAsAgent(await cli.RunAsync(Listing)));

        cli.Variables["HFCTL_FORMAT"] = "loud";
        var bad = await cli.RunAsync(Listing);
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Equal("error: HFCTL_FORMAT must be one of auto, human, agent, json, quiet (not 'loud')", bad.Stderr.Trim());
        var badFlag = await cli.RunAsync(["--format", "pretty", .. Listing]);
        Assert.Equal(ExitCodes.Usage, badFlag.ExitCode);
        Assert.Contains("--format must be one of", badFlag.Stderr);
    }

    [Fact]
    public async Task The_detector_asks_again_once_its_clock_says_the_cache_is_a_day_old()
    {
        await RegistryAnswersAsync();
        var home = Directory.CreateTempSubdirectory("hfctl-agent-").FullName;
        try
        {
            var variables = new Dictionary<string, string> { ["HF_HOME"] = home, ["GEMINI_CLI"] = "1" };
            var environment = new HfEnvironment(name => variables.GetValueOrDefault(name), home);
            var start = DateTimeOffset.UtcNow;
            var clock = new SetClock(start);
            var detector = new AgentDetector(environment, clock);

            Assert.Equal("gemini-cli", await detector.DetectAsync(hub.Endpoint, CancellationToken.None));
            Assert.Equal(1, await RegistryRequestsAsync());
            clock.Now = start.AddHours(23);
            Assert.Equal("gemini-cli", await detector.DetectAsync(hub.Endpoint, CancellationToken.None));
            Assert.Equal(1, await RegistryRequestsAsync());
            clock.Now = start.AddHours(25);
            Assert.Equal("gemini-cli", await detector.DetectAsync(hub.Endpoint, CancellationToken.None));
            Assert.Equal(2, await RegistryRequestsAsync());

            variables.Remove("GEMINI_CLI");
            Assert.Null(await detector.DetectAsync(hub.Endpoint, CancellationToken.None));
            variables["AGENT"] = "Gemini-CLI";
            Assert.Equal("gemini-cli", detector.DetectCachedOnly());
            variables["AGENT"] = "my-own-loop";
            Assert.Equal("my-own-loop", detector.DetectCachedOnly());
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private sealed class SetClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
