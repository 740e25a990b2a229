using System.Text.Json.Serialization;
using HfHub.Files;

namespace HfCtl.Commands.Repo;

/// <summary><c>repo create --json</c>.</summary>
public sealed record RepoCreatedView(string Id, string Type, string Url, bool Created);

/// <summary><c>repo delete --json</c>.</summary>
public sealed record RepoDeletedView(string Id, string Type, bool Deleted);

/// <summary><c>repo info --json</c>.</summary>
public sealed record RepoInfoView(string Id, string Type, bool Private, string? Sha, string? Author, string? Sdk, DateTimeOffset? LastModified, DateTimeOffset? CreatedAt, IReadOnlyList<string> Files);

/// <summary>A row of <c>repo list</c>.</summary>
public sealed record RepoListItem(string Id, string Type, bool Private, DateTimeOffset? LastModified);

/// <summary>A row of <c>repo files</c>.</summary>
public sealed record RepoFileItem(string Path, string Type, long Size, string Oid, string? LfsSha256);

/// <summary><c>upload --json</c>.</summary>
public sealed record UploadView(string Repo, string Type, bool Committed, string Commit, string? CommitUrl, int FilesUploaded, int FilesUnchanged, IReadOnlyList<string> Commits);

/// <summary><c>download --json</c>.</summary>
public sealed record DownloadView(string Repo, string Type, string Path, string? Commit, IReadOnlyList<string> Files);

/// <summary>Source-generated JSON for the repo, upload and download commands.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RepoCreatedView))]
[JsonSerializable(typeof(RepoDeletedView))]
[JsonSerializable(typeof(RepoInfoView))]
[JsonSerializable(typeof(List<RepoListItem>))]
[JsonSerializable(typeof(List<RepoFileItem>))]
[JsonSerializable(typeof(UploadView))]
[JsonSerializable(typeof(DownloadView))]
[JsonSerializable(typeof(TransferProgress))]
internal sealed partial class FilesCliJsonContext : JsonSerializerContext;
