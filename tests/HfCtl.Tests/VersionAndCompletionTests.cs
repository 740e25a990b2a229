using System.Diagnostics;
using System.Text.RegularExpressions;
using HfCtl.Cli;
using HfCtl.Commands.Completion;

namespace HfCtl.Tests;

public sealed partial class VersionAndCompletionTests
{
    [GeneratedRegex(@"^hfctl \d+\.\d+\.\d+(-[0-9A-Za-z.-]+)? \(([0-9a-f]{7}|unknown commit)\)$")]
    private static partial Regex VersionLine();

    [Fact]
    public async Task Version_prints_the_version_and_the_commit()
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("--version");
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(VersionLine(), result.Stdout.TrimEnd('\n'));
        Assert.Equal("", result.Stderr);
        // Built from a git checkout, the commit is stamped.
        Assert.Matches(@"\([0-9a-f]{7}\)", result.Stdout);
    }

    [Theory]
    [InlineData("0.1.0+0123456789abcdef", "hfctl 0.1.0 (0123456)")]
    [InlineData("1.2.3-beta.1+abc", "hfctl 1.2.3-beta.1 (abc)")]
    [InlineData("0.1.0", "hfctl 0.1.0 (unknown commit)")]
    public void Version_text_without_git_says_unknown_commit(string informational, string expected) =>
        Assert.Equal(expected, VersionInfo.Format(informational));

    [Fact]
    public async Task Completion_prints_bash_and_zsh_scripts()
    {
        using var cli = new CliRunner();
        var bash = await cli.RunAsync("completion", "bash");
        Assert.Equal(0, bash.ExitCode);
        Assert.Contains("complete -o default -F _hfctl_complete hfctl", bash.Stdout);
        Assert.Contains("[suggest:${COMP_POINT}]", bash.Stdout);
        var zsh = await cli.RunAsync("completion", "zsh");
        Assert.Equal(0, zsh.ExitCode);
        Assert.StartsWith("#compdef hfctl", zsh.Stdout, StringComparison.Ordinal);
        var fish = await cli.RunAsync("completion", "fish");
        Assert.Equal(2, fish.ExitCode);
    }

    [Theory]
    [InlineData("hfctl au", "auth")]
    [InlineData("hfctl auth w", "whoami")]
    [InlineData("hfctl auth ", "login")]
    [InlineData("hfctl api /api/x --pag", "--paginate")]
    public async Task Suggest_directive_completes_partial_commands(string line, string expected)
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync($"[suggest:{line.Length}]", line);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.Stdout.Split('\n'));
    }

    [Fact]
    public void Bash_script_completes_through_the_real_binary()
    {
        var binary = Path.Combine(AppContext.BaseDirectory, "hfctl");
        if (!File.Exists("/bin/bash") || !File.Exists(binary))
        {
            return; // No bash or apphost on this platform: the directive test above still covers suggestions.
        }
        var script = Path.Combine(Path.GetTempPath(), $"hfctl-completion-{Guid.NewGuid():N}.bash");
        File.WriteAllText(script, CompletionCommand.Bash);
        try
        {
            var start = new ProcessStartInfo("/bin/bash")
            {
                ArgumentList =
                {
                    "-c",
                    "source \"$1\"; COMP_WORDS=(\"$2\" auth wh); COMP_CWORD=2; COMP_LINE=\"$2 auth wh\"; COMP_POINT=${#COMP_LINE}; " +
                    "_hfctl_complete; printf '%s\\n' \"${COMPREPLY[@]}\"",
                    "bash", script, binary,
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.Equal("whoami", output.Trim());
        }
        finally
        {
            File.Delete(script);
        }
    }
}
