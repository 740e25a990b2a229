using CsCheck;
using HfHub.Files;
using HfHub.Http;
using HfHub.Repos;

namespace HfHub.Tests.Fuzz;

/// <summary>
/// The cache path builder (the Python cache layout) and the download-folder join: for any repo id,
/// revision, commit, etag and path in repo — '..', absolute, backslashes, NUL included — a path is
/// either refused with the documented exception or lies strictly inside the folder it belongs to.
/// </summary>
public sealed class CachePathFuzzTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "hfctl-fuzz-cache", "hub");

    private static readonly Gen<string> Segment = Gen.Frequency(
        (4, Gen.String[Gen.Char["abc09_-."], 1, 8]),
        (3, Gen.OneOf("..", ".", "", "refs", "pr", "main", "~", "C:", "\0", "..\\..", "a\\b", " ", "..."))
    );

    /// <summary>Hostile relative and absolute paths built from hostile segments and separators.</summary>
    private static readonly Gen<string> HostilePath = Gen.Frequency(
        (6, Gen.Select(Segment.Array[1, 5], Gen.OneOf("/", "\\", "//"), Gen.OneOf("", "/", "\\", "~/", "C:\\"),
            (segments, separator, start) => start + string.Join(separator, segments))),
        (1, Gen.String));

    private static readonly Gen<RepoId> Repo = RepoIdFuzzTests.Candidate
        .Select(text => RepoId.TryParse(text, out var id, out _) ? id : null)
        .Where(id => id is not null)
        .Select(id => id!);

    private static readonly Gen<RepoType> Type = Gen.Enum<RepoType>();

    private static void Inside(string folder, Func<string> build)
    {
        string path;
        try
        {
            path = build();
        }
        catch (Exception e) when (e is UnsafePathException or HubException)
        {
            return;
        }
        var prefix = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        Assert.StartsWith(prefix, path, StringComparison.Ordinal);
        Assert.Equal(path, Path.GetFullPath(path));
        Assert.DoesNotContain('\0', path);
    }

    [Fact]
    public void No_cache_path_escapes_its_folder()
    {
        var layout = new HubCacheLayout(Root);
        Gen.Select(Repo, Type, HostilePath, HostilePath, HostilePath).Sample((repo, type, revision, file, id) =>
        {
            var repoFolder = layout.RepoFolder(repo, type);
            Assert.Equal(Root, Path.GetDirectoryName(repoFolder));
            Assert.DoesNotContain('/', HubCacheLayout.RepoFolderName(repo, type));
            Inside(Path.Combine(repoFolder, "refs"), () => layout.RefPath(repo, type, revision));
            Inside(Path.Combine(repoFolder, "blobs"), () => layout.BlobPath(repo, type, id));
            Inside(Path.Combine(Root, ".locks", HubCacheLayout.RepoFolderName(repo, type)), () => layout.LockPath(repo, type, id));
            Inside(Path.Combine(repoFolder, "snapshots"), () => layout.SnapshotFolder(repo, type, id));
            string snapshot;
            try
            {
                snapshot = layout.SnapshotFolder(repo, type, id);
            }
            catch (HubException)
            {
                snapshot = layout.SnapshotFolder(repo, type, new string('a', 40));
            }
            Inside(snapshot, () => layout.SnapshotPath(repo, type, Path.GetFileName(snapshot), file));
        }, iter: FuzzSettings.Iter(4000));
    }

    [Fact]
    public void No_download_folder_path_escapes_its_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "hfctl-fuzz-local", "target");
        Gen.Select(HostilePath, Gen.String[Gen.Char["abcdef0123456789-_/."], 0, 12]).Sample((file, etag) =>
        {
            Inside(folder, () => RepoPath.SafeJoin(folder, file));
            // The download writes metadata and partial files next to the path, with suffixes.
            Inside(folder, () => RepoPath.SafeJoin(folder, file + ".metadata"));
            Inside(folder, () => RepoPath.SafeJoin(folder, $"{file}.{etag}.incomplete"));
        }, iter: FuzzSettings.Iter(20000));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\..\\..\\x")]
    [InlineData("a\0b")]
    [InlineData("")]
    public void Hostile_revisions_are_refused(string revision)
    {
        var layout = new HubCacheLayout(Root);
        Assert.Throws<UnsafePathException>(() => layout.RefPath(RepoId.Parse("me/x"), RepoType.Model, revision));
    }
}
