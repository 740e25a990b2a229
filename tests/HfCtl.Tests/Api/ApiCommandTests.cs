using System.Text.Json;
using HfCtl.Testing;

namespace HfCtl.Tests.Api;

/// <summary><c>hfctl api</c> against the local hub over real HTTP.</summary>
public sealed class ApiCommandTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    private async Task<(CliRunner Cli, string User, string Token)> LoggedInAsync(string role = "write")
    {
        var (user, token) = await hub.CreateUserAsync(role);
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        return (cli, user, token);
    }

    [Theory]
    [InlineData("/api/whoami-v2")]
    [InlineData("api/whoami-v2")]
    [InlineData("{endpoint}/api/whoami-v2")]
    public async Task Get_prints_the_body_as_it_came(string path)
    {
        var (cli, user, token) = await LoggedInAsync();
        using var _ = cli;
        var result = await cli.RunAsync("api", path.Replace("{endpoint}", hub.EndpointText, StringComparison.Ordinal));
        Assert.True(result.ExitCode == 0, result.ToString());
        using var body = JsonDocument.Parse(result.Stdout);
        Assert.Equal(user, body.RootElement.GetProperty("name").GetString());
        Assert.Equal("", result.Stderr);
        Assert.DoesNotContain(token, result.All);
    }

    [Fact]
    public async Task Json_is_pretty_on_a_terminal_and_compact_when_piped()
    {
        var (cli, _, _) = await LoggedInAsync();
        using var __ = cli;
        var piped = await cli.RunAsync("api", "/api/whoami-v2");
        Assert.DoesNotContain('\n', piped.Stdout.TrimEnd());
        cli.Terminal = true;
        var terminal = await cli.RunAsync("api", "/api/whoami-v2");
        Assert.True(terminal.ExitCode == 0, terminal.ToString());
        Assert.StartsWith("{\n  \"", terminal.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Include_prints_the_status_line_and_headers_before_the_body()
    {
        var (cli, user, _) = await LoggedInAsync();
        using var _ = cli;
        var result = await cli.RunAsync("api", "-i", "/api/whoami-v2");
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.Equal("HTTP/1.1 200 OK", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("X-Request-Id: ", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(lines, l => l.StartsWith("Content-Type: application/json", StringComparison.Ordinal));
        var blank = Array.IndexOf(lines, "");
        Assert.True(blank > 0);
        Assert.Contains($"\"name\":\"{user}\"", string.Join('\n', lines[(blank + 1)..]));
    }

    [Fact]
    public async Task Silent_prints_no_body_but_keeps_the_exit_code()
    {
        var (cli, _, _) = await LoggedInAsync();
        using var _ = cli;
        var ok = await cli.RunAsync("api", "--silent", "/api/whoami-v2");
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal("", ok.Stdout);
        var missing = await cli.RunAsync("api", "--silent", "/api/no-such-route");
        Assert.Equal(5, missing.ExitCode);
        Assert.Equal("", missing.Stdout);
    }

    [Fact]
    public async Task Not_found_prints_the_body_and_exits_5_with_one_line()
    {
        var (cli, _, _) = await LoggedInAsync();
        using var _ = cli;
        var result = await cli.RunAsync("api", "/api/no-such-route");
        Assert.Equal(5, result.ExitCode);
        using var body = JsonDocument.Parse(result.Stdout);
        Assert.True(body.RootElement.TryGetProperty("error", out var error));
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(error.GetString()!, result.Stderr);
    }

    [Fact]
    public async Task A_revoked_token_exits_4()
    {
        var (cli, _, token) = await LoggedInAsync("read");
        using var _ = cli;
        await hub.RevokeAsync(token);
        var result = await cli.RunAsync("api", "/api/whoami-v2");
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("\"error\"", result.Stdout);
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain(token, result.All);
    }

    [Fact]
    public async Task A_full_url_on_another_host_is_refused_and_never_called()
    {
        using var foreign = new RecordingServer((_, _) => new ScriptedResponse(200, "{}"));
        var (cli, _, token) = await LoggedInAsync();
        using var _ = cli;
        var result = await cli.RunAsync("api", foreign.Origin + "/api/whoami-v2");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("refusing to call " + foreign.Origin, result.Stderr);
        Assert.Empty(foreign.Requests);
        Assert.DoesNotContain(token, result.All);
    }

    [Fact]
    public async Task Verbose_traces_the_request_with_the_token_masked()
    {
        var (cli, _, token) = await LoggedInAsync();
        using var _ = cli;
        var result = await cli.RunAsync("api", "--verbose", "/api/whoami-v2");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"> GET {hub.EndpointText}/api/whoami-v2 Authorization: Bearer hf_****{token[^4..]}", result.Stderr);
        Assert.Contains("< 200", result.Stderr);
        Assert.DoesNotContain(token, result.All);
    }

    [Fact]
    public async Task Local_flag_calls_the_embedded_hub_as_the_demo_account()
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("--local", "api", "/api/whoami-v2");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\"name\":\"demo\"", result.Stdout);
    }

    [Fact]
    public async Task Bad_usage_exits_2()
    {
        var (cli, _, _) = await LoggedInAsync();
        using var _ = cli;
        Assert.Equal(2, (await cli.RunAsync("api", "/api/x", "-f", "novalue")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("api", "/api/x", "-H", "no colon")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("api", "-X", "POST", "--paginate", "/api/x")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("api", "/api/x", "-F", "f=@/no/such/file")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("api", "ftp://example.com/x")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("api", "-X", "GET X", "/api/x")).ExitCode);
    }
}
