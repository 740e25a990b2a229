using System.Text;
using System.Text.RegularExpressions;

namespace HfHub.Files;

/// <summary>
/// Include/exclude patterns with the Python client's semantics (<c>filter_repo_objects</c>):
/// shell globs matched against the whole '/'-separated path with <c>fnmatch</c>, where <c>*</c>
/// also crosses '/', and a pattern ending in '/' means everything under that folder. A path is
/// kept when it matches some include pattern (or none are given) and no exclude pattern.
/// Hand-written on purpose: Microsoft.Extensions.FileSystemGlobbing stops <c>*</c> at '/', so
/// <c>--include "*.bin"</c> would mean something different from <c>hf upload</c>.
/// </summary>
public sealed class PathFilter
{
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;

    public PathFilter(IEnumerable<string>? include, IEnumerable<string>? exclude)
    {
        _include = [.. (include ?? []).Where(p => !string.IsNullOrEmpty(p)).Select(Compile)];
        _exclude = [.. (exclude ?? []).Where(p => !string.IsNullOrEmpty(p)).Select(Compile)];
    }

    /// <summary>A filter that keeps everything.</summary>
    public static PathFilter All { get; } = new(null, null);

    /// <summary>True when the path passes the filter.</summary>
    public bool IsMatch(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (_include.Length > 0 && !Array.Exists(_include, r => r.IsMatch(path)))
        {
            return false;
        }
        return !Array.Exists(_exclude, r => r.IsMatch(path));
    }

    /// <summary>Translates an fnmatch pattern (<c>*</c>, <c>?</c>, <c>[seq]</c>, <c>[!seq]</c>) to an anchored regex.</summary>
    internal static Regex Compile(string pattern)
    {
        if (pattern.EndsWith('/'))
        {
            pattern += "*";
        }
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 2 <= pattern.Length ? i + 2 : i + 1);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }
                    var set = pattern[(i + 1)..close];
                    regex.Append('[');
                    if (set.StartsWith('!'))
                    {
                        regex.Append('^');
                        set = set[1..];
                    }
                    regex.Append(set.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("^", @"\^", StringComparison.Ordinal));
                    regex.Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        regex.Append('$');
        return new Regex(regex.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }
}
