using System.Text;
using HfCtl.Cli;
using HfCtl.Testing;

namespace HfCtl.Tests;

/// <summary>
/// Every hfctl command line shown in SKILL.md and README.md parses: the commands, options and
/// arguments an agent or a person copies from the docs exist as written.
/// </summary>
public sealed class DocsCommandLineTests
{
    public static TheoryData<string, string> CommandLines()
    {
        var data = new TheoryData<string, string>();
        foreach (var doc in new[] { "SKILL.md", "README.md" })
        {
            foreach (var line in CodeLines(Path.Combine(RepoPaths.Root, doc)).Distinct(StringComparer.Ordinal)) // a line shown twice is one case
            {
                data.Add(doc, line);
            }
        }
        return data;
    }

    [Fact]
    public void The_docs_show_the_seed_intents()
    {
        var skill = string.Join('\n', CodeLines(Path.Combine(RepoPaths.Root, "SKILL.md")));
        foreach (var intent in new[] { "test-connection", "spaces list", "spaces action", "spaces create", "spaces secrets", "spaces logs",
                     "spaces hardware", "persist save", "persist restore", "download", "auth whoami", "api " })
        {
            Assert.Contains("hfctl " + intent, skill);
        }
        Assert.StartsWith("---\nname: ", File.ReadAllText(Path.Combine(RepoPaths.Root, "SKILL.md")));
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void Command_line_parses(string doc, string commandLine)
    {
        var args = Tokenize(commandLine);
        var app = new App(new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, false, false, false, 80), new HfHub.HfEnvironment(_ => null, "/nonexistent"));
        var errors = app.ParseErrors([.. args.Skip(1)]);
        Assert.True(errors.Count == 0, $"{doc}: '{commandLine}': {string.Join("; ", errors)}");
    }

    /// <summary>The hfctl invocations inside fenced shell blocks (after `dotnet run … --`, pipes and comments cut).</summary>
    private static IEnumerable<string> CodeLines(string path)
    {
        var inShell = false;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inShell = !inShell && line is "```bash" or "```sh" or "```shell" or "```console";
                continue;
            }
            if (!inShell)
            {
                continue;
            }
            line = line.TrimStart('$', ' ');
            var hash = line.IndexOf(" #", StringComparison.Ordinal);
            if (hash >= 0)
            {
                line = line[..hash].TrimEnd();
            }
            foreach (var separator in new[] { " | ", " && ", " || ", "; " })
            {
                var cut = line.IndexOf(separator, StringComparison.Ordinal);
                if (cut >= 0)
                {
                    line = line[..cut];
                }
            }
            const string dotnetRun = "dotnet run --project src/HfCtl -- ";
            if (line.StartsWith(dotnetRun, StringComparison.Ordinal))
            {
                line = "hfctl " + line[dotnetRun.Length..];
            }
            // Usage synopses ("[--flag]", "a|b", "…", "<ARG>") and lines that need the shell's expansion are not literal command lines.
            var synopsis = line.Contains("[-", StringComparison.Ordinal) || line.Contains('|', StringComparison.Ordinal)
                || line.Contains('…', StringComparison.Ordinal) || line.Contains('<', StringComparison.Ordinal) || line.Contains('$', StringComparison.Ordinal);
            if (line.StartsWith("hfctl ", StringComparison.Ordinal) && !synopsis)
            {
                yield return line;
            }
        }
    }

    private static List<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        var any = false;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (any || current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
            }
        }
        if (any || current.Length > 0)
        {
            tokens.Add(current.ToString());
        }
        return tokens;
    }

}
