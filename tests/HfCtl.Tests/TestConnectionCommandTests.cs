using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using HfCtl.Testing;

namespace HfCtl.Tests;

/// <summary>hfctl test-connection end to end against a local hub on loopback, and against places that fail.</summary>
public sealed class TestConnectionCommandTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task All_green_against_the_local_hub_with_TLS_skipped_for_http()
    {
        var (user, token) = await hub.CreateUserAsync("write");
        var org = LocalHubFixture.UniqueName("org");
        await hub.CreateOrgAsync(org, (user, "write"));
        using var cli = Cli(token);

        var result = await cli.RunAsync("test-connection");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.StartsWith($"Testing {hub.EndpointText}", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  ✓ DNS ", StringComparison.Ordinal) && l.Contains("127.0.0.1 is an IP address"));
        Assert.Contains(lines, l => l.StartsWith("  ✓ TCP connect ", StringComparison.Ordinal) && l.Contains($"connected to 127.0.0.1:{hub.Endpoint.Port}"));
        Assert.Contains(lines, l => l.StartsWith("  – TLS handshake ", StringComparison.Ordinal) && l.Contains("plain http:// has no TLS"));
        Assert.Contains(lines, l => l.StartsWith("  ✓ HTTP ", StringComparison.Ordinal) && l.Contains("X-Request-Id Root=1-"));
        var tokenLine = Assert.Single(lines, l => l.StartsWith("  ✓ Token ", StringComparison.Ordinal));
        Assert.Contains($"user {user}, orgs: {org}, token 'test' (write) hf_****{token[^4..]} from HF_TOKEN", tokenLine);
        Assert.Matches(@"\(\d+ ms\)$", tokenLine);
        Assert.Equal("connection works: every check passed", lines.Last(l => l.Length > 0));
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task A_read_only_token_passes_with_a_note()
    {
        var (_, token) = await hub.CreateUserAsync("read");
        using var cli = Cli(token);
        var result = await cli.RunAsync("test-connection");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("(read)", result.Stdout);
        Assert.Contains("note: read-only token", result.Stdout);
        Assert.Contains("connection works (see the notes above)", result.Stdout);
    }

    [Fact]
    public async Task A_closed_port_fails_the_TCP_step_with_exit_3()
    {
        using var cli = Cli(hub.DemoToken);
        var result = await cli.RunAsync("test-connection", "--endpoint", $"http://127.0.0.1:{ClosedPort()}");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("✗ TCP connect", result.Stdout);
        Assert.Contains("connection refused", result.Stdout);
        Assert.Contains("hint: nothing listens on that port", result.Stdout);
        Assert.Contains("– Token", result.Stdout);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.StartsWith("error: TCP connect failed for 127.0.0.1:", result.Stderr);
    }

    [Fact]
    public async Task An_unresolvable_host_fails_the_DNS_step_with_exit_3()
    {
        using var cli = Cli(hub.DemoToken);
        var result = await cli.RunAsync("test-connection", "--endpoint", "https://nonexistent.invalid", "--timeout", "5s");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("✗ DNS", result.Stdout);
        Assert.Contains("nonexistent.invalid", result.Stdout);
        Assert.Contains("hint: the name does not resolve", result.Stdout);
        Assert.Contains("– TCP connect", result.Stdout);
        Assert.Contains("– TLS handshake", result.Stdout);
        Assert.Contains("error: DNS failed for nonexistent.invalid", result.Stderr);
    }

    [Fact]
    public async Task An_invalid_token_fails_the_token_step_with_exit_4()
    {
        var (_, token) = await hub.CreateUserAsync("write");
        await hub.RevokeAsync(token);
        using var cli = Cli(token);
        var result = await cli.RunAsync("test-connection");
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("✓ HTTP", result.Stdout);
        Assert.Contains("✗ Token", result.Stdout);
        Assert.Contains("Invalid credentials in Authorization header", result.Stdout);
        Assert.Contains("hint: the token is invalid, expired or revoked", result.Stdout);
        Assert.Contains("(and update or unset HF_TOKEN)", result.Stdout);
        Assert.DoesNotContain(token, result.All);
    }

    [Fact]
    public async Task No_token_at_all_exits_4_with_the_login_hint()
    {
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        var result = await cli.RunAsync("test-connection");
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("✗ Token", result.Stdout);
        Assert.Contains("no token found", result.Stdout);
        Assert.Contains("hfctl auth login", result.Stdout);
    }

    [Fact]
    public async Task Url_checks_a_dedicated_path_with_the_token_on_the_same_origin()
    {
        using var cli = Cli(hub.DemoToken);
        var result = await cli.RunAsync("test-connection", "--url", $"{hub.EndpointText}/_localhub/health");
        Assert.True(result.ExitCode == 0, result.ToString());
        var urlLine = Assert.Single(result.Stdout.Split('\n'), l => l.StartsWith("  ✓ URL ", StringComparison.Ordinal));
        Assert.Contains("GET → 200 OK in", urlLine);
        Assert.Contains("(with token)", urlLine);
        var lines = result.Stdout.Split('\n');
        var header = Array.IndexOf(lines, $"Testing {hub.EndpointText}/_localhub/health");
        Assert.True(header > 0, result.Stdout);
        Assert.StartsWith("  ✓ DNS ", lines[header + 1]);
        Assert.StartsWith("  ✓ URL ", lines[header + 4]);
    }

    [Fact]
    public async Task Url_on_another_host_gets_no_token_unless_asked_and_a_404_fails()
    {
        using var cli = Cli(hub.DemoToken);
        // "localhost" is not the endpoint's origin (127.0.0.1), nor a Space or Endpoint host.
        var other = $"http://localhost:{hub.Endpoint.Port}/_localhub/health";
        var plain = await cli.RunAsync("test-connection", "--url", other);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Contains("token not sent", plain.Stdout);

        var forced = await cli.RunAsync("test-connection", "--url", other, "--send-token");
        Assert.Contains("(with token)", forced.Stdout);

        var missing = await cli.RunAsync("test-connection", "--url", $"{hub.EndpointText}/no/such/app");
        Assert.True(missing.ExitCode == 5, missing.ToString());
        Assert.Contains("✗ URL", missing.Stdout);
        Assert.Contains("404", missing.Stdout);
        Assert.Contains("hint: the host answers but has nothing at this path", missing.Stdout);
    }

    [Fact]
    public async Task Json_output_lists_every_step_and_the_exit_code()
    {
        var (user, token) = await hub.CreateUserAsync("write");
        using var cli = Cli(token);
        var result = await cli.RunAsync("test-connection", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        Assert.Equal(hub.EndpointText, root.GetProperty("endpoint").GetString());
        var steps = root.GetProperty("steps").EnumerateArray().Select(s => (s.GetProperty("name").GetString(), s.GetProperty("status").GetString())).ToList();
        Assert.Equal([("DNS", "passed"), ("TCP connect", "passed"), ("TLS handshake", "skipped"), ("HTTP", "passed"), ("Token", "passed")], steps);
        Assert.Equal(user, root.GetProperty("account").GetProperty("user").GetString());
        Assert.Equal("write", root.GetProperty("account").GetProperty("role").GetString());
        Assert.DoesNotContain(token, result.All);

        var failed = await cli.RunAsync("test-connection", "--json", "--endpoint", $"http://127.0.0.1:{ClosedPort()}");
        Assert.Equal(3, failed.ExitCode);
        using var failedDoc = JsonDocument.Parse(failed.Stdout);
        Assert.Equal(3, failedDoc.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Contains(failedDoc.RootElement.GetProperty("steps").EnumerateArray(),
            s => s.GetProperty("name").GetString() == "TCP connect" && s.GetProperty("status").GetString() == "failed" && s.GetProperty("hint").GetString()!.Length > 0);
    }

    [Fact]
    public async Task Local_flag_tests_the_embedded_hub()
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("--local", "test-connection");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("user demo", result.Stdout);
        Assert.Contains("from local hub demo account", result.Stdout);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-1")]
    [InlineData("soon")]
    [InlineData("2h")]
    public async Task Bad_timeouts_and_urls_exit_2(string timeout)
    {
        using var cli = Cli(hub.DemoToken);
        var result = await cli.RunAsync("test-connection", "--timeout", timeout);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--timeout must be a duration", result.Stderr);
        var url = await cli.RunAsync("test-connection", "--url", "ftp://x");
        Assert.Equal(2, url.ExitCode);
        Assert.Contains("--url must be an http:// or https:// URL", url.Stderr);
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("7", 7_000)]
    public void Durations_parse(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), HfCtl.Cli.Duration.Parse(text, "--timeout"));

    [Fact]
    public async Task A_fine_grained_token_shows_its_type_and_scopes()
    {
        var (user, _) = await hub.CreateUserAsync();
        var token = await hub.CreateTokenAsync(new
        {
            user,
            role = "write",
            displayName = "deploy",
            kind = "fineGrained",
            fineGrained = new
            {
                canReadGatedRepos = true,
                global = new[] { "discussion.write" },
                scoped = new[] { new { entity = new { type = "user", name = user }, permissions = new[] { "repo.content.read", "repo.write" } } },
            },
        }, $"the fine-grained token of {user}");
        using var cli = Cli(token);

        var result = await cli.RunAsync("test-connection");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("token 'deploy' (fineGrained)", result.Stdout);
        Assert.Contains("type: access_token, role fineGrained", result.Stdout);
        Assert.Contains("scope: everywhere: discussion.write", result.Stdout);
        Assert.Contains($"scope: user {user}: repo.content.read, repo.write", result.Stdout);
        Assert.Contains("gated repos: readable", result.Stdout);

        var json = JsonDocument.Parse((await cli.RunAsync("test-connection", "--json")).Stdout).RootElement.GetProperty("account");
        Assert.Equal("access_token", json.GetProperty("authType").GetString());
        var scope = Assert.Single(json.GetProperty("fineGrained").GetProperty("scoped").EnumerateArray());
        Assert.Equal(user, scope.GetProperty("entity").GetProperty("name").GetString());
        Assert.Equal(24, scope.GetProperty("entity").GetProperty("_id").GetString()!.Length);
    }

    [Fact]
    public async Task An_oauth_token_is_named_and_warned_of_and_the_hub_refuses_it_a_space_restart_as_it_does()
    {
        var (user, writeToken) = await hub.CreateUserAsync();
        var oauth = await hub.CreateTokenAsync(new { user, role = "write", displayName = "login", kind = "oauth" }, $"the OAuth token of {user}");
        using var cli = Cli(oauth);

        var result = await cli.RunAsync("test-connection");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"type: oauth, expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", result.Stdout);
        Assert.Contains("note: OAuth token (from a device login): the Hub may answer 401 to Space restart", result.Stdout);
        var json = JsonDocument.Parse((await cli.RunAsync("test-connection", "--json")).Stdout).RootElement.GetProperty("account");
        Assert.Equal("oauth", json.GetProperty("authType").GetString());
        Assert.Equal(JsonValueKind.String, json.GetProperty("expiresAt").ValueKind);

        // What the warning is about (huggingface_hub#4972): the restart is refused, the pause is not.
        using (var owner = Cli(writeToken))
        {
            Assert.Equal(0, (await owner.RunAsync("spaces", "create", "oauth-app", "--sdk", "docker")).ExitCode);
        }
        Assert.Equal(4, (await cli.RunAsync("spaces", "restart", $"{user}/oauth-app")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("spaces", "pause", $"{user}/oauth-app")).ExitCode);
    }

    [Fact]
    public async Task An_expired_oauth_token_is_rejected()
    {
        var (user, _) = await hub.CreateUserAsync();
        var expired = await hub.CreateTokenAsync(new { user, role = "write", kind = "oauth", expiresAt = "2020-01-01T00:00:00Z" }, $"an expired OAuth token of {user}");
        using var cli = Cli(expired);
        Assert.Equal(4, (await cli.RunAsync("test-connection")).ExitCode);
    }

    private CliRunner Cli(string token)
    {
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        return cli;
    }

    /// <summary>A loopback port nothing listens on: bound then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task An_answer_from_the_url_is_never_a_network_failure()
    {
        using var cli = Cli(hub.DemoToken);
        // Another origin than the endpoint, so no token goes: the Hub's whoami answers 401.
        var unauthorized = await cli.RunAsync("test-connection", "--url", $"http://localhost:{hub.Endpoint.Port}/api/whoami-v2");
        Assert.True(unauthorized.ExitCode == 4, unauthorized.ToString());
        Assert.Contains("GET → 401", unauthorized.Stdout);
        Assert.Contains("pass --send-token", unauthorized.Stdout);

        // A POST-only service (as an Inference Endpoint's route): it answers, so the test passes, with a note.
        var postOnly = await AnsweredByAsync(cli, "HTTP/1.1 405 Method Not Allowed\r\nAllow: POST\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        Assert.True(postOnly.ExitCode == 0, postOnly.ToString());
        Assert.Contains("GET → 405", postOnly.Stdout);
        Assert.Contains("the URL answers but not to GET", postOnly.Stdout);

        var broken = await AnsweredByAsync(cli, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        Assert.True(broken.ExitCode == 1, broken.ToString());
        Assert.Contains("reachable but failing", broken.Stdout);
        Assert.Contains("GET → 500", broken.Stdout);
    }

    /// <summary>test-connection --url against a loopback server that gives <paramref name="response"/> to the first request.</summary>
    private static async Task<CliResult> AnsweredByAsync(CliRunner cli, string response)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = AnswerAsync(listener, response);
        var result = await cli.RunAsync("test-connection", "--url", $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/app");
        await server;
        return result;
    }

    /// <summary>
    /// Answers the first request with <paramref name="response"/>. Connections that close without a
    /// request (test-connection's own TCP step) are skipped.
    /// </summary>
    private static async Task AnswerAsync(TcpListener listener, string response)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var client = await listener.AcceptTcpClientAsync(deadline.Token);
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var request = "";
            while (!request.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, deadline.Token);
                if (read == 0)
                {
                    break;
                }
                request += System.Text.Encoding.ASCII.GetString(buffer, 0, read);
            }
            if (request.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(response), deadline.Token);
                return;
            }
        }
    }
}

/// <summary>A local hub that counts API requests as the Hub does, with <c>RateLimit</c> headers on its answers.</summary>
public sealed class RateLimitedHubFixture : LocalHubFixture
{
    protected override void Configure(HfHub.LocalHub.LocalHubOptions options) =>
        options.RateLimits = HfHub.LocalHub.Faults.RateLimitOptions.Parse("api=1000,window=300");
}

/// <summary>test-connection against a hub that sends <c>RateLimit</c> and <c>RateLimit-Policy</c>.</summary>
public sealed class TestConnectionQuotaTests(RateLimitedHubFixture hub) : IClassFixture<RateLimitedHubFixture>
{
    [Fact]
    public async Task The_quota_left_is_reported_from_the_rate_limit_headers()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var cli = CliRunner.Against(hub, token);

        var result = await cli.RunAsync("test-connection");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"quota: 99\d of 1000 api requests left per 300 s, resets in \d+ s", result.Stdout);
        var limit = JsonDocument.Parse((await cli.RunAsync("test-connection", "--json")).Stdout).RootElement.GetProperty("rateLimit");
        Assert.Equal("api", limit.GetProperty("pool").GetString());
        Assert.Equal(1000, limit.GetProperty("quota").GetInt32());
        Assert.InRange(limit.GetProperty("remaining").GetInt32(), 990, 999);
        Assert.Equal(300, limit.GetProperty("windowSeconds").GetInt64());
    }
}
