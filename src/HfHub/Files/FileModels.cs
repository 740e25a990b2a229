using System.Text.Json;
using System.Text.Json.Serialization;

namespace HfHub.Files;

/// <summary>The outcome of a commit.</summary>
/// <param name="CommitOid">The new commit, or the unchanged head when nothing had changed.</param>
/// <param name="CommitUrl">Its web URL (empty when no commit was made).</param>
/// <param name="PullRequestUrl">The pull request, when one was opened.</param>
/// <param name="Committed">False when every change was a no-op and no commit was sent.</param>
/// <param name="FilesAdded">Files uploaded in this commit.</param>
/// <param name="FilesUnchanged">Added files skipped because the repo already had the same content.</param>
public sealed record CommitResult(string CommitOid, string CommitUrl, string? PullRequestUrl, bool Committed, int FilesAdded, int FilesUnchanged);

/// <summary>An entry of a repo tree (<c>GET …/tree/{rev}</c>) or of <c>paths-info</c>.</summary>
public sealed record RepoTreeEntry
{
    /// <summary><c>file</c> or <c>directory</c>.</summary>
    public string Type { get; init; } = "file";

    /// <summary>The git object id (of the LFS pointer, for LFS files).</summary>
    public string Oid { get; init; } = "";

    public long Size { get; init; }

    public string Path { get; init; } = "";

    /// <summary>For LFS files: the content's SHA-256 and size.</summary>
    public TreeLfs? Lfs { get; init; }

    public string? XetHash { get; init; }

    /// <summary>With <c>expand</c>: the last commit that touched the path.</summary>
    public LastCommit? LastCommit { get; init; }

    /// <summary>True for files (not folders).</summary>
    [JsonIgnore]
    public bool IsFile => Type == "file";
}

/// <summary>The LFS object behind a tree entry.</summary>
public sealed record TreeLfs(string Oid, long Size, long? PointerSize = null);

/// <summary>The last commit of a path.</summary>
public sealed record LastCommit(string Id, string? Title, DateTimeOffset? Date);

/// <summary>A commit of a repo's history (<c>GET …/commits/{rev}</c>).</summary>
public sealed record CommitInfo
{
    public string Id { get; init; } = "";
    public string Title { get; init; } = "";
    public string? Message { get; init; }
    public IReadOnlyList<CommitAuthor> Authors { get; init; } = [];
    public DateTimeOffset? Date { get; init; }
}

/// <summary>An author of a commit.</summary>
public sealed record CommitAuthor(string? User, string? Avatar = null);

/// <summary>What a <c>resolve</c> HEAD says about a file.</summary>
/// <param name="CommitHash">The commit the revision resolved to (<c>X-Repo-Commit</c>).</param>
/// <param name="Etag">SHA-256 for LFS files, git blob id for regular files.</param>
/// <param name="Size">The real size in bytes.</param>
/// <param name="Location">Where the bytes are when the Hub redirects (LFS), else null.</param>
public sealed record FileMetadata(string CommitHash, string Etag, long Size, Uri? Location)
{
    /// <summary>True when the etag is a SHA-256 (an LFS file).</summary>
    public bool IsLfs => Etag.Length == 64;

    /// <summary>The file's Xet hash (<c>X-Xet-Hash</c>) when the Hub stores it in Xet, else null.</summary>
    public string? XetHash { get; init; }

    /// <summary>Where to get a Xet read token for the file (the <c>xet-auth</c> link), else null.</summary>
    public Uri? XetTokenUrl { get; init; }
}

internal sealed record PreuploadFile(string Path, string Sample, long Size);

internal sealed record PreuploadRequest(IReadOnlyList<PreuploadFile> Files);

internal sealed record PreuploadAnswer(string Path, string? UploadMode, bool ShouldIgnore, string? Oid);

internal sealed record PreuploadResponse(IReadOnlyList<PreuploadAnswer>? Files, string? CommitOid);

internal sealed record LfsObject(string Oid, long Size);

internal sealed record LfsRef(string Name);

internal sealed record LfsBatchRequest(
    string Operation,
    IReadOnlyList<string> Transfers,
    IReadOnlyList<LfsObject> Objects,
    [property: JsonPropertyName("hash_algo")] string HashAlgo,
    LfsRef? Ref);

internal sealed record LfsAction(string? Href, Dictionary<string, JsonElement>? Header);

internal sealed record LfsActions(LfsAction? Upload, LfsAction? Verify);

internal sealed record LfsError(int Code, string? Message);

internal sealed record LfsBatchObject(string Oid, long Size, LfsActions? Actions, LfsError? Error);

internal sealed record LfsBatchResponse(string? Transfer, IReadOnlyList<LfsBatchObject>? Objects);

internal sealed record LfsPart(int PartNumber, string Etag);

internal sealed record LfsCompletion(string Oid, IReadOnlyList<LfsPart> Parts);

internal sealed record CommitResponse(string? CommitOid, string? CommitUrl, string? PullRequestUrl, string? HookOutput);

internal sealed record PathsInfoRequest(IReadOnlyList<string> Paths, bool Expand);

/// <summary>Source-generated JSON for file payloads.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(PreuploadRequest))]
[JsonSerializable(typeof(PreuploadResponse))]
[JsonSerializable(typeof(LfsBatchRequest))]
[JsonSerializable(typeof(LfsBatchResponse))]
[JsonSerializable(typeof(LfsCompletion))]
[JsonSerializable(typeof(LfsObject))]
[JsonSerializable(typeof(CommitResponse))]
[JsonSerializable(typeof(PathsInfoRequest))]
[JsonSerializable(typeof(List<RepoTreeEntry>))]
[JsonSerializable(typeof(List<CommitInfo>))]
[JsonSerializable(typeof(SuperSquashRequest))]
internal sealed partial class FilesJsonContext : JsonSerializerContext;

/// <summary>The body of <c>POST …/super-squash/{branch}</c>.</summary>
internal sealed record SuperSquashRequest(string Message);
