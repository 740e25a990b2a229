using System.CommandLine;
using HfHub;

namespace HfCtl.Cli;

/// <summary>The values of <c>--format</c> and <c>HFCTL_FORMAT</c>, as the official <c>hf</c> CLI names them.</summary>
public enum OutputFormat
{
    /// <summary><see cref="Agent"/> when an AI agent runs hfctl, else <see cref="Human"/>.</summary>
    Auto,
    /// <summary>Tables on a terminal, TSV when piped, prompts on a terminal, colour on a colour terminal.</summary>
    Human,
    /// <summary>For an AI agent: no colour, progress or prompt; TSV with a header; the 50-line rule everywhere.</summary>
    Agent,
    /// <summary>As <c>--json</c>.</summary>
    Json,
    /// <summary>As <c>-q</c>.</summary>
    Quiet,
}

/// <summary>
/// How <c>--format</c>, <c>HFCTL_FORMAT</c>, <c>--json</c> and <c>-q</c> combine. There are two
/// questions: what shape the result has (JSON, quiet, or text) and who reads it (a person or an agent).
/// <c>--json</c>/<c>--format json</c> and <c>-q</c>/<c>--format quiet</c> answer the first and can be given
/// together (JSON without progress lines, as before). <c>--format human|agent</c> answers the second;
/// otherwise it is detected (<see cref="AgentDetector"/>), so an agent that asks for <c>--json</c> is still
/// never prompted and still gets the exit-code line after an error. <c>--format</c> on the command line
/// beats <c>HFCTL_FORMAT</c>, which beats detection.
/// </summary>
public static class OutputFormats
{
    public const string Variable = "HFCTL_FORMAT";

    /// <summary>Parses a format name (any case); <paramref name="source"/> names where it came from, for the error.</summary>
    public static OutputFormat Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "auto" => OutputFormat.Auto,
            "human" => OutputFormat.Human,
            "agent" => OutputFormat.Agent,
            "json" => OutputFormat.Json,
            "quiet" => OutputFormat.Quiet,
            _ => throw new UsageException($"{source} must be one of auto, human, agent, json, quiet (not '{HfHub.DisplayText.Printable(text, 40)}')"),
        };
    }

    /// <summary>The format asked for: <c>--format</c>, else <c>HFCTL_FORMAT</c>, else auto.</summary>
    public static OutputFormat Requested(ParseResult parseResult, HfEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(environment);
        if (parseResult.GetValue(GlobalOptions.Format) is { } flag)
        {
            return Parse(flag, "--format");
        }
        return environment.Get(Variable) is { } variable ? Parse(variable, Variable) : OutputFormat.Auto;
    }

    /// <summary>
    /// Whether an agent reads this invocation's output, without any network (for errors found before a
    /// command runs): the format asked for if it is valid, else the standard variables and a cached registry.
    /// </summary>
    internal static bool AgentWithoutFetch(ParseResult parseResult, HfEnvironment environment, TimeProvider clock)
    {
        OutputFormat requested;
        try
        {
            requested = Requested(parseResult, environment);
        }
        catch (UsageException)
        {
            requested = OutputFormat.Auto;
        }
        return requested switch
        {
            OutputFormat.Agent => true,
            OutputFormat.Human => false,
            _ => new AgentDetector(environment, clock).DetectCachedOnly() is not null,
        };
    }
}
