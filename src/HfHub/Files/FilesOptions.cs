using HfHub.Repos;

namespace HfHub.Files;

/// <summary>Options shared by commits and uploads.</summary>
public record CommitOptions
{
    /// <summary>The repo's type.</summary>
    public RepoType Type { get; init; } = RepoType.Model;

    /// <summary>The branch to commit to; default <c>main</c>.</summary>
    public string? Revision { get; init; }

    /// <summary>Opens a pull request instead of committing to the branch.</summary>
    public bool CreatePullRequest { get; init; }

    /// <summary>Files hashed and uploaded at the same time.</summary>
    public int MaxParallelFiles { get; init; } = 4;

    /// <summary>Parts of one multipart upload sent at the same time.</summary>
    public int MaxParallelParts { get; init; } = 8;

    /// <summary>Receives per-file progress (hashing, uploading, completed).</summary>
    public IProgress<TransferProgress>? Progress { get; init; }

    internal string Branch => string.IsNullOrEmpty(Revision) ? "main" : Revision;

    /// <summary>
    /// Awaited after the file contents are uploaded and before the commit is made; a throw stops
    /// the commit (uploaded objects stay unreferenced, the branch is untouched). Use it for a check
    /// that may run while the upload does, e.g. verifying a snapshot's integrity, and that must
    /// pass before anything becomes visible on the branch.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeCommit { get; init; }
}

/// <summary>Options for <see cref="FilesClient.UploadFileAsync(HfHub.Repos.RepoId, string, string?, UploadOptions?, CancellationToken)"/>.</summary>
public record UploadOptions : CommitOptions
{
    /// <summary>The commit title; default <c>Upload {path} with hfctl</c>.</summary>
    public string? CommitMessage { get; init; }

    /// <summary>The commit description.</summary>
    public string? CommitDescription { get; init; }

    /// <summary>The commit the branch must still be at (412 conflict otherwise).</summary>
    public string? ParentCommit { get; init; }
}

/// <summary>Options for <see cref="FilesClient.UploadFolderAsync"/>.</summary>
public sealed record UploadFolderOptions : UploadOptions
{
    /// <summary>fnmatch patterns of files to upload (relative to the folder); all when empty.</summary>
    public IReadOnlyList<string>? Include { get; init; }

    /// <summary>fnmatch patterns of files to leave out.</summary>
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>
    /// When set, the change set is split into commits of at most this many files (each resumable:
    /// a re-run skips what is already there). Default null: one commit, all or nothing, as
    /// <c>hf upload</c> and the JS client do; the Hub sets no limit of files per commit
    /// (hub-docs storage-limits.md, "Number of operations per commit").
    /// </summary>
    public int? MaxFilesPerCommit { get; init; }
}

/// <summary>Options for downloads.</summary>
public record DownloadOptions
{
    /// <summary>The repo's type.</summary>
    public RepoType Type { get; init; } = RepoType.Model;

    /// <summary>A branch, tag or commit; default <c>main</c>.</summary>
    public string? Revision { get; init; }

    /// <summary>The cache root; default <c>$HF_HUB_CACHE</c>, else <c>$HF_HOME/hub</c>.</summary>
    public string? CacheDir { get; init; }

    /// <summary>Download into this folder as plain files instead of the cache.</summary>
    public string? LocalDir { get; init; }

    /// <summary>Download again even when the file is already there.</summary>
    public bool Force { get; init; }

    /// <summary>Receives per-file progress.</summary>
    public IProgress<TransferProgress>? Progress { get; init; }

    internal string RevisionOrMain => string.IsNullOrEmpty(Revision) ? "main" : Revision;
}

/// <summary>Options for <see cref="FilesClient.SnapshotDownloadAsync"/>.</summary>
public sealed record SnapshotOptions : DownloadOptions
{
    /// <summary>fnmatch patterns of files to download; all when empty.</summary>
    public IReadOnlyList<string>? Include { get; init; }

    /// <summary>fnmatch patterns of files to skip.</summary>
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>Files downloaded at the same time.</summary>
    public int MaxWorkers { get; init; } = 8;
}

/// <summary>The outcome of a snapshot download.</summary>
/// <param name="Folder">The snapshot folder (or the local dir).</param>
/// <param name="CommitHash">The commit that was downloaded.</param>
/// <param name="Files">The repo paths downloaded (or already present).</param>
public sealed record SnapshotResult(string Folder, string CommitHash, IReadOnlyList<string> Files);

/// <summary>The outcome of a folder upload.</summary>
/// <param name="Commits">The commits made, in order (empty when nothing had changed).</param>
/// <param name="FilesUploaded">Files that were new or changed.</param>
/// <param name="FilesUnchanged">Files skipped because the repo already had the same content.</param>
/// <param name="Head">The branch head afterwards.</param>
public sealed record UploadFolderResult(IReadOnlyList<CommitResult> Commits, int FilesUploaded, int FilesUnchanged, string Head);
