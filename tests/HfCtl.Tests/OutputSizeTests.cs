using System.Text.Json;
using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.Repos;

namespace HfCtl.Tests;

/// <summary>
/// The output-size rule, as a user meets it: over 50 lines, a summary; piped, rows only on stdout
/// (the summary on stderr); <c>--all</c> and <c>--json</c> give everything.
/// </summary>
public sealed class OutputSizeTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    private async Task<(CliRunner Cli, string User)> WithReposAsync(int count)
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = new HubClient(new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token) });
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await client.Repos.CreateAsync(RepoId.Parse($"{user}/m{i:000}"), cancellationToken: ct));
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        return (cli, user);
    }

    [Fact]
    public async Task Repo_list_shows_50_with_a_summary_and_all_lifts_the_cut()
    {
        var (cli, user) = await WithReposAsync(60);
        using var _ = cli;

        var piped = await cli.RunAsync("repo", "list", "--author", user);
        Assert.True(piped.ExitCode == 0, piped.ToString());
        var rows = piped.Stdout.TrimEnd().Split('\n');
        Assert.Equal(50, rows.Length);
        Assert.All(rows, r => Assert.StartsWith($"{user}/m", r, StringComparison.Ordinal));
        Assert.StartsWith("… at least 1 more repos; --all", piped.Stderr, StringComparison.Ordinal);

        var all = await cli.RunAsync("repo", "list", "--author", user, "--all");
        Assert.Equal(60, all.Stdout.TrimEnd().Split('\n').Length);
        Assert.Equal("", all.Stderr);
        using var json = JsonDocument.Parse((await cli.RunAsync("repo", "list", "--author", user, "--json")).Stdout);
        Assert.Equal(60, json.RootElement.GetArrayLength());
        var limited = await cli.RunAsync("repo", "list", "--author", user, "--limit", "5");
        Assert.Equal(5, limited.Stdout.TrimEnd().Split('\n').Length);
    }

    [Fact]
    public async Task Api_summarises_a_long_body_on_a_terminal_and_prints_it_all_when_piped()
    {
        var (cli, user) = await WithReposAsync(60);
        using var _ = cli;
        var path = $"/api/models?author={user}&limit=100";

        var piped = await cli.RunAsync("api", path);
        Assert.True(piped.ExitCode == 0, piped.ToString());
        using (var body = JsonDocument.Parse(piped.Stdout))
        {
            Assert.Equal(60, body.RootElement.GetArrayLength());
        }

        cli.Terminal = true;
        var terminal = await cli.RunAsync("api", path);
        Assert.True(terminal.ExitCode == 0, terminal.ToString());
        var lines = terminal.Stdout.TrimEnd().Split('\n');
        Assert.Equal(51, lines.Length);
        Assert.Matches(@"^… \d+ more lines of a JSON array of 60 items \(keys: [^)]*\bid\b", lines[^1]);

        var all = await cli.RunAsync("api", path, "--all");
        Assert.True(all.Stdout.TrimEnd().Split('\n').Length > 60);
        using var allBody = JsonDocument.Parse(all.Stdout);
        Assert.Equal(60, allBody.RootElement.GetArrayLength());
    }
}
