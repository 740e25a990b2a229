using System.Text.RegularExpressions;

namespace HfHub.LocalHub.Spaces;

/// <summary>A Space's secrets and variables: their two kinds and the Hub's rule for their keys.</summary>
internal static partial class SpaceSettings
{
    public const string SecretKind = "secret";
    public const string VariableKind = "variable";

    [GeneratedRegex("^[a-zA-Z][_a-zA-Z0-9]*\\z")]
    public static partial Regex KeyRule();

    /// <summary>The 400 message for a bad secret or variable key, or null.</summary>
    public static string? KeyError(string? key, string kind) =>
        key is null || !KeyRule().IsMatch(key)
            ? $"Invalid {kind} key '{key}': it must start with a letter and contain only letters, digits and '_' (^[a-zA-Z][_a-zA-Z0-9]*$)"
            : null;
}

/// <summary>The two logs a Space keeps: its last build and its running app.</summary>
internal static class SpaceLogs
{
    public const string Build = "build";
    public const string Run = "run";
}
