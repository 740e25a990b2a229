using System.Text.Json;
using System.Text.Json.Serialization;

namespace HfHub.Repos;

/// <summary>A repository as the Hub describes it (<c>GET /api/{type}s/{id}</c> and listings).</summary>
public sealed record RepoInfo
{
    /// <summary><c>namespace/name</c>.</summary>
    public string Id { get; init; } = "";

    /// <summary>The Hub's internal object id.</summary>
    [JsonPropertyName("_id")]
    public string? InternalId { get; init; }

    /// <summary>The commit the requested revision resolved to.</summary>
    public string? Sha { get; init; }

    public string? Author { get; init; }

    public bool Private { get; init; }

    public bool? Disabled { get; init; }

    /// <summary><c>false</c>, <c>"auto"</c> or <c>"manual"</c>, kept as the Hub sent it.</summary>
    public JsonElement? Gated { get; init; }

    public DateTimeOffset? LastModified { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public long? Likes { get; init; }

    public long? Downloads { get; init; }

    /// <summary>The Space SDK (<c>gradio</c>, <c>docker</c>, <c>static</c>…); null for models and datasets.</summary>
    public string? Sdk { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>The files at that revision; sizes and ids only when asked with <c>blobs</c>.</summary>
    public IReadOnlyList<RepoSibling>? Siblings { get; init; }

    /// <summary>The repo's type; filled in by the client, not sent by the Hub.</summary>
    [JsonIgnore]
    public RepoType Type { get; init; }
}

/// <summary>A file listed in <see cref="RepoInfo.Siblings"/>.</summary>
public sealed record RepoSibling(string Rfilename, long? Size = null, string? BlobId = null, SiblingLfs? Lfs = null);

/// <summary>The LFS part of a sibling (note: <c>sha256</c> here, <c>oid</c> in trees).</summary>
public sealed record SiblingLfs(string Sha256, long Size, long? PointerSize = null);

/// <summary>The repo a create call made or found.</summary>
/// <param name="Url">Its web URL, as the Hub sent it.</param>
/// <param name="Repo">Its id.</param>
/// <param name="Type">Its type.</param>
/// <param name="Created">False when it existed already (<c>exist_ok</c>).</param>
public sealed record RepoUrl(string Url, RepoId Repo, RepoType Type, bool Created);

/// <summary>Options for <see cref="RepoClient.CreateAsync"/>.</summary>
public sealed record CreateRepoOptions
{
    public RepoType Type { get; init; } = RepoType.Model;

    /// <summary>Private repos are visible only to their owner (and org members).</summary>
    public bool? Private { get; init; }

    /// <summary>The Space SDK; required by the Hub for Spaces (default <c>gradio</c>... set it explicitly).</summary>
    public string? SpaceSdk { get; init; }

    /// <summary>When true, an existing repo is not an error.</summary>
    public bool ExistOk { get; init; }
}

/// <summary>A branch, tag or other git ref.</summary>
public sealed record GitRef(string Name, string Ref, string TargetCommit);

/// <summary>The refs of a repo (<c>GET /api/{type}s/{id}/refs</c>).</summary>
public sealed record GitRefs
{
    public IReadOnlyList<GitRef> Branches { get; init; } = [];
    public IReadOnlyList<GitRef> Tags { get; init; } = [];
    public IReadOnlyList<GitRef> Converts { get; init; } = [];
    public IReadOnlyList<GitRef>? PullRequests { get; init; }
}

internal sealed record CreateRepoRequest(string Name, string? Organization, string? Type, bool? Private, string? Sdk);

internal sealed record DeleteRepoRequest(string Name, string? Organization, string? Type);

internal sealed record RepoSettingsRequest(bool? Private);

internal sealed record CreateBranchRequest(string? StartingPoint);

internal sealed record CreateRepoResponse(string? Url, string? Name, string? Id);
