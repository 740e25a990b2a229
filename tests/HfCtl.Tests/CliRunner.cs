using HfCtl.Cli;
using HfCtl.Testing;
using HfHub;

namespace HfCtl.Tests;

/// <summary>The captured result of one hfctl invocation.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>What the command wrote to stdout as bytes (a file sent to stdout), apart from <see cref="Stdout"/>'s text.</summary>
    public byte[] StdoutBytes { get; init; } = [];

    public string All => Stdout + Stderr;
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs hfctl in-process with captured stdout/stderr, a private HF_HOME and only the environment
/// variables the test gives, claiming to be a terminal or a pipe as asked. Every run is checked
/// against the suite's <see cref="SecretCanary"/>: a token or secret in stdout, stderr or a file
/// hfctl wrote under HF_HOME (other than the token stores) fails the test.
/// </summary>
public sealed class CliRunner : IDisposable
{
    /// <summary>A runner signed in to <paramref name="hub"/> with <paramref name="token"/>.</summary>
    public static CliRunner Against(LocalHubFixture hub, string token)
    {
        ArgumentNullException.ThrowIfNull(hub);
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        return cli;
    }

    public CliRunner()
    {
        HfHome = Directory.CreateTempSubdirectory("hfctl-test-home-").FullName;
        Variables["HF_HOME"] = HfHome;
        // The local hub answers in milliseconds: poll and drain logs fast (both documented settings).
        Variables["HFCTL_POLL_INTERVAL"] = "100ms";
        Variables["HFCTL_LOG_DRAIN"] = "1s";
    }

    public string HfHome { get; }

    /// <summary>The environment hfctl sees; nothing from the real process leaks in.</summary>
    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public bool Terminal { get; set; }

    /// <summary>The terminal's width in columns.</summary>
    public int Width { get; set; } = 160;

    /// <summary>Whether stdin claims to be a terminal (someone who can answer a prompt), apart from stdout.</summary>
    public bool InputTerminal { get; set; }

    public string Stdin { get; set; } = "";

    /// <summary>Stdin as bytes (for a file read from stdin); when null, the bytes of <see cref="Stdin"/> in UTF-8.</summary>
    public byte[]? StdinBytes { get; set; }

    /// <summary>Whether the console claims colour (a colour terminal with NO_COLOR unset).</summary>
    public bool Color { get; set; }

    public HfEnvironment Environment => new(name => Variables.GetValueOrDefault(name), HfHome);

    public async Task<CliResult> RunAsync(params string[] args) => await RunAsync(CancellationToken.None, args);

    public async Task<CliResult> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var binaryOut = new MemoryStream();
        var console = new CliConsole(stdout, stderr, new StringReader(Stdin), Terminal, isInputTerminal: InputTerminal, color: Color, width: Width)
        {
            OpenBinaryOutput = () => new NonClosingStream(binaryOut),
            OpenBinaryInput = () => new MemoryStream(StdinBytes ?? System.Text.Encoding.UTF8.GetBytes(Stdin), writable: false),
        };
        var code = await App.RunAsync(args, console, Environment, cancellationToken);
        var result = new CliResult(code, stdout.ToString(), stderr.ToString()) { StdoutBytes = binaryOut.ToArray() };
        CheckCanary(args, result);
        return result;
    }

    /// <summary>Files under HF_HOME that hold a token by design (the Python client's token stores).</summary>
    private static readonly string[] TokenStores = ["token", "stored_tokens"];

    private void CheckCanary(string[] args, CliResult result)
    {
        var command = "hfctl " + SecretCanary.Redact(string.Join(' ', args));
        SecretCanary.AssertNoLeak(result.Stdout, $"the stdout of '{command}'");
        SecretCanary.AssertNoLeak(result.Stderr, $"the stderr of '{command}'");
        if (!Directory.Exists(HfHome))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(HfHome, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(HfHome, file);
            // The embedded hub's database stores the tokens it issued, as the real Hub does; small text files only.
            if (TokenStores.Contains(relative) || relative.StartsWith(Path.Combine("hfctl", "local-hub"), StringComparison.Ordinal)
                || new FileInfo(file) is not { Length: < 1024 * 1024, LinkTarget: null })
            {
                continue;
            }
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue;
            }
            SecretCanary.AssertNoLeak(text, $"{relative} under HF_HOME after '{command}'");
        }
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

/// <summary>A view of a stream that the command may dispose without closing the stream under it (the runner reads it afterwards).</summary>
internal sealed class NonClosingStream(Stream inner) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
}
