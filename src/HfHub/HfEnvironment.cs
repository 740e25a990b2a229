namespace HfHub;

/// <summary>
/// The environment the client reads its defaults from: variables and the home folder.
/// Tests pass their own; everything else uses <see cref="Process"/>.
/// </summary>
public sealed class HfEnvironment
{
    private readonly Func<string, string?> _getVariable;

    /// <summary>Creates an environment from a variable lookup and a home folder.</summary>
    public HfEnvironment(Func<string, string?> getVariable, string homeDirectory)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        _getVariable = getVariable;
        HomeDirectory = homeDirectory;
    }

    /// <summary>The current process's environment.</summary>
    public static HfEnvironment Process { get; } = new(
        Environment.GetEnvironmentVariable,
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>The user's home folder.</summary>
    public string HomeDirectory { get; }

    /// <summary>A variable's value, or null when it is unset or empty.</summary>
    public string? Get(string name)
    {
        var value = _getVariable(name);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>True when the variable is one of 1, ON, YES, TRUE (any case), as the official clients read booleans.</summary>
    public bool IsTrue(string name) =>
        Get(name)?.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";

    /// <summary><c>$HF_HOME</c>, else <c>$XDG_CACHE_HOME/huggingface</c>, else <c>~/.cache/huggingface</c>.</summary>
    public string HfHome =>
        ExpandHome(Get("HF_HOME"))
        ?? (Get("XDG_CACHE_HOME") is { } xdg
            ? Path.Combine(ExpandHome(xdg)!, "huggingface")
            : Path.Combine(HomeDirectory, ".cache", "huggingface"));

    /// <summary><c>$HF_TOKEN_PATH</c>, else <c>$HF_HOME/token</c>.</summary>
    public string TokenPath => ExpandHome(Get("HF_TOKEN_PATH")) ?? Path.Combine(HfHome, "token");

    /// <summary>The stored-tokens INI file beside the token file, as the Python client keeps it.</summary>
    public string StoredTokensPath => Path.Combine(Path.GetDirectoryName(TokenPath) ?? HfHome, "stored_tokens");

    /// <summary><c>$HF_HUB_CACHE</c> (or the legacy <c>HUGGINGFACE_HUB_CACHE</c>), else <c>$HF_HOME/hub</c>.</summary>
    public string HubCache =>
        ExpandHome(Get("HF_HUB_CACHE")) ?? ExpandHome(Get("HUGGINGFACE_HUB_CACHE")) ?? Path.Combine(HfHome, "hub");

    private string? ExpandHome(string? path)
    {
        if (path is null)
        {
            return null;
        }
        if (path == "~")
        {
            return HomeDirectory;
        }
        return path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(HomeDirectory, path[2..]) : path;
    }
}
