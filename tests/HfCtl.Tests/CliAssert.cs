namespace HfCtl.Tests;

/// <summary>What every CLI test asserts about a run: it succeeded, or it failed with one clear line and its exit code.</summary>
internal static class CliAssert
{
    public static void Ok(CliResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>Exit <paramref name="code"/> and exactly one line on stderr, an <c>error:</c> line containing <paramref name="contains"/>.</summary>
    public static void OneLineError(CliResult result, int code, string contains)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.True(result.ExitCode == code, result.ToString());
        var line = Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(contains, line, StringComparison.Ordinal);
    }
}
