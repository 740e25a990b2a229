using HfHub.Repos;

namespace HfHub.Files;

/// <summary>
/// The Python client's cache layout, shared with it: under the cache root, one folder per repo
/// (<c>models--org--name</c>) holding <c>blobs/&lt;etag&gt;</c>, <c>snapshots/&lt;commit&gt;/&lt;path&gt;</c>
/// (relative symlinks to blobs) and <c>refs/&lt;revision&gt;</c> (the commit, no newline).
/// </summary>
public sealed class HubCacheLayout
{
    /// <summary>A layout rooted at <paramref name="root"/> (e.g. <c>$HF_HOME/hub</c>).</summary>
    public HubCacheLayout(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The cache root.</summary>
    public string Root { get; }

    /// <summary><c>models--org--name</c>, <c>datasets--org--name</c>, <c>spaces--org--name</c> (<c>models--gpt2</c> without a namespace).</summary>
    public static string RepoFolderName(RepoId repo, RepoType type)
    {
        ArgumentNullException.ThrowIfNull(repo);
        return string.Join("--", [type.ApiSegment(), .. repo.ToString().Split('/')]);
    }

    /// <summary>The repo's folder in the cache.</summary>
    public string RepoFolder(RepoId repo, RepoType type) => Path.Combine(Root, RepoFolderName(repo, type));

    /// <summary>Where a blob lives.</summary>
    public string BlobPath(RepoId repo, RepoType type, string etag) => Path.Combine(RepoFolder(repo, type), "blobs", CheckEtag(etag));

    /// <summary>
    /// Whether a cache entry (a blob or a snapshot file) is there to be read: a regular file, or a chain of links whose
    /// end still exists. A link into the shared blob store whose payload was collected is not, and is fetched again.
    /// </summary>
    public static bool EntryExists(string path)
    {
        var blob = new FileInfo(path);
        if (blob.LinkTarget is null)
        {
            return blob.Exists;
        }
        try
        {
            return blob.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true };
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The snapshot folder of a commit.</summary>
    public string SnapshotFolder(RepoId repo, RepoType type, string commit) => Path.Combine(RepoFolder(repo, type), "snapshots", CheckCommit(commit));

    /// <summary>The snapshot entry of a file at a commit (refusing paths that escape the snapshot).</summary>
    public string SnapshotPath(RepoId repo, RepoType type, string commit, string pathInRepo) =>
        RepoPath.SafeJoin(SnapshotFolder(repo, type, commit), pathInRepo);

    /// <summary>The file naming the commit a revision points to (<c>refs/pr/1</c> → <c>refs/refs/pr/1</c>).</summary>
    public string RefPath(RepoId repo, RepoType type, string revision) =>
        RepoPath.SafeJoin(Path.Combine(RepoFolder(repo, type), "refs"), revision);

    /// <summary>The lock file guarding a blob's download.</summary>
    public string LockPath(RepoId repo, RepoType type, string etag) =>
        Path.Combine(Root, ".locks", RepoFolderName(repo, type), CheckEtag(etag) + ".lock");

    /// <summary>The commit a cached revision points to, or null.</summary>
    public string? ReadRef(RepoId repo, RepoType type, string revision)
    {
        if (IsCommitHash(revision))
        {
            return revision;
        }
        var path = RefPath(repo, type, revision);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    /// <summary>Records that a revision points to a commit (atomically, no trailing newline).</summary>
    public void WriteRef(RepoId repo, RepoType type, string revision, string commit)
    {
        if (revision == commit)
        {
            return;
        }
        var path = RefPath(repo, type, revision);
        if (File.Exists(path) && File.ReadAllText(path).Trim() == commit)
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, commit);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Points a snapshot entry at a blob with a relative symlink (copying where links are unsupported).</summary>
    public static void LinkSnapshot(string blobPath, string snapshotPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(snapshotPath)!);
        var relative = Path.GetRelativePath(Path.GetDirectoryName(snapshotPath)!, blobPath);
        var existing = new FileInfo(snapshotPath);
        if (existing.LinkTarget == relative)
        {
            return;
        }
        if (existing.Exists || existing.LinkTarget is not null)
        {
            existing.Delete();
        }
        try
        {
            File.CreateSymbolicLink(snapshotPath, relative);
        }
        catch (IOException)
        {
            File.Copy(blobPath, snapshotPath, overwrite: true);
        }
        catch (UnauthorizedAccessException)
        {
            File.Copy(blobPath, snapshotPath, overwrite: true);
        }
    }

    /// <summary>True for a full 40-hex commit id.</summary>
    public static bool IsCommitHash(string? revision) =>
        revision is { Length: 40 } && revision.All(char.IsAsciiHexDigitLower);

    private static string CheckEtag(string etag)
    {
        if (string.IsNullOrEmpty(etag) || !etag.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new HfHub.Http.HubException($"the Hub sent an unusable file id '{etag}'");
        }
        return etag;
    }

    private static string CheckCommit(string commit)
    {
        if (string.IsNullOrEmpty(commit) || !commit.All(char.IsAsciiLetterOrDigit))
        {
            throw new HfHub.Http.HubException($"the Hub sent an unusable commit id '{commit}'");
        }
        return commit;
    }
}
