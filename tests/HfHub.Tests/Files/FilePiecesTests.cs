using System.Text;
using System.Text.Json;
using HfHub.Files;
using HfHub.Repos;

namespace HfHub.Tests.Files;

public sealed class ContentHasherTests
{
    [Fact]
    public async Task Hashes_match_sha256sum_and_git_hash_object()
    {
        // printf 'hello\n' | sha256sum; printf 'hello\n' | git hash-object --stdin
        var bytes = "hello\n"u8.ToArray();
        var digest = await ContentHasher.HashStreamAsync(new MemoryStream(bytes), bytes.Length);
        Assert.Equal("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", digest.Sha256);
        Assert.Equal("ce013625030ba8dba906f756967f9e9ca394464a", digest.GitSha1);
        Assert.Equal(bytes, digest.Sample.ToArray());
        Assert.Equal("ce013625030ba8dba906f756967f9e9ca394464a", ContentHasher.GitBlobSha1(bytes));
    }

    [Fact]
    public async Task A_file_larger_than_the_buffer_hashes_like_the_one_shot_hash()
    {
        var path = Path.GetTempFileName();
        try
        {
            var data = new byte[3 * ContentHasher.BufferSize + 12345];
            new Random(7).NextBytes(data);
            await File.WriteAllBytesAsync(path, data);
            long reported = 0;
            var digest = await ContentHasher.HashFileAsync(path, gitSha1: false, new SyncReport(n => reported += n));
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)), digest.Sha256);
            Assert.Null(digest.GitSha1);
            Assert.Equal(512, digest.Sample.Length);
            Assert.Equal(data.Length, reported);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class SyncReport(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}

public sealed class CommitPayloadTests
{
    [Fact]
    public async Task Ndjson_has_a_header_then_one_line_per_operation_with_streamed_base64()
    {
        var content = new byte[3 * 256 * 1024 + 5]; // crosses the base64 chunk boundary
        new Random(3).NextBytes(content);
        var payload = new CommitPayload("Add \"things\"", null, "abc1234", [
            new RegularFileLine("dir/a.txt", ContentSource.FromBytes(content)),
            new LfsFileLine("model.bin", new string('a', 64), 42),
            new DeletedFileLine("old.txt"),
            new DeletedFolderLine("tmp"),
        ]);
        using var sink = new MemoryStream();
        await payload.WriteToAsync(sink, CancellationToken.None);
        var text = Encoding.UTF8.GetString(sink.ToArray());
        Assert.EndsWith("\n", text);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(5, lines.Length);
        using var header = JsonDocument.Parse(lines[0]);
        Assert.Equal("header", header.RootElement.GetProperty("key").GetString());
        Assert.Equal("Add \"things\"", header.RootElement.GetProperty("value").GetProperty("summary").GetString());
        Assert.Equal("", header.RootElement.GetProperty("value").GetProperty("description").GetString());
        Assert.Equal("abc1234", header.RootElement.GetProperty("value").GetProperty("parentCommit").GetString());
        using var file = JsonDocument.Parse(lines[1]);
        Assert.Equal("file", file.RootElement.GetProperty("key").GetString());
        var value = file.RootElement.GetProperty("value");
        Assert.Equal("dir/a.txt", value.GetProperty("path").GetString());
        Assert.Equal("base64", value.GetProperty("encoding").GetString());
        Assert.Equal(content, Convert.FromBase64String(value.GetProperty("content").GetString()!));
        using var lfs = JsonDocument.Parse(lines[2]);
        Assert.Equal("lfsFile", lfs.RootElement.GetProperty("key").GetString());
        Assert.Equal(42, lfs.RootElement.GetProperty("value").GetProperty("size").GetInt64());
        Assert.Equal("sha256", lfs.RootElement.GetProperty("value").GetProperty("algo").GetString());
        Assert.Contains("\"deletedFile\"", lines[3]);
        Assert.Contains("\"deletedFolder\"", lines[4]);
    }

    [Fact]
    public async Task An_empty_file_is_an_empty_base64_string()
    {
        var payload = new CommitPayload("m", "d", null, [new RegularFileLine("e", ContentSource.FromBytes(Array.Empty<byte>()))]);
        using var sink = new MemoryStream();
        await payload.WriteToAsync(sink, CancellationToken.None);
        var lines = Encoding.UTF8.GetString(sink.ToArray()).TrimEnd('\n').Split('\n');
        using var file = JsonDocument.Parse(lines[1]);
        Assert.Equal("", file.RootElement.GetProperty("value").GetProperty("content").GetString());
    }
}

public sealed class PathRulesTests
{
    [Theory]
    [InlineData("*.bin", "model.bin", true)]
    [InlineData("*.bin", "sub/dir/model.bin", true)] // fnmatch: '*' crosses '/'
    [InlineData("*.bin", "model.txt", false)]
    [InlineData("data/", "data/x/y.csv", true)]
    [InlineData("data/", "other/data.csv", false)]
    [InlineData("file?.txt", "file1.txt", true)]
    [InlineData("[ab].txt", "b.txt", true)]
    [InlineData("[!ab].txt", "b.txt", false)]
    public void Globs_follow_fnmatch(string pattern, string path, bool expected) =>
        Assert.Equal(expected, new PathFilter([pattern], null).IsMatch(path));

    [Fact]
    public void Exclude_wins_over_include()
    {
        var filter = new PathFilter(["*.txt"], ["secret*"]);
        Assert.True(filter.IsMatch("a.txt"));
        Assert.False(filter.IsMatch("secret.txt"));
        Assert.False(filter.IsMatch("a.bin"));
        Assert.True(PathFilter.All.IsMatch("anything"));
    }

    [Theory]
    [InlineData("/a/b.txt", "a/b.txt")]
    [InlineData("./a.txt", "a.txt")]
    [InlineData("a\\b.txt", "a/b.txt")]
    [InlineData("folder/", "folder/")]
    public void Commit_paths_are_normalized(string input, string expected) => Assert.Equal(expected, RepoPath.Normalize(input));

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData(".git/config")]
    [InlineData("x/.cache/y")]
    [InlineData("a//b")]
    public void Bad_commit_paths_are_rejected(string input) => Assert.Throws<ArgumentException>(() => RepoPath.Normalize(input));

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("a/./b")]
    [InlineData("a\\..\\b")]
    [InlineData("")]
    public void Download_paths_that_escape_are_refused(string remote)
    {
        var root = Path.Combine(Path.GetTempPath(), "root");
        Assert.Throws<UnsafePathException>(() => RepoPath.SafeJoin(root, remote));
    }

    [Fact]
    public void Safe_paths_land_inside_the_root()
    {
        var root = Path.Combine(Path.GetTempPath(), "root");
        Assert.Equal(Path.Combine(root, "a", "b.txt"), RepoPath.SafeJoin(root, "a/b.txt"));
        Assert.Equal(Path.Combine(root, "..data"), RepoPath.SafeJoin(root, "..data"));
    }
}

public sealed class HubCacheLayoutTests
{
    [Fact]
    public void Layout_matches_the_python_client()
    {
        var cache = new HubCacheLayout("/tmp/hfhome/hub");
        var repo = RepoId.Parse("org/name");
        Assert.Equal("models--org--name", HubCacheLayout.RepoFolderName(repo, RepoType.Model));
        Assert.Equal("datasets--org--name", HubCacheLayout.RepoFolderName(repo, RepoType.Dataset));
        Assert.Equal("spaces--org--name", HubCacheLayout.RepoFolderName(repo, RepoType.Space));
        Assert.Equal("models--gpt2", HubCacheLayout.RepoFolderName(RepoId.Parse("gpt2"), RepoType.Model));
        var commit = new string('c', 40);
        Assert.Equal("/tmp/hfhome/hub/models--org--name/blobs/abc", cache.BlobPath(repo, RepoType.Model, "abc"));
        Assert.Equal($"/tmp/hfhome/hub/models--org--name/snapshots/{commit}/d/f.txt", cache.SnapshotPath(repo, RepoType.Model, commit, "d/f.txt"));
        Assert.Equal("/tmp/hfhome/hub/models--org--name/refs/refs/pr/1", cache.RefPath(repo, RepoType.Model, "refs/pr/1"));
        Assert.Equal("/tmp/hfhome/hub/.locks/models--org--name/abc.lock", cache.LockPath(repo, RepoType.Model, "abc"));
        Assert.Throws<UnsafePathException>(() => cache.SnapshotPath(repo, RepoType.Model, commit, "../../x"));
    }

    [Fact]
    public void Refs_are_written_without_newline_and_snapshots_link_relatively()
    {
        var root = Directory.CreateTempSubdirectory("hfcache-").FullName;
        try
        {
            var cache = new HubCacheLayout(root);
            var repo = RepoId.Parse("o/r");
            var commit = new string('a', 40);
            cache.WriteRef(repo, RepoType.Dataset, "main", commit);
            Assert.Equal(commit, File.ReadAllText(cache.RefPath(repo, RepoType.Dataset, "main")));
            Assert.Equal(commit, cache.ReadRef(repo, RepoType.Dataset, "main"));
            var blob = cache.BlobPath(repo, RepoType.Dataset, "e1");
            Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
            File.WriteAllText(blob, "x");
            var snapshot = cache.SnapshotPath(repo, RepoType.Dataset, commit, "sub/f.txt");
            HubCacheLayout.LinkSnapshot(blob, snapshot);
            Assert.Equal("../../../blobs/e1", new FileInfo(snapshot).LinkTarget);
            Assert.Equal("x", File.ReadAllText(snapshot));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Theory]
    [InlineData("W/\"abc\"", "abc")]
    [InlineData("\"abc\"", "abc")]
    [InlineData("abc", "abc")]
    [InlineData("", null)]
    public void Etags_are_normalized(string raw, string? expected) => Assert.Equal(expected, FilesClient.NormalizeEtag(raw));
}
