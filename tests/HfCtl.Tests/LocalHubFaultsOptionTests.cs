namespace HfCtl.Tests;

public sealed class LocalHubFaultsOptionTests
{
    [Theory]
    [InlineData("rate=5")]
    [InlineData("kinds=explode")]
    [InlineData("rate")]
    public async Task Serve_refuses_a_bad_faults_spec_with_a_usage_error(string spec)
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("local-hub", "serve", "--in-memory", "--faults", spec);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--faults", result.Stderr);
        Assert.DoesNotContain("HF_ENDPOINT", result.Stdout);
    }
}
