using System.CommandLine;
using HfCtl.Cli;
using HfCtl.Testing;
using HfHub;
using HfHub.Json;

namespace HfCtl.Tests.BadInput;

/// <summary>
/// Every command × every bad input it can be given (see <see cref="BadInputMatrix"/>): one line on
/// stderr, no stack trace, the documented exit code, and nothing changed on the Hub or on disk.
/// </summary>
public sealed partial class BadInputMatrixTests(BadInputWorld world) : IClassFixture<BadInputWorld>
{
    public static TheoryData<string, string> Rows
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var row in BadInputMatrix.All)
            {
                data.Add(row.Command, row.Case);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Bad_input_gets_one_line_the_documented_exit_code_and_changes_nothing(string command, string @case)
    {
        var row = BadInputMatrix.Find(command, @case);
        var token = world.TokenFor(row.Token);
        using var cli = new CliRunner { Stdin = world.Fill(row.Stdin, token) };
        cli.Variables["HF_ENDPOINT"] = row.Endpoint == "html" ? world.HtmlEndpoint : world.HubEndpoint;
        cli.Variables["HF_ENDPOINTS_API"] = (row.Endpoint == "html" ? world.HtmlEndpoint : world.HubEndpoint) + "/_endpoints/v2";
        cli.Variables["HF_TOKEN"] = token;
        var args = row.Args.Select(a => world.Fill(a, token)).ToArray();

        var before = await world.SnapshotAsync(cli.HfHome);
        // A safety net against a row that unexpectedly succeeds into a long wait (serve, watch):
        // it then exits 130 and fails below instead of hanging the suite.
        using var safety = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var result = await cli.RunAsync(safety.Token, args);
        var after = await world.SnapshotAsync(cli.HfHome);

        var shown = Show(result);
        Assert.True(result.ExitCode == row.Exit, $"expected exit {row.Exit}, got {shown}");
        var stderr = result.Stderr.EndsWith('\n') ? result.Stderr[..^1] : result.Stderr;
        Assert.True(stderr.Length > 0 && !stderr.Contains('\n', StringComparison.Ordinal), $"expected exactly one line on stderr: {shown}");
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
        Assert.True(stderr.Length <= 1200, $"the error line is {stderr.Length} characters long: {shown}");
        Assert.DoesNotContain("Unhandled exception", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        Assert.False(stderr.Any(char.IsControl), $"control characters on stderr: {shown}");
        Assert.True(Utf16Text.IsWellFormed(stderr), $"a lone surrogate on stderr: {shown}");
        Assert.DoesNotContain("<html", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.False(DotNetInternals().IsMatch(stderr), $".NET internals in the error line: {shown}");
        Assert.True(before == after, $"the invocation changed something:\n--- before\n{before}\n--- after\n{after}\n{shown}");
    }

    /// <summary>Per command, the rows an agent meets most: a mistyped flag and, for the commands that call the Hub, a broken server and a revoked token.</summary>
    public static TheoryData<string, string> AgentRows
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var row in BadInputMatrix.All.Where(r => r.Case is "unknown-flag" or "html-502" or "revoked-token"))
            {
                data.Add(row.Command, row.Case);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(AgentRows))]
    public async Task An_agent_gets_the_error_line_then_the_exit_codes_meaning_and_no_ANSI_from_every_command(string command, string @case)
    {
        var row = BadInputMatrix.Find(command, @case);
        var token = world.TokenFor(row.Token);
        // AI_AGENT on a claimed colour terminal: the agent wins over the terminal.
        using var cli = new CliRunner { Stdin = world.Fill(row.Stdin, token), Terminal = true, InputTerminal = true, Color = true };
        cli.Variables["AI_AGENT"] = "test-harness";
        cli.Variables["HF_ENDPOINT"] = row.Endpoint == "html" ? world.HtmlEndpoint : world.HubEndpoint;
        cli.Variables["HF_ENDPOINTS_API"] = (row.Endpoint == "html" ? world.HtmlEndpoint : world.HubEndpoint) + "/_endpoints/v2";
        cli.Variables["HF_TOKEN"] = token;
        using var safety = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var result = await cli.RunAsync(safety.Token, row.Args.Select(a => world.Fill(a, token)).ToArray());

        var shown = Show(result);
        Assert.True(result.ExitCode == row.Exit, $"expected exit {row.Exit}, got {shown}");
        var lines = result.Stderr.TrimEnd('\n').Split('\n');
        // Before them, at most a transfer's start line ("download of ns/m: started").
        Assert.True(lines.Length >= 2 && lines[^2].StartsWith("error: ", StringComparison.Ordinal), $"expected the error line and the exit line: {shown}");
        Assert.Equal($"exit {row.Exit}: {ExitCodes.Meaning(row.Exit)}", lines[^1]);
        Assert.All(lines[..^2], line => Assert.EndsWith(": started", line, StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', result.All);
    }

    [Fact]
    public void Every_command_in_the_tree_has_rows()
    {
        var app = new App(new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, false, false, false, 80), new HfEnvironment(_ => null, Path.GetTempPath()));
        var runnable = new List<string>();
        var groups = new List<string>();
        void Walk(Command command, string path)
        {
            foreach (var sub in command.Subcommands)
            {
                var name = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
                (sub.Action is null ? groups : runnable).Add(name);
                Walk(sub, name);
            }
        }
        Walk(app.BuildRoot(), "");

        Assert.Equal(runnable.Order(StringComparer.Ordinal), BadInputMatrix.Specs.Select(s => s.Command).Order(StringComparer.Ordinal));
        Assert.Equal(groups.Order(StringComparer.Ordinal), BadInputMatrix.Groups.Order(StringComparer.Ordinal));
        Assert.All(BadInputMatrix.Specs, spec => Assert.Contains(BadInputMatrix.All, row => row.Command == spec.Command && row.Case == "unknown-flag"));
        Assert.Equal(BadInputMatrix.All.Count, BadInputMatrix.All.Select(r => (r.Command, r.Case)).Distinct().Count());
    }

    /// <summary>
    /// What a user cannot act on: CLR type names, .NET's "(Parameter 'x')", exception class names,
    /// our own namespaces, and System.CommandLine's newline + tab lists rendered as "??".
    /// </summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"System\.[A-Z]|`\d|\(Parameter '|\b[A-Z][A-Za-z]*Exception\b|\bHf(Hub|Ctl)\.[A-Z]|\?\?'")]
    private static partial System.Text.RegularExpressions.Regex DotNetInternals();

    /// <summary>The result for a failure message: secrets redacted, huge outputs cut.</summary>
    private static string Show(CliResult result)
    {
        static string Cut(string text) => text.Length > 2000 ? text[..2000] + $"… ({text.Length} characters)" : text;
        return SecretCanary.Redact($"exit {result.ExitCode}\n--- stdout\n{Cut(result.Stdout)}\n--- stderr\n{Cut(result.Stderr)}");
    }
}
