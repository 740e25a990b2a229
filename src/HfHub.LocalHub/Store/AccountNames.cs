using System.Text.RegularExpressions;

namespace HfHub.LocalHub.Store;

/// <summary>The Hub's user-name rule: 2–42 letters, digits or single hyphens, not all digits, not an ObjectId.</summary>
internal static partial class AccountNames
{
    public static bool IsValid([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? name) =>
        name is { Length: >= 2 and <= 42 } && Shape().IsMatch(name) && !AllDigits().IsMatch(name) && !ObjectId().IsMatch(name);

    [GeneratedRegex("^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*\\z")]
    private static partial Regex Shape();

    [GeneratedRegex("^[0-9]+\\z")]
    private static partial Regex AllDigits();

    [GeneratedRegex("^[0-9a-fA-F]{24}\\z")]
    private static partial Regex ObjectId();
}
