using System.Text;
using System.Text.RegularExpressions;

namespace HfHub.LocalHub.Store;

/// <summary>
/// Git's path patterns, as used by <c>.gitattributes</c> and <c>.gitignore</c>: a pattern without a
/// '/' matches the file name at any depth; with a '/' it is anchored at the repo root; <c>*</c> and
/// <c>?</c> stay within one path segment, <c>**</c> crosses segments. Negations and attribute
/// macros are not supported (they do not occur in the Hub's default files).
/// </summary>
internal sealed class GitPatterns
{
    private readonly List<Regex> _patterns;

    private GitPatterns(List<Regex> patterns) => _patterns = patterns;

    public static GitPatterns Empty { get; } = new([]);

    /// <summary>The LFS patterns of a <c>.gitattributes</c> file: lines whose attributes include <c>filter=lfs</c>.</summary>
    public static GitPatterns FromGitAttributes(string? text)
    {
        var result = new List<Regex>();
        foreach (var raw in Lines(text))
        {
            var parts = raw.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && parts.Skip(1).Contains("filter=lfs", StringComparer.Ordinal))
            {
                result.Add(Compile(parts[0]));
            }
        }
        return new GitPatterns(result);
    }

    /// <summary>The patterns of a <c>.gitignore</c> file (a trailing '/' matches a folder and everything in it).</summary>
    public static GitPatterns FromGitIgnore(string? text)
    {
        var result = new List<Regex>();
        foreach (var line in Lines(text))
        {
            if (line.StartsWith('!'))
            {
                continue;
            }
            if (line.EndsWith('/'))
            {
                result.Add(Compile(line.TrimEnd('/') + "/**"));
                continue;
            }
            result.Add(Compile(line));
            result.Add(Compile(line + "/**"));
        }
        return new GitPatterns(result);
    }

    public bool Matches(string path) => _patterns.Exists(p => p.IsMatch(path));

    /// <summary>Escapes a literal path for a <c>.gitattributes</c> line (spaces and glob characters).</summary>
    public static string Escape(string path)
    {
        var builder = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c is '*' or '?' or '[' or ']' or '\\' or '!' or '#')
            {
                builder.Append('\\');
            }
            if (c == ' ')
            {
                builder.Append("[[:space:]]");
                continue;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    private static IEnumerable<string> Lines(string? text) =>
        (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));

    private static Regex Compile(string pattern)
    {
        var anchored = pattern.Contains('/', StringComparison.Ordinal);
        pattern = pattern.TrimStart('/');
        var regex = new StringBuilder(anchored ? "^" : "^(?:.*/)?");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        i++;
                        regex.Append("(?:.*/)?");
                    }
                    else
                    {
                        regex.Append(".*");
                    }
                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '\\' when i + 1 < pattern.Length:
                    i++;
                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                case '[' when pattern.AsSpan(i).StartsWith("[[:space:]]"):
                    regex.Append("\\s");
                    i += "[[:space:]]".Length - 1;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        regex.Append('$');
        return new Regex(regex.ToString(), RegexOptions.CultureInvariant);
    }
}
