using System.Text.Json.Serialization;

namespace HfCtl.Commands.Buckets;

/// <summary><c>buckets create --json</c>.</summary>
public sealed record BucketCreatedView(string Id, string Url, string Uri, bool Created);

/// <summary><c>buckets info --json</c> and a row of <c>buckets list</c>.</summary>
public sealed record BucketView(string Id, bool Private, long Size, long TotalFiles, DateTimeOffset CreatedAt);

/// <summary><c>buckets delete --json</c>.</summary>
public sealed record BucketDeletedView(string Id, bool Deleted);

/// <summary>A row of <c>buckets ls</c>.</summary>
public sealed record BucketEntryView(string Path, string Type, long Size, string? XetHash, DateTimeOffset? Mtime);

/// <summary>One step of <c>buckets cp</c>, <c>rm</c> or <c>sync</c>: what was (or, with --dry-run, would be) done to which path.</summary>
public sealed record BucketActionView(string Action, string Path, long Size);

/// <summary>A path a batch did not land, and why.</summary>
public sealed record BucketFailureView(string Path, string Error);

/// <summary><c>buckets cp|rm|sync --json</c>: the steps, and the ones that failed.</summary>
public sealed record BucketTransferView(string Source, string Destination, bool DryRun, IReadOnlyList<BucketActionView> Actions, IReadOnlyList<BucketFailureView> Failed);

/// <summary>Source-generated JSON for the bucket commands.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BucketCreatedView))]
[JsonSerializable(typeof(BucketView))]
[JsonSerializable(typeof(List<BucketView>))]
[JsonSerializable(typeof(BucketDeletedView))]
[JsonSerializable(typeof(List<BucketEntryView>))]
[JsonSerializable(typeof(BucketTransferView))]
internal sealed partial class BucketsCliJsonContext : JsonSerializerContext;
