using System.Text.RegularExpressions;

namespace HfHub.LocalHub.Store;

/// <summary>
/// The Hub's repo-name rule (the one the official clients validate with): 1–96 characters from
/// letters, digits, '_', '-', '.', starting and ending with a letter, digit or '_', no '--' or
/// '..', not ending in '.git'.
/// </summary>
internal static partial class RepoNames
{
    public static bool IsValid(string? name) =>
        name is { Length: >= 1 and <= 96 } && Shape().IsMatch(name)
        && !name.Contains("--", StringComparison.Ordinal) && !name.Contains("..", StringComparison.Ordinal)
        && !name.EndsWith(".git", StringComparison.OrdinalIgnoreCase);

    // \z, not $: $ also matches before a trailing newline.
    [GeneratedRegex("^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?\\z")]
    private static partial Regex Shape();

    /// <summary>
    /// A path inside a repo is acceptable: relative, no empty, '.' or '..' segments, no '.git'
    /// segment (git cannot store one), no NUL, at most 1000 characters. A backslash is an ordinary
    /// character of a git path, as on the Hub (which stores <c>folder/..\..\file</c>; clients guard
    /// against traversal when they write files to disk).
    /// </summary>
    public static bool IsValidPath(string? path) =>
        path is { Length: > 0 and <= 1000 } && !path.StartsWith('/') && !path.Contains('\0', StringComparison.Ordinal)
        && path.Split('/').All(s => s.Length > 0 && s != "." && s != ".." && s != ".git");

    /// <summary>A path with a '.' or '..' segment, which the Hub refuses with 422 rather than 400.</summary>
    public static bool HasDotSegment(string? path) => path is not null && path.Split('/').Any(s => s is "." or "..");
}
