using System.Text.RegularExpressions;

namespace HfHub.Repos;

/// <summary>The three kinds of repository on the Hub.</summary>
public enum RepoType
{
    Model,
    Dataset,
    Space,
}

/// <summary>Helpers for <see cref="RepoType"/>: URL segments and parsing.</summary>
public static class RepoTypes
{
    /// <summary>The API path segment: <c>models</c>, <c>datasets</c>, <c>spaces</c>.</summary>
    public static string ApiSegment(this RepoType type) => type switch
    {
        RepoType.Dataset => "datasets",
        RepoType.Space => "spaces",
        _ => "models",
    };

    /// <summary>The singular name used in request bodies: <c>model</c>, <c>dataset</c>, <c>space</c>.</summary>
    public static string Name(this RepoType type) => type switch
    {
        RepoType.Dataset => "dataset",
        RepoType.Space => "space",
        _ => "model",
    };

    /// <summary>The prefix of web and file URLs: empty for models, <c>datasets/</c> or <c>spaces/</c> otherwise.</summary>
    public static string UrlPrefix(this RepoType type) => type == RepoType.Model ? "" : type.ApiSegment() + "/";

    /// <summary>Parses <c>model</c>, <c>dataset</c>, <c>space</c> (singular or plural, any case).</summary>
    public static bool TryParse(string? text, out RepoType type)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "model" or "models":
                type = RepoType.Model;
                return true;
            case "dataset" or "datasets":
                type = RepoType.Dataset;
                return true;
            case "space" or "spaces":
                type = RepoType.Space;
                return true;
            default:
                type = RepoType.Model;
                return false;
        }
    }
}

/// <summary>
/// A repository id, <c>namespace/name</c> or a bare <c>name</c>, validated by the official rule:
/// at most one '/', name of 1–96 characters from letters, digits, '_', '-', '.', not starting or
/// ending with '-' or '.', no '--' or '..', not ending in '.git'.
/// </summary>
public sealed partial record RepoId
{
    private RepoId(string? ns, string name)
    {
        Namespace = ns;
        Name = name;
    }

    /// <summary>The user or organisation, or null for a legacy bare id.</summary>
    public string? Namespace { get; }

    /// <summary>The repository's name.</summary>
    public string Name { get; }

    /// <summary>Parses and validates an id; throws <see cref="ArgumentException"/> with a one-line reason.</summary>
    public static RepoId Parse(string text) =>
        TryParse(text, out var id, out var error) ? id : throw new ArgumentException(error);

    /// <summary>Parses and validates an id.</summary>
    public static bool TryParse(string? text, out RepoId id, out string error)
    {
        id = null!;
        if (string.IsNullOrEmpty(text))
        {
            error = "repo id cannot be empty";
            return false;
        }
        if (text.Count(c => c == '/') > 1)
        {
            error = $"invalid repo id '{DisplayText.Printable(text)}': use 'namespace/name' (at most one '/')";
            return false;
        }
        if (!Shape().IsMatch(text))
        {
            error = $"invalid repo id '{DisplayText.Printable(text)}': use letters, digits, '-', '_' and '.' (1–96 characters, not starting or ending with '-' or '.')";
            return false;
        }
        if (text.Contains("--", StringComparison.Ordinal) || text.Contains("..", StringComparison.Ordinal))
        {
            error = $"invalid repo id '{DisplayText.Printable(text)}': '--' and '..' are not allowed";
            return false;
        }
        if (text.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            error = $"invalid repo id '{DisplayText.Printable(text)}': it cannot end with '.git'";
            return false;
        }
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        id = slash < 0 ? new RepoId(null, text) : new RepoId(text[..slash], text[(slash + 1)..]);
        error = "";
        return true;
    }

    /// <summary><c>namespace/name</c>, or the bare name.</summary>
    public override string ToString() => Namespace is null ? Name : $"{Namespace}/{Name}";

    // ASCII \w on purpose: the Hub's own names are ASCII; Python's Unicode \w is looser than intended.
    // Each part starts and ends with a word character, as the official \b…\b pattern requires.
    // \z, not $: $ also matches before a trailing newline, which let "name\n" through.
    [GeneratedRegex(@"^([A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_])?/)?[A-Za-z0-9_]([A-Za-z0-9_.\-]{0,94}[A-Za-z0-9_])?\z")]
    private static partial Regex Shape();
}
