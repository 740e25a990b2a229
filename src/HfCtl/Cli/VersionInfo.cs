using System.CommandLine;
using System.CommandLine.Invocation;

namespace HfCtl.Cli;

/// <summary>
/// hfctl's version and the commit it was built from. The .NET SDK stamps the commit into the
/// informational version as <c>0.1.0+&lt;sha&gt;</c> (see Directory.Build.props); a build outside git has
/// no <c>+</c> part and reports "unknown commit". The build writes that string into
/// <c>BuildInfo.InformationalVersion</c> (HfCtl.csproj), a constant: reading the assembly attribute
/// through reflection cost <c>--version</c> about a millisecond of its start-up.
/// </summary>
internal static class VersionInfo
{
    private const string Informational = BuildInfo.InformationalVersion;

    /// <summary>The product version, e.g. <c>0.1.0</c>.</summary>
    public static string Version => Parse(Informational).Version;

    /// <summary>The short commit id, or null when the build had no git.</summary>
    public static string? Commit => Parse(Informational).Commit;

    /// <summary>What <c>hfctl --version</c> prints: <c>hfctl 0.1.0 (1a2b3c4)</c>.</summary>
    public static string Text => Format(Informational);

    internal static string Format(string informational)
    {
        var (version, commit) = Parse(informational);
        return $"hfctl {version} ({commit ?? "unknown commit"})";
    }

    internal static (string Version, string? Commit) Parse(string informational)
    {
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0)
        {
            return (informational, null);
        }
        var commit = informational[(plus + 1)..];
        return (informational[..plus], commit.Length == 0 ? null : commit[..Math.Min(commit.Length, 7)]);
    }

    /// <summary>Replaces System.CommandLine's default <c>--version</c> output with <see cref="Text"/>.</summary>
    public static void Configure(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (var option in root.Options.OfType<VersionOption>())
        {
            option.Action = new PrintVersion();
            option.Description = "Show the version and the commit hfctl was built from";
        }
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Text);
            return ExitCodes.Ok;
        }
    }
}
