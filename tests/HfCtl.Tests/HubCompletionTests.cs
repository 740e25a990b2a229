using HfCtl.Testing;

namespace HfCtl.Tests;

/// <summary>Completions that ask the Hub (through System.CommandLine's <c>[suggest]</c> directive, as the shell scripts do).</summary>
public sealed class HubCompletionTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    private static async Task<string[]> SuggestAsync(CliRunner cli, string line)
    {
        var result = await cli.RunAsync($"[suggest:{line.Length}]", line);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stderr);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task A_space_argument_completes_your_spaces_and_remembers_them_briefly()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = CliRunner.Against(hub, token);
        Assert.Equal(0, (await cli.RunAsync("spaces", "create", $"{user}/chat-app", "--sdk", "docker", "--empty")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("spaces", "create", $"{user}/notes", "--sdk", "docker", "--empty")).ExitCode);

        var restart = await SuggestAsync(cli, "hfctl spaces restart ");
        Assert.Contains($"{user}/chat-app", restart);
        Assert.Contains("chat-app", restart);
        Assert.Contains($"{user}/notes", restart);
        var logs = await SuggestAsync(cli, $"hfctl spaces logs {user}/ch");
        Assert.Equal([$"{user}/chat-app"], logs.Where(s => !s.StartsWith('-')));

        // Kept for a few minutes, per account, without the token: a Space made since is not asked for again yet.
        Assert.Equal(0, (await cli.RunAsync("spaces", "create", $"{user}/later", "--sdk", "docker", "--empty")).ExitCode);
        Assert.DoesNotContain($"{user}/later", await SuggestAsync(cli, "hfctl spaces info "));
        var cached = Assert.Single(Directory.GetFiles(Path.Combine(cli.HfHome, "hfctl", "completion"), "spaces-*"));
        Assert.DoesNotContain(token, await File.ReadAllTextAsync(cached), StringComparison.Ordinal);
        Assert.DoesNotContain(token, cached, StringComparison.Ordinal);

        // Another account's list is its own.
        var (other, otherToken) = await hub.CreateUserAsync();
        using var otherCli = CliRunner.Against(hub, otherToken);
        otherCli.Variables["HF_HOME"] = cli.HfHome;
        Assert.DoesNotContain($"{user}/chat-app", await SuggestAsync(otherCli, "hfctl spaces info "));
        Assert.NotNull(other);
    }

    [Fact]
    public async Task Hardware_options_complete_the_hubs_flavors_and_stage_the_space_stages()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var cli = CliRunner.Against(hub, token);

        Assert.Contains("cpu-basic", await SuggestAsync(cli, "hfctl spaces create x --hardware "));
        Assert.Contains("t4-small", await SuggestAsync(cli, "hfctl spaces hardware x --set t4"));
        Assert.Contains("RUNTIME_ERROR", await SuggestAsync(cli, "hfctl spaces list --stage "));
    }

    [Fact]
    public async Task Without_a_reachable_hub_a_completion_offers_nothing_and_prints_no_error()
    {
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = "http://127.0.0.1:9";
        cli.Variables["HF_TOKEN"] = "hf_" + new string('x', 34);

        var restart = await SuggestAsync(cli, "hfctl spaces restart ");

        Assert.All(restart, s => Assert.StartsWith("-", s, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Help_is_offered_as_dash_h_and_help_only()
    {
        using var cli = new CliRunner();

        var options = await SuggestAsync(cli, "hfctl spaces restart -");

        Assert.Contains("--help", options);
        Assert.Contains("-h", options);
        Assert.DoesNotContain(options, o => o is "/?" or "/h" or "-?");
    }
}
