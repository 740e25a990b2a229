namespace HfHub.Persistence;

/// <summary>
/// The few dataset operations persistence needs, so the save/restore logic is independent of
/// transport details. <see cref="HubPersistRemote"/> implements it over <see cref="HubClient"/>.
/// </summary>
internal interface IPersistRemote
{
    /// <summary>The dataset, <c>namespace/name</c>.</summary>
    string Dataset { get; }

    /// <summary>The dataset at a revision (resolved commit and visibility), or null when the dataset does not exist.</summary>
    Task<RemoteRepo?> GetAsync(string revision, CancellationToken cancellationToken);

    /// <summary>
    /// A file at a revision in one request (<c>HEAD …/resolve/{revision}/{path}</c>): the commit the
    /// revision is at and the file's size with its SHA-256 (LFS) or git blob id. Null when the dataset
    /// or the file does not exist; a missing revision throws <see cref="Http.HubNotFoundException"/> (RevisionNotFound).
    /// </summary>
    Task<RemoteHead?> HeadAsync(string revision, string path, CancellationToken cancellationToken);

    /// <summary>Creates the dataset, private. A dataset that appeared meanwhile is not an error.</summary>
    Task CreatePrivateAsync(CancellationToken cancellationToken);

    /// <summary>The given paths at a revision; missing paths are left out.</summary>
    Task<IReadOnlyDictionary<string, RemoteFile>> PathsInfoAsync(string revision, IReadOnlyList<string> paths, CancellationToken cancellationToken);

    /// <summary>Streams a file at a revision into <paramref name="destination"/>.</summary>
    Task DownloadAsync(string path, string revision, Stream destination, CancellationToken cancellationToken);

    /// <summary>
    /// Downloads <paramref name="file"/> as of <paramref name="commit"/> to a new local file, without
    /// asking for its metadata again. Returns the hash the bytes were verified against on the way (its
    /// SHA-256 or git blob id), or null when they were not; a mismatch throws
    /// <see cref="Http.HubContentMismatchException"/> and leaves no file.
    /// </summary>
    Task<string?> DownloadToFileAsync(RemoteFile file, string commit, string destination, CancellationToken cancellationToken);

    /// <summary>One commit on the branch, refused (412 → <see cref="Http.HubConflictException"/>) when the head moved past <paramref name="parentCommit"/>.</summary>
    /// <remarks><paramref name="beforeCommit"/>, when given, runs after the uploads and before the commit; a throw stops the commit.</remarks>
    Task<string> CommitAsync(string branch, string message, string parentCommit, IReadOnlyList<RemoteUpload> uploads, IReadOnlyList<string> deletions, CancellationToken cancellationToken, Func<CancellationToken, Task>? beforeCommit = null);

    /// <summary>Commits of a revision, newest first.</summary>
    IAsyncEnumerable<RemoteCommit> CommitsAsync(string revision, CancellationToken cancellationToken);

    /// <summary>Squashes the branch's history into one commit.</summary>
    Task SuperSquashAsync(string branch, string message, CancellationToken cancellationToken);
}

/// <summary>The dataset at a revision.</summary>
internal sealed record RemoteRepo(string Sha, bool Private);

/// <summary>
/// A file in the dataset: size, git oid, and the SHA-256 when it is stored in LFS. The oid is null when
/// only the content's hash is known (a HEAD on an LFS file tells its SHA-256, not the pointer's oid).
/// </summary>
internal sealed record RemoteFile(string Path, long Size, string? Oid, string? LfsSha256);

/// <summary>A file at a revision and the commit that revision resolved to.</summary>
internal sealed record RemoteHead(string Commit, RemoteFile File);

/// <summary>A commit in the dataset's history.</summary>
internal sealed record RemoteCommit(string Id, string Title, DateTimeOffset? Date);

/// <summary>A file to add in a commit: from a local file (with its hashes when already known) or from bytes.</summary>
internal sealed record RemoteUpload(string Path, string? LocalFile, byte[]? Content, Files.ContentDigest? Digest = null);
