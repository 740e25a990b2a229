using HfCtl.Testing;

namespace HfCtl.Tests;

/// <summary>
/// Runs every command of the auth and diagnostics slice with a known token, with and without
/// <c>--verbose</c>, through every way a token can arrive, and checks the token never shows up
/// in stdout or stderr (its masked form may).
/// </summary>
public sealed class TokenCanaryTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task The_token_never_appears_in_any_output()
    {
        var (user, canary) = await hub.CreateUserAsync("write");
        var outputs = new List<CliResult>();
        var masked = $"hf_****{canary[^4..]}";

        using (var cli = new CliRunner { Stdin = canary + "\n" })
        {
            cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
            foreach (var verbose in new[] { false, true })
            {
                string[] v = verbose ? ["--verbose"] : [];
                cli.Stdin = canary + "\n";
                outputs.Add(await cli.RunAsync([.. v, "auth", "login"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "login", "--json"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "status"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "status", "--json"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "whoami"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "whoami", "--json"]));
                outputs.Add(await cli.RunAsync([.. v, "test-connection"]));
                outputs.Add(await cli.RunAsync([.. v, "test-connection", "--json", "--url", $"{hub.EndpointText}/_localhub/health"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "logout"]));
            }
        }

        using (var cli = new CliRunner())
        {
            cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
            cli.Variables["HF_TOKEN"] = canary;
            outputs.Add(await cli.RunAsync("--verbose", "auth", "status"));
            outputs.Add(await cli.RunAsync("--verbose", "auth", "whoami"));
            outputs.Add(await cli.RunAsync("--verbose", "test-connection", "--url", $"{hub.EndpointText}/no/such/app", "--send-token"));
            outputs.Add(await cli.RunAsync("--verbose", "auth", "logout"));
            cli.Variables.Remove("HF_TOKEN");
            outputs.Add(await cli.RunAsync("--verbose", "--token", canary, "auth", "status"));
            outputs.Add(await cli.RunAsync("--verbose", "--token", canary, "test-connection", "--json"));
            outputs.Add(await cli.RunAsync("--verbose", "--token", canary, "auth", "whoami", "--json"));
        }

        // Failure paths print the token's source and error; they must stay masked too.
        await hub.RevokeAsync(canary);
        using (var cli = new CliRunner())
        {
            cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
            cli.Variables["HF_TOKEN"] = canary;
            outputs.Add(await cli.RunAsync("--verbose", "auth", "status"));
            outputs.Add(await cli.RunAsync("--verbose", "auth", "whoami"));
            outputs.Add(await cli.RunAsync("--verbose", "test-connection"));
            outputs.Add(await cli.RunAsync("--verbose", "test-connection", "--json"));
            cli.Stdin = canary;
            outputs.Add(await cli.RunAsync("--verbose", "auth", "login"));
        }

        Assert.Equal(0, outputs[0].ExitCode);
        Assert.Contains(user, outputs[0].Stdout);
        Assert.Contains(outputs, o => o.Stderr.Contains("* > GET", StringComparison.Ordinal)); // verbose traces did run
        Assert.Contains(outputs, o => o.All.Contains(masked, StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.ExitCode == 4);
        foreach (var output in outputs)
        {
            Assert.False(output.All.Contains(canary, StringComparison.Ordinal), $"token leaked:\n{output}");
            Assert.False(output.All.Contains(canary[3..], StringComparison.Ordinal), $"token body leaked:\n{output}");
        }
    }
}
