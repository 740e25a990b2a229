namespace HfCtl.Cli;

/// <summary>
/// The one IO abstraction every command writes through. It knows whether stdout, stderr and stdin are terminals,
/// so commands print tables to people and TSV to pipes, and tests can claim either.
/// </summary>
public sealed class CliConsole
{
    // isErrorTerminal: whether stderr is a terminal (progress bars go there); by default as stdout, for consoles a test builds.
    public CliConsole(TextWriter output, TextWriter error, TextReader input, bool isOutputTerminal, bool isInputTerminal, bool color, int width, bool? isErrorTerminal = null)
    {
        IsErrorTerminal = isErrorTerminal ?? isOutputTerminal;
        Out = output;
        Err = error;
        In = input;
        IsOutputTerminal = isOutputTerminal;
        IsInputTerminal = isInputTerminal;
        Color = color;
        Width = width;
    }

    public TextWriter Out { get; }
    public TextWriter Err { get; }
    public TextReader In { get; }
    public bool IsOutputTerminal { get; }
    public bool IsInputTerminal { get; }
    public bool IsErrorTerminal { get; }
    /// <summary>False when NO_COLOR is set or stdout is not a terminal.</summary>
    public bool Color { get; }
    public int Width { get; }

    /// <summary>
    /// Where long operations (transfers, waits) report progress when something other than a terminal
    /// shows it: <c>hfctl mcp</c> turns these reports into progress notifications. Null on the console.
    /// </summary>
    public IProgress<CliProgress>? ProgressSink { get; init; }

    /// <summary>
    /// Stdout as bytes, for a file sent to stdout (<c>buckets cp … -</c>): the bytes bypass the text
    /// writer (and agent mode's line cap). Null where no byte stream exists (an MCP tool call).
    /// </summary>
    public Func<Stream>? OpenBinaryOutput { get; init; }

    /// <summary>Stdin as bytes, for a file read from stdin (<c>buckets cp - …</c>); null where no byte stream exists.</summary>
    public Func<Stream>? OpenBinaryInput { get; init; }

    /// <summary>
    /// The console as a command sees it in agent mode: the same streams, but no terminal anywhere (so no
    /// tables, progress bars, prompts or human-sized numbers) and no colour. <paramref name="output"/>
    /// replaces stdout (the agent mode's line cap).
    /// </summary>
    public CliConsole ForAgent(TextWriter output) =>
        new(output, Err, In, isOutputTerminal: false, isInputTerminal: false, color: false, Width, isErrorTerminal: false)
        {
            ProgressSink = ProgressSink,
            OpenBinaryOutput = OpenBinaryOutput,
            OpenBinaryInput = OpenBinaryInput,
        };

    /// <summary>The real console: terminal detection from the OS, <c>NO_COLOR</c> honoured.</summary>
    public static CliConsole System()
    {
        var outTerminal = !Console.IsOutputRedirected;
        int width;
        try
        {
            width = outTerminal ? Math.Max(Console.WindowWidth, 40) : 200;
        }
        catch (IOException)
        {
            width = 120;
        }
        var color = outTerminal && Environment.GetEnvironmentVariable("NO_COLOR") is null or "";
        return new CliConsole(Console.Out, Console.Error, Console.In, outTerminal, !Console.IsInputRedirected, color, width, !Console.IsErrorRedirected)
        {
            OpenBinaryOutput = Console.OpenStandardOutput,
            OpenBinaryInput = Console.OpenStandardInput,
        };
    }
}

/// <summary>One progress report of a long operation: how far (in its own unit), of how much if known, and what it is doing.</summary>
public readonly record struct CliProgress(double Done, double? Total, string Message);
