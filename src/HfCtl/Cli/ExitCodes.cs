namespace HfCtl.Cli;

/// <summary>
/// hfctl's documented exit codes (README "Exit codes"). Scripts and agents branch on these.
/// </summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>Any other failure (the message says which).</summary>
    public const int Error = 1;
    /// <summary>Bad usage: unknown flag, malformed argument or id.</summary>
    public const int Usage = 2;
    /// <summary>The Hub (or the URL under test) could not be reached: DNS, connection, TLS, timeout.</summary>
    public const int Network = 3;
    /// <summary>Authentication: no token, or an invalid, expired or revoked one.</summary>
    public const int Auth = 4;
    /// <summary>Not found: the repo, revision, file or Space does not exist (or is private to someone else).</summary>
    public const int NotFound = 5;
    /// <summary>Forbidden: the token is valid but may not do this (e.g. a read token writing).</summary>
    public const int Forbidden = 6;
    /// <summary>Conflict: the thing exists already, or someone else changed it first.</summary>
    public const int Conflict = 7;
    /// <summary>Interrupted by Ctrl-C or SIGTERM.</summary>
    public const int Interrupted = 130;

    /// <summary>What an exit code means, in the words of the README's table (agents read it after an error).</summary>
    public static string Meaning(int code) => code switch
    {
        Ok => "success",
        Error => "failed",
        Usage => "bad usage",
        Network => "network unreachable",
        Auth => "authentication failed",
        NotFound => "not found",
        Forbidden => "forbidden",
        Conflict => "conflict",
        Commands.Spaces.SpaceExitCodes.Failed => "the Space ended in an error stage",
        Commands.Spaces.SpaceExitCodes.Timeout => "timed out waiting",
        Commands.Spaces.SpaceExitCodes.NotRunning => "the Space is paused or sleeping",
        Interrupted => "interrupted",
        _ => "failed",
    };
}
