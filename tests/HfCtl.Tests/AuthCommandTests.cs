using HfCtl.Testing;

namespace HfCtl.Tests;

public sealed class AuthCommandTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task Login_then_status_then_whoami_use_the_saved_token()
    {
        var (user, token) = await hub.CreateUserAsync("write");
        using var cli = new CliRunner { Stdin = token + "\n" };
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;

        var login = await cli.RunAsync("auth", "login");
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains($"Logged in as {user}", login.Stdout);
        var tokenFile = Path.Combine(cli.HfHome, "token");
        Assert.Equal(token, File.ReadAllText(tokenFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
        Assert.Contains($"hf_token = {token}", File.ReadAllText(Path.Combine(cli.HfHome, "stored_tokens")));

        var status = await cli.RunAsync("auth", "status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains($"Logged in as {user}", status.Stdout);
        Assert.Contains($"Token: hf_****{token[^4..]} ({tokenFile})", status.Stdout);
        Assert.Contains("Role: write", status.Stdout);

        var whoami = await cli.RunAsync("auth", "whoami");
        Assert.Equal(0, whoami.ExitCode);
        Assert.Contains($"user: {user}", whoami.Stdout);

        var logout = await cli.RunAsync("auth", "logout");
        Assert.Equal(0, logout.ExitCode);
        Assert.False(File.Exists(tokenFile));
        var after = await cli.RunAsync("auth", "status");
        Assert.Equal(4, after.ExitCode);
        Assert.DoesNotContain(token, login.All + status.All + whoami.All + logout.All + after.All);
    }

    [Fact]
    public async Task A_revoked_token_exits_4_with_one_line()
    {
        var (_, token) = await hub.CreateUserAsync("read");
        await hub.RevokeAsync(token);
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;

        var whoami = await cli.RunAsync("auth", "whoami");
        Assert.Equal(4, whoami.ExitCode);
        Assert.Equal("", whoami.Stdout);
        Assert.Single(whoami.Stderr.Trim().Split('\n'));
        Assert.Contains("Invalid credentials", whoami.Stderr);

        var status = await cli.RunAsync("auth", "status");
        Assert.Equal(4, status.ExitCode);
        Assert.Contains("HF_TOKEN", status.Stderr);
        Assert.DoesNotContain(token, whoami.All + status.All);
    }

    [Fact]
    public async Task Login_with_an_invalid_token_saves_nothing()
    {
        using var cli = new CliRunner { Stdin = "hf_" + new string('x', 34) };
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        var login = await cli.RunAsync("auth", "login");
        Assert.Equal(4, login.ExitCode);
        Assert.False(File.Exists(Path.Combine(cli.HfHome, "token")));
    }

    [Fact]
    public async Task Status_json_shows_orgs_role_and_masked_token()
    {
        var (user, token) = await hub.CreateUserAsync("read");
        var org = LocalHubFixture.UniqueName("org");
        await hub.CreateOrgAsync(org, (user, "admin"));
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText + "/";
        cli.Variables["HF_TOKEN"] = token;

        var status = await cli.RunAsync("auth", "status", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains($"\"user\":\"{user}\"", status.Stdout);
        Assert.Contains($"\"orgs\":[\"{org}\"]", status.Stdout);
        Assert.Contains("\"role\":\"read\"", status.Stdout);
        Assert.Contains("\"tokenSource\":\"HF_TOKEN\"", status.Stdout);
        Assert.DoesNotContain(token, status.All);

        var fields = await cli.RunAsync("auth", "status", "--json", "user,role");
        Assert.Equal($"{{\"user\":\"{user}\",\"role\":\"read\"}}", fields.Stdout.Trim());
        var unknown = await cli.RunAsync("auth", "status", "--json", "nope");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("available fields: endpoint, loggedIn, user", unknown.Stderr);
    }

    [Fact]
    public async Task Local_flag_runs_against_the_embedded_hub_with_the_demo_account()
    {
        using var cli = new CliRunner();
        var status = await cli.RunAsync("--local", "auth", "status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("Logged in as demo", status.Stdout);
        Assert.Contains("(local hub demo account)", status.Stdout);
        Assert.True(File.Exists(Path.Combine(cli.HfHome, "hfctl", "local-hub", "hub.db")));
    }

    [Fact]
    public async Task Unknown_flags_exit_2_with_one_line()
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("auth", "status", "--nope");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: Unrecognized command or argument '--nope'", result.Stderr);
    }

    [Fact]
    public async Task No_token_and_a_rejected_token_are_each_said_one_way_by_every_command()
    {
        var (user, token) = await hub.CreateUserAsync("write");
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        var file = Path.Combine(cli.HfHome, "state.txt");
        await File.WriteAllTextAsync(file, "state\n");
        string[][] commands =
        [
            ["auth", "whoami"],
            ["spaces", "create", "web", "--empty"],
            ["persist", "save", file, "state.txt", "-d", $"{user}/backup"],
            ["upload", $"{user}/notes", file],
        ];
        foreach (var args in commands)
        {
            var none = await cli.RunAsync(args);
            Assert.True(none.ExitCode == 4, none.ToString());
            Assert.Equal("error: not logged in: no token found (set HF_TOKEN, pass --token, or run 'hfctl auth login')", none.Stderr.Trim());
        }

        await hub.RevokeAsync(token);
        cli.Variables["HF_TOKEN"] = token;
        foreach (var args in commands)
        {
            var rejected = await cli.RunAsync(args);
            Assert.True(rejected.ExitCode == 4, rejected.ToString());
            var line = Assert.Single(rejected.Stderr.Trim().Split('\n'));
            Assert.StartsWith("error: token rejected: the Hub refused the token from HF_TOKEN", line);
        }
    }
}
