using System.CommandLine;

namespace HfCtl.Cli;

/// <summary>The options every command accepts, like <c>gh</c>'s and <c>hf</c>'s.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Access token to use (prefer HF_TOKEN or 'hfctl auth login': arguments are visible to other processes)",
        Recursive = true,
    };

    public static readonly Option<string?> Endpoint = new("--endpoint")
    {
        Description = "Hub URL (default: HF_ENDPOINT, else https://huggingface.co; 'local' for the embedded local hub)",
        Recursive = true,
    };

    public static readonly Option<bool> Local = new("--local")
    {
        Description = "Run against the embedded local hub (no token, no network; state in $HF_HOME/hfctl/local-hub)",
        Recursive = true,
    };

    public static readonly Option<string?> Json = new("--json")
    {
        Description = "Print JSON; optionally only the given comma-separated fields (e.g. --json name,stage)",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static readonly Option<string?> Format = new("--format")
    {
        Description = "auto (default: agent when an AI agent runs hfctl, else human), human, agent, json or quiet; HFCTL_FORMAT sets a default",
        Recursive = true,
        HelpName = "auto|human|agent|json|quiet",
    };

    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "Print only results and errors: no progress, no confirmations",
        Recursive = true,
    };

    public static readonly Option<bool> All = new("--all")
    {
        Description = "Show every line of long listings instead of the first 50 and a summary",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Trace HTTP requests to stderr (token masked) and show stack traces of errors",
        Recursive = true,
    };

    public static IEnumerable<Option> Each => [Token, Endpoint, Local, Json, Format, Quiet, All, Verbose];
}
