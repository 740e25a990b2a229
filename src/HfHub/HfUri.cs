using System.Text.RegularExpressions;
using HfHub.Repos;

namespace HfHub;

/// <summary>What an <c>hf://</c> URI points at: a repository of one of the three kinds, or a bucket.</summary>
public enum HfUriKind
{
    Model,
    Dataset,
    Space,
    Bucket,
}

/// <summary>
/// A location on the Hub written as <c>hf://[TYPE/]ID[@REVISION][/PATH]</c>, the one parser of
/// such URIs in hfctl (Space volumes, and bucket paths such as <c>hf://buckets/ns/b/dir</c>).
/// <list type="bullet">
/// <item><c>TYPE</c> is <c>models</c>, <c>datasets</c>, <c>spaces</c> or <c>buckets</c>; without it the id is a model's
/// (<c>hf://ns/model/file.txt</c>). Singular prefixes (<c>dataset/</c>) are refused with a hint, as by the Python client.</item>
/// <item><c>ID</c> is <c>namespace/name</c>, checked by the repository id rule (<see cref="RepoId"/>) for buckets too.</item>
/// <item><c>@REVISION</c> (repositories only) ends at the next <c>/</c>, except the refs <c>refs/pr/N</c> and
/// <c>refs/convert/NAME</c>, which are taken whole; a <c>/</c> elsewhere in a revision is written <c>%2F</c>.
/// An <c>@</c> after the id's two segments belongs to the path (<c>hf://ns/m/file@1.txt</c>).</item>
/// <item><c>PATH</c> is a path inside the repository or bucket; one trailing <c>/</c> is dropped; empty
/// segments, <c>.</c> and <c>..</c> are refused.</item>
/// </list>
/// Every refusal is an <see cref="ArgumentException"/> with a one-line message that quotes the input.
/// The grammar and the revision rule follow huggingface_hub's <c>utils/_hf_uris.py</c>; its web-URL
/// forms (<c>https://huggingface.co/…</c>) are not accepted here.
/// </summary>
public sealed partial record HfUri
{
    /// <summary>The scheme prefix.</summary>
    public const string Scheme = "hf://";

    /// <summary>The longest URI (or mount specification) accepted, in characters.</summary>
    public const int MaxLength = 2048;

    private HfUri(HfUriKind kind, string id, string? revision, string path)
    {
        Kind = kind;
        Id = id;
        Revision = revision;
        Path = path;
    }

    /// <summary>A model, dataset, Space or bucket.</summary>
    public HfUriKind Kind { get; }

    /// <summary>True for <c>hf://buckets/…</c>.</summary>
    public bool IsBucket => Kind == HfUriKind.Bucket;

    /// <summary>The repository type, or null for a bucket.</summary>
    public RepoType? RepoType => Kind switch
    {
        HfUriKind.Model => Repos.RepoType.Model,
        HfUriKind.Dataset => Repos.RepoType.Dataset,
        HfUriKind.Space => Repos.RepoType.Space,
        _ => null,
    };

    /// <summary>The repository or bucket id, <c>namespace/name</c>.</summary>
    public string Id { get; }

    /// <summary>The revision after <c>@</c>, URL-decoded; null when none was given (always for buckets).</summary>
    public string? Revision { get; }

    /// <summary>The path inside the repository or bucket, without leading or trailing <c>/</c>; empty for the root.</summary>
    public string Path { get; }

    /// <summary>Parses a URI; throws <see cref="ArgumentException"/> with a one-line reason.</summary>
    public static HfUri Parse(string text) =>
        TryParse(text, out var uri, out var error) ? uri : throw new ArgumentException(error);

    /// <summary>Parses a URI.</summary>
    public static bool TryParse(string? text, out HfUri uri, out string error)
    {
        uri = null!;
        error = CheckText(text, "URI");
        if (error.Length > 0)
        {
            return false;
        }
        if (!text!.StartsWith(Scheme, StringComparison.Ordinal))
        {
            error = Invalid(text, $"it must start with '{Scheme}' (hf://[TYPE/]ID[@REVISION][/PATH])");
            return false;
        }
        return TryParseBody(text, text[Scheme.Length..], out uri, out error);
    }

    /// <summary>
    /// Builds a URI from its parts with the same checks as <see cref="Parse"/> (for instance from a
    /// volume the Hub returned); <paramref name="path"/> may be empty.
    /// </summary>
    public static HfUri Create(HfUriKind kind, string id, string? revision = null, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        var uri = new HfUri(kind, id, revision, path ?? "");
        var text = uri.ToString();
        return Check(text, uri) is { Length: > 0 } error ? throw new ArgumentException(error) : uri;
    }

    /// <summary>The canonical form: the type prefix always written (<c>hf://models/ns/m</c>).</summary>
    public override string ToString()
    {
        var text = Scheme + Prefix(Kind) + "/" + Id;
        if (Revision is not null)
        {
            // '%' and '/' are encoded so that the text parses back to the same revision; the two
            // special refs are kept verbatim because the parser takes them whole.
            text += "@" + (SpecialRef().Match(Revision) is { Success: true } m && m.Length == Revision.Length
                ? Revision
                : Revision.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal));
        }
        return Path.Length == 0 ? text : text + "/" + Path;
    }

    /// <summary>The plural type prefix of a kind: <c>models</c>, <c>datasets</c>, <c>spaces</c>, <c>buckets</c>.</summary>
    public static string Prefix(HfUriKind kind) => kind switch
    {
        HfUriKind.Dataset => "datasets",
        HfUriKind.Space => "spaces",
        HfUriKind.Bucket => "buckets",
        _ => "models",
    };

    /// <summary>The empty string for text that can be parsed, else the reason it cannot (shared with <see cref="HfMount"/>).</summary>
    internal static string CheckText(string? text, string what)
    {
        if (string.IsNullOrEmpty(text))
        {
            return $"hf:// {what} cannot be empty";
        }
        if (text.Length > MaxLength)
        {
            return $"invalid hf:// {what} '{DisplayText.Printable(text, 60)}': it is too long ({text.Length} characters; at most {MaxLength})";
        }
        if (text.Any(c => char.IsControl(c) || c == '\\'))
        {
            return Invalid(text, "control characters and '\\' are not allowed");
        }
        return "";
    }

    internal static string Invalid(string text, string reason) => $"invalid hf:// URI '{DisplayText.Printable(text)}': {reason}";

    /// <summary>Parses what follows <c>hf://</c>; <paramref name="raw"/> is what the messages quote.</summary>
    internal static bool TryParseBody(string raw, string body, out HfUri uri, out string error)
    {
        uri = null!;
        if (body.Length == 0)
        {
            error = Invalid(raw, "nothing after 'hf://'");
            return false;
        }
        var slash = body.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? body : body[..slash];
        HfUriKind kind;
        string location;
        switch (first)
        {
            case "models" or "datasets" or "spaces" or "buckets":
                if (slash < 0 || slash == body.Length - 1)
                {
                    error = Invalid(raw, $"an id must follow '{first}/' (hf://{first}/namespace/name)");
                    return false;
                }
                kind = first switch { "datasets" => HfUriKind.Dataset, "spaces" => HfUriKind.Space, "buckets" => HfUriKind.Bucket, _ => HfUriKind.Model };
                location = body[(slash + 1)..];
                break;
            case "model" or "dataset" or "space" or "bucket" when slash >= 0:
                error = Invalid(raw, $"the type must be plural: did you mean '{first}s/'?");
                return false;
            case "kernels" when slash >= 0:
                error = Invalid(raw, "unknown type 'kernels': use models, datasets, spaces or buckets");
                return false;
            default:
                kind = HfUriKind.Model;
                location = body;
                break;
        }
        if (location.EndsWith('/'))
        {
            location = location[..^1];
        }
        string id, path;
        string? revision = null;
        var at = location.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0 && location[..at].Count(c => c == '/') <= 1)
        {
            if (kind == HfUriKind.Bucket)
            {
                error = Invalid(raw, "buckets have no revisions: remove '@…'");
                return false;
            }
            id = location[..at];
            var rest = location[(at + 1)..];
            var special = SpecialRef().Match(rest);
            var end = special.Success ? special.Length : rest.IndexOf('/', StringComparison.Ordinal);
            revision = Uri.UnescapeDataString(end < 0 ? rest : rest[..end]);
            path = end < 0 || end == rest.Length ? "" : rest[end..].StartsWith('/') ? rest[(end + 1)..] : rest[end..];
            if (revision.Length == 0)
            {
                error = Invalid(raw, "the revision after '@' is empty");
                return false;
            }
        }
        else
        {
            var parts = location.Split('/', 3);
            id = parts.Length >= 2 ? parts[0] + "/" + parts[1] : location;
            path = parts.Length == 3 ? parts[2] : "";
        }
        uri = new HfUri(kind, id, revision, path);
        error = Check(raw, uri);
        if (error.Length > 0)
        {
            uri = null!;
            return false;
        }
        return true;
    }

    /// <summary>The empty string for a well-formed URI, else why it is not.</summary>
    private static string Check(string raw, HfUri uri)
    {
        var what = uri.IsBucket ? "bucket" : "repository";
        if (uri.Id.Count(c => c == '/') != 1 || uri.Id.StartsWith('/') || uri.Id.EndsWith('/'))
        {
            return Invalid(raw, $"the {what} id must be 'namespace/name'");
        }
        if (!RepoId.TryParse(uri.Id, out _, out var idError))
        {
            return Invalid(raw, idError.Replace("repo id", $"{what} id", StringComparison.Ordinal));
        }
        if (uri.Revision is { } revision)
        {
            if (uri.IsBucket)
            {
                return Invalid(raw, "buckets have no revisions: remove '@…'");
            }
            if (revision.Length == 0 || revision.Contains("..", StringComparison.Ordinal) || revision.Any(char.IsControl))
            {
                return Invalid(raw, $"invalid revision '{DisplayText.Printable(revision)}'");
            }
        }
        return PathError(uri.Path, "path") is { } pathError ? Invalid(raw, pathError) : "";
    }

    /// <summary>Why a relative path is refused (empty segments, '.', '..', control characters), or null.</summary>
    internal static string? PathError(string path, string what)
    {
        if (path.Length == 0)
        {
            return null;
        }
        if (path.Any(c => char.IsControl(c) || c == '\\'))
        {
            return $"the {what} contains control characters or '\\'";
        }
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return $"the {what} '{DisplayText.Printable(path)}' has an empty segment ('//', or a '/' at the start or end)";
            }
            if (segment is "." or "..")
            {
                return $"the {what} '{DisplayText.Printable(path)}' contains '{segment}': traversal is not allowed";
            }
        }
        return null;
    }

    // As huggingface_hub's _SPECIAL_REFS_REVISION_REGEX (with ASCII word characters).
    [GeneratedRegex(@"^refs/(?:convert/[A-Za-z0-9_.\-]+|pr/[0-9]+)")]
    private static partial Regex SpecialRef();
}
