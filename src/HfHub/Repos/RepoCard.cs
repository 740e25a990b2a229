using System.Text.RegularExpressions;

namespace HfHub.Repos;

/// <summary>
/// A repo's card: its <c>README.md</c>, split as <c>huggingface_hub</c>'s <c>RepoCard</c> splits it into
/// the YAML front matter (between the leading <c>---</c> lines) and the text after it.
/// </summary>
public sealed partial record RepoCard
{
    /// <summary>The whole README, front matter included.</summary>
    public required string Content { get; init; }

    /// <summary>The YAML between the <c>---</c> lines, unparsed; null when the README has no front matter.</summary>
    public string? FrontMatter { get; init; }

    /// <summary>The README without its front matter (all of it when it has none).</summary>
    public required string Text { get; init; }

    /// <summary>Splits a README: front matter is a <c>---</c> line (after blank lines at most) up to the next <c>---</c> line.</summary>
    public static RepoCard Parse(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var match = FrontMatterPattern().Match(content);
        return match.Success
            ? new RepoCard { Content = content, FrontMatter = match.Groups["yaml"].Value, Text = content[match.Length..] }
            : new RepoCard { Content = content, Text = content };
    }

    [GeneratedRegex(@"\A\s*---[\r\n]+(?<yaml>[\s\S]*?)[\r\n]+---(\r\n|\n|\z)")]
    private static partial Regex FrontMatterPattern();
}
