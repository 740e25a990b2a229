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
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(copy);
        if (git.ResolveRevision(source.Id, "main") is not { } head)
        {
            return;
        }
        var files = git.Files(source.Id, head).Values
            .Where(e => e.Sha256 is not null)
            .Select(e => new GitFile(e.Path, e.Oid, e.Size, e.Sha256!, e.Lfs))
            .ToList();
        foreach (var lfs in files.Where(f => f.Lfs))
        {
            git.AddLfsObject(copy.Id, lfs.Sha256, lfs.Size);
        }
        git.Commit(copy.Id, "refs/heads/main", null, null, files, author, $"Duplicate from {source.FullName}", "");
    }
}
