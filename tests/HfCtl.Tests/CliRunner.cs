using HfCtl.Cli;
using HfHub;

namespace HfCtl.Tests;

/// <summary>The captured result of one hfctl invocation.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string All => Stdout + Stderr;
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs hfctl in-process with captured stdout/stderr, a private HF_HOME and only the environment
/// variables the test gives, claiming to be a terminal or a pipe as asked.
/// </summary>
public sealed class CliRunner : IDisposable
{
    public CliRunner()
    {
        HfHome = Directory.CreateTempSubdirectory("hfctl-test-home-").FullName;
        Variables["HF_HOME"] = HfHome;
    }

    public string HfHome { get; }

    /// <summary>The environment hfctl sees; nothing from the real process leaks in.</summary>
    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public bool Terminal { get; set; }

    public string Stdin { get; set; } = "";

    public HfEnvironment Environment => new(name => Variables.GetValueOrDefault(name), HfHome);

    public async Task<CliResult> RunAsync(params string[] args) => await RunAsync(CancellationToken.None, args);

    public async Task<CliResult> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, new StringReader(Stdin), Terminal, isInputTerminal: false, color: false, width: 160);
        var code = await App.RunAsync(args, console, Environment, cancellationToken);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(HfHome, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
