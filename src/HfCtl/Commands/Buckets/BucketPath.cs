using HfCtl.Cli;
using HfHub;
using HfHub.Buckets;
using HfHub.Repos;

namespace HfCtl.Commands.Buckets;

/// <summary>
/// Where a bucket command points: <c>hf://buckets/ns/b[/path]</c> (buckets take no <c>@revision</c>),
/// <c>hf://datasets/ns/d/path</c>, <c>hf://spaces/…</c>, <c>hf://models/…</c> or <c>hf://ns/m/path</c>
/// (repo sources of a server-side copy), or a local path. <see cref="HfUri"/> parses the grammar; this
/// adds the object-key rules and folder semantics of bucket commands. Bad ids and paths are usage errors (exit 2).
/// </summary>
internal sealed record BucketPath(string Kind, string Id, string Path)
{
    private const string Scheme = "hf://";

    public bool IsBucket => Kind == "bucket";

    public BucketId Bucket => BucketId.Parse(Id);

    public static bool IsRemote(string text) => text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses an <c>hf://</c> location; <paramref name="requireBucket"/> refuses repo locations.</summary>
    public static BucketPath Parse(string text, bool requireBucket = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsRemote(text))
        {
            throw new UsageException($"'{text}' is not a bucket location: expected hf://buckets/namespace/name[/path]");
        }
        // The grammar is HfUri's, the one hf:// parser; what buckets add is the object-key rules and folders.
        if (!HfUri.TryParse(text, out var uri, out var error))
        {
            throw new UsageException(error);
        }
        var kind = uri.Kind switch { HfUriKind.Bucket => "bucket", HfUriKind.Dataset => "dataset", HfUriKind.Space => "space", _ => "model" };
        if (requireBucket && !uri.IsBucket)
        {
            throw new UsageException($"'{text}' is not a bucket: expected hf://buckets/namespace/name[/path]");
        }
        if (uri.Revision is not null)
        {
            throw new UsageException($"'{text}': a revision is not supported here");
        }
        if (!RepoId.TryParse(uri.Id, out _, out var idError))
        {
            throw new UsageException(idError);
        }
        if (uri.Path.Length > 0 && BucketPaths.Problem(uri.Path) is { } problem)
        {
            throw new UsageException($"invalid path in '{text}': {problem}");
        }
        return new BucketPath(kind, uri.Id, uri.Path) { IsFolder = text.EndsWith('/') || uri.Path.Length == 0 };
    }

    /// <summary>Parses a bucket id: <c>ns/name</c> or <c>hf://buckets/ns/name</c>, nothing after the name.</summary>
    public static BucketId ParseId(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsRemote(text))
        {
            var location = Parse(text);
            if (location.Path.Length > 0)
            {
                throw new UsageException($"'{text}' names a path in a bucket: expected only the bucket");
            }
            return location.Bucket;
        }
        return BucketId.TryParse(text, out var id, out var error) ? id : throw new UsageException(error);
    }

    /// <summary>True when the location ended with '/' or is the bucket's root: a folder, not a file.</summary>
    public bool IsFolder { get; init; }

    /// <summary>Joins a relative path under this location (the root when empty).</summary>
    public string Under(string relative) => Path.Length == 0 ? relative : $"{Path}/{relative}";

    public override string ToString() => $"{Scheme}{(IsBucket ? "buckets/" : Kind == "model" ? "" : Kind + "s/")}{Id}{(Path.Length > 0 ? "/" + Path : "")}";
}
