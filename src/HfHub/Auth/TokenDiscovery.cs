namespace HfHub.Auth;

/// <summary>Where a token was found.</summary>
public enum TokenSourceKind
{
    /// <summary>Given explicitly (an option or <c>--token</c>).</summary>
    Explicit,
    /// <summary>The <c>HF_TOKEN</c> environment variable.</summary>
    HfTokenVariable,
    /// <summary>The legacy <c>HUGGING_FACE_HUB_TOKEN</c> environment variable.</summary>
    LegacyVariable,
    /// <summary>The token file (<c>HF_TOKEN_PATH</c>, <c>$HF_HOME/token</c> or <c>~/.cache/huggingface/token</c>).</summary>
    TokenFile,
    /// <summary>Minted by the embedded local hub for its demo account.</summary>
    LocalHub,
}

/// <summary>A token and where it came from.</summary>
/// <param name="Token">The token.</param>
/// <param name="Kind">The kind of source.</param>
/// <param name="Location">The variable name or file path it was read from, for display.</param>
public sealed record DiscoveredToken(HfToken Token, TokenSourceKind Kind, string Location);

/// <summary>
/// Finds the token in the official order: <c>HF_TOKEN</c>, <c>HUGGING_FACE_HUB_TOKEN</c>, then the
/// token file (<c>HF_TOKEN_PATH</c>, else <c>$HF_HOME/token</c>, whose default is
/// <c>~/.cache/huggingface/token</c>). <c>HF_HUB_DISABLE_IMPLICIT_TOKEN</c> turns discovery off.
/// </summary>
public static class TokenDiscovery
{
    /// <summary>Looks for a token; null when there is none.</summary>
    public static DiscoveredToken? Discover(HfEnvironment? environment = null)
    {
        var env = environment ?? HfEnvironment.Process;
        if (env.IsTrue("HF_HUB_DISABLE_IMPLICIT_TOKEN"))
        {
            return null;
        }
        if (HfToken.FromValue(env.Get("HF_TOKEN")) is { } fromVariable)
        {
            return new DiscoveredToken(fromVariable, TokenSourceKind.HfTokenVariable, "HF_TOKEN");
        }
        if (HfToken.FromValue(env.Get("HUGGING_FACE_HUB_TOKEN")) is { } fromLegacy)
        {
            return new DiscoveredToken(fromLegacy, TokenSourceKind.LegacyVariable, "HUGGING_FACE_HUB_TOKEN");
        }
        var path = env.TokenPath;
        return ReadTokenFile(path) is { } fromFile
            ? new DiscoveredToken(fromFile, TokenSourceKind.TokenFile, path)
            : null;
    }

    /// <summary>Reads a token file; null when it is missing, unreadable or blank.</summary>
    public static HfToken? ReadTokenFile(string path)
    {
        try
        {
            return File.Exists(path) ? HfToken.FromValue(File.ReadAllText(path)) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
