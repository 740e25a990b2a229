using HfCtl.Testing;

namespace HfCtl.Tests.Secrets;

/// <summary>The whole-suite canary itself: tokens the fixtures issue are watched, and a leak fails the run.</summary>
public sealed class SecretCanaryTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task Tokens_the_fixture_issues_are_watched_in_full_and_without_their_prefix()
    {
        var (_, token) = await hub.CreateUserAsync("read");
        Assert.NotNull(SecretCanary.FindLeak($"x {token} y"));
        Assert.NotNull(SecretCanary.FindLeak($"x {token[3..]} y"));
        Assert.NotNull(SecretCanary.FindLeak(hub.Hub.AdminSecret));
        Assert.Null(SecretCanary.FindLeak($"Authorization: Bearer hf_****{token[^4..]}"));
        Assert.DoesNotContain(token, SecretCanary.Redact($"token={token}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_that_prints_a_registered_secret_fails_the_test()
    {
        // Variables are public and printed by design; one whose value is a registered secret stands in for a leak.
        var (user, token) = await hub.CreateUserAsync("write");
        var secret = "deliberate-leak-" + Guid.NewGuid().ToString("N");
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        cli.Variables["LEAKY"] = secret;
        Assert.Equal(0, (await cli.RunAsync("spaces", "create", $"{user}/leaky", "--sdk", "docker", "--empty", "-e", "LEAKY")).ExitCode);
        Assert.Contains(secret, (await cli.RunAsync("spaces", "variables", "list", $"{user}/leaky")).Stdout, StringComparison.Ordinal);

        SecretCanary.Register(secret, "a value registered to prove the canary fires");
        var failure = await Assert.ThrowsAsync<Xunit.Sdk.FailException>(() => cli.RunAsync("spaces", "variables", "list", $"{user}/leaky"));
        Assert.Contains("a value registered to prove the canary fires", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, failure.Message, StringComparison.Ordinal);
    }
}
