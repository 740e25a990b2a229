using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Spaces;

/// <summary>What the Spaces runtime reads and writes of a Space's git content: its app file, and the copy a duplicate starts from.</summary>
internal sealed class SpaceRepoFiles(GitStore git, BlobStore blobs)
{
    /// <summary>A small text file of a Space at a commit (null when absent or stored in LFS).</summary>
    public byte[]? Read(Repo space, string commit, string path)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (git.GetEntry(space.Id, commit, path) is not { IsDirectory: false, Lfs: false, Sha256: { } sha } || !blobs.Exists(sha))
        {
            return null;
        }
        return File.ReadAllBytes(blobs.PathOf(sha));
    }

    /// <summary>Copies the main branch of one Space to a new one as its first commit (duplicate).</summary>
    public void Copy(Repo source, Repo copy, string author)
    {
        ArgumentNullException.ThrowIfNull(copy);
        if (MainFiles(git, source) is not { } files)
        {
            return;
        }
        AdoptLfs(git, copy, files);
        git.Commit(copy.Id, "refs/heads/main", null, null, files, author, $"Duplicate from {source.FullName}", "");
    }

    /// <summary>The files of a repo's main branch as they can be committed to another repo (null when it has no commit).</summary>
    public static List<GitFile>? MainFiles(GitStore git, Repo source)
    {
        ArgumentNullException.ThrowIfNull(git);
        ArgumentNullException.ThrowIfNull(source);
        if (git.ResolveRevision(source.Id, "main") is not { } head)
        {
            return null;
        }
        return [.. git.Files(source.Id, head).Values
            .Where(e => e.Sha256 is not null)
            .Select(e => new GitFile(e.Path, e.Oid, e.Size, e.Sha256!, e.Lfs))];
    }

    /// <summary>Lets <paramref name="target"/> serve the LFS objects among <paramref name="files"/> (copied from another repo).</summary>
    public static void AdoptLfs(GitStore git, Repo target, IEnumerable<GitFile> files)
    {
        ArgumentNullException.ThrowIfNull(git);
        ArgumentNullException.ThrowIfNull(target);
        foreach (var lfs in files.Where(f => f.Lfs))
        {
            git.AddLfsObject(target.Id, lfs.Sha256, lfs.Size);
        }
    }
}
