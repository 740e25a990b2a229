using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HfHub.Files;
using HfHub.Repos;

namespace HfHub.Buckets;

/// <summary>A bucket id, <c>namespace/name</c>: both parts follow the repo-name rule, and a bucket always has a namespace.</summary>
public sealed record BucketId
{
    private BucketId(string ns, string name)
    {
        Namespace = ns;
        Name = name;
    }

    /// <summary>The user or organisation that owns the bucket.</summary>
    public string Namespace { get; }

    /// <summary>The bucket's name within its namespace.</summary>
    public string Name { get; }

    /// <summary>Parses <c>namespace/name</c>; throws <see cref="FormatException"/> with the reason otherwise.</summary>
    public static BucketId Parse(string text) =>
        TryParse(text, out var id, out var error) ? id : throw new FormatException(error);

    /// <summary>Parses <c>namespace/name</c>; on failure <paramref name="error"/> says why in one line.</summary>
    public static bool TryParse(string? text, out BucketId id, out string error)
    {
        id = null!;
        if (!RepoId.TryParse(text, out var repo, out error))
        {
            error = error.Replace("repo", "bucket", StringComparison.Ordinal);
            return false;
        }
        if (repo.Namespace is null)
        {
            error = $"invalid bucket id '{text}': expected namespace/name";
            return false;
        }
        id = new BucketId(repo.Namespace, repo.Name);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>
/// The rule for paths (object keys) in a bucket, as the Hub states it for its S3 gateway
/// (buckets.md §2): not empty, at most 1024 bytes of UTF-8, no leading or trailing '/', no empty,
/// '.' or '..' segment, no '\' or NUL. Checked before anything is sent, so a bad path never leaves
/// a batch half-applied.
/// </summary>
public static class BucketPaths
{
    /// <summary>The longest path, in UTF-8 bytes.</summary>
    public const int MaxBytes = 1024;

    /// <summary>Why <paramref name="path"/> is not a valid bucket path, or null when it is.</summary>
    public static string? Problem(string? path) =>
        string.IsNullOrEmpty(path) ? "the path is empty"
        : Encoding.UTF8.GetByteCount(path) > MaxBytes ? $"the path is longer than {MaxBytes} bytes"
        : path.Contains('\0', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal) ? "the path contains a backslash or a NUL character"
        : path.StartsWith('/') || path.EndsWith('/') || path.Contains("//", StringComparison.Ordinal) ? "the path starts or ends with '/' or has an empty segment"
        : path.Split('/').Any(s => s is "." or "..") ? "the path has a '.' or '..' segment"
        : null;

    internal static string Checked(string path) =>
        Problem(path) is { } problem ? throw new ArgumentException($"invalid bucket path '{path}': {problem}", nameof(path)) : path;
}

/// <summary>A bucket's region: <see cref="Us"/> or <see cref="Eu"/>, chosen at creation; other values the Hub may add are kept.</summary>
public readonly record struct BucketRegion(string Value)
{
    public static BucketRegion Us { get; } = new("us");

    public static BucketRegion Eu { get; } = new("eu");

    /// <inheritdoc/>
    public override string ToString() => Value;
}

/// <summary>What <see cref="BucketsClient.CreateAsync"/> does beyond the id.</summary>
public sealed record CreateBucketOptions
{
    /// <summary>Private unless set to false: a bucket typically holds a Space's data, which is not for everyone.</summary>
    public bool Private { get; init; } = true;

    /// <summary>Where the bytes live; the Hub's default when null.</summary>
    public BucketRegion? Region { get; init; }

    /// <summary>When true, an existing bucket is not an error (the Hub's 409 is answered with its URL).</summary>
    public bool ExistOk { get; init; }
}

/// <summary>The URL of a created (or, with <c>ExistOk</c>, existing) bucket.</summary>
public sealed record BucketUrl(Uri Url, BucketId Id, bool Created);

/// <summary>A bucket as the Hub describes it. Extra fields the Hub adds are ignored.</summary>
public sealed record BucketInfo(string Id, bool Private, DateTimeOffset CreatedAt, long Size, long TotalFiles)
{
    /// <summary><see cref="Id"/> as a <see cref="BucketId"/>.</summary>
    public BucketId BucketId => BucketId.Parse(Id);
}

/// <summary>The kind of a tree entry: <see cref="File"/> or <see cref="Directory"/>; others the Hub may add are kept.</summary>
[JsonConverter(typeof(BucketEntryTypeConverter))]
public readonly record struct BucketEntryType(string Value)
{
    public static BucketEntryType File { get; } = new("file");

    public static BucketEntryType Directory { get; } = new("directory");

    /// <inheritdoc/>
    public override string ToString() => Value;
}

internal sealed class BucketEntryTypeConverter : JsonConverter<BucketEntryType>
{
    public override BucketEntryType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetString() ?? "");

    public override void Write(Utf8JsonWriter writer, BucketEntryType value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}

/// <summary>
/// A file or folder of a bucket. Files have a <see cref="Size"/> and a <see cref="XetHash"/> (the
/// handle a server-side copy uses) and, when the writer gave one, <see cref="Mtime"/>.
/// </summary>
public sealed record BucketEntry(BucketEntryType Type, string Path, long Size, string? XetHash, DateTimeOffset? Mtime, DateTimeOffset? UploadedAt)
{
    /// <summary>True for a file, false for a folder.</summary>
    public bool IsFile => Type == BucketEntryType.File;
}

/// <summary>What <c>resolve</c> says of a bucket file: its size, Xet hash, type and where to get a Xet read token.</summary>
public sealed record BucketFileMetadata(string Path, long Size, string? XetHash, string? ContentType, DateTimeOffset? LastModified, Uri? XetTokenUrl);

/// <summary>One operation of a batch: add (upload) a file, copy one by Xet hash, or delete one.</summary>
public abstract record BucketOperation(string Path);

/// <summary>
/// Uploads <see cref="Content"/> (through Xet) to <see cref="BucketOperation.Path"/>, replacing what was there.
/// <see cref="Mtime"/> defaults to the local file's modification time (now for other content),
/// <see cref="ContentType"/> to a guess from the path's extension.
/// </summary>
public sealed record BucketAddFile(string Path, ContentSource Content, DateTimeOffset? Mtime = null, string? ContentType = null) : BucketOperation(Path);

/// <summary>Copies a Xet file into <see cref="BucketOperation.Path"/> on the server: no bytes move. The caller must be able to read the source.</summary>
public sealed record BucketCopyFile(string Path, string XetHash, BucketCopySource Source) : BucketOperation(Path);

/// <summary>Deletes <see cref="BucketOperation.Path"/>, at once and for good (a path that is not there counts as deleted).</summary>
public sealed record BucketDeleteFile(string Path) : BucketOperation(Path);

/// <summary>Where a copy comes from: a repo of any type or a bucket (<c>sourceRepoType</c> and <c>sourceRepoId</c> on the wire).</summary>
public sealed record BucketCopySource(string Kind, string Id)
{
    public static BucketCopySource FromBucket(BucketId bucket) => new("bucket", (bucket ?? throw new ArgumentNullException(nameof(bucket))).ToString());

    public static BucketCopySource FromRepo(RepoId repo, RepoType type = RepoType.Model) => new(type.Name(), (repo ?? throw new ArgumentNullException(nameof(repo))).ToString());
}

/// <summary>What happens around a batch.</summary>
public sealed record BucketBatchOptions
{
    /// <summary>Per-file progress of the uploads.</summary>
    public IProgress<TransferProgress>? Progress { get; init; }
}

/// <summary>A path the Hub refused in a batch, and why.</summary>
public sealed record BucketBatchFailure(string Path, string Error);

/// <summary>
/// What a batch did: the paths that landed, the ones the Hub refused (with its reason), and the ones
/// whose fate is unknown or that were never sent because a call failed as a whole. Batches are not
/// transactional: a failure leaves the others applied.
/// </summary>
public sealed record BucketBatchResult(IReadOnlyList<string> Succeeded, IReadOnlyList<BucketBatchFailure> Failed, IReadOnlyList<string> NotApplied)
{
    /// <summary>True when every operation landed.</summary>
    public bool Success => Failed.Count == 0 && NotApplied.Count == 0;
}
