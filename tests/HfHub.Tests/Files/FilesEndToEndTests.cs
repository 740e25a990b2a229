using System.Collections.Concurrent;
using System.Security.Cryptography;
using HfCtl.Testing;
using HfHub.Auth;
using HfHub.Files;
using HfHub.Http;
using HfHub.LocalHub;
using HfHub.Repos;

namespace HfHub.Tests.Files;

/// <summary>A local hub whose multipart chunk size is small, so multipart uploads stay fast.</summary>
public sealed class SmallChunkHubFixture : LocalHubFixture
{
    public const int ChunkSize = 64 * 1024;

    protected override void Configure(LocalHubOptions options) => options.LfsChunkSize = ChunkSize;
}

/// <summary>Helpers shared by the file tests: clients, repos, content.</summary>
internal static class FilesTesting
{
    public static readonly RetryPolicy FastRetries = new() { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200), MaxRetries = 6 };

    /// <summary>A client of <paramref name="hub"/> whose HF_HOME (and so its Xet index) is <paramref name="home"/>, tracing into <paramref name="trace"/>.</summary>
    public static HubClient XetClient(LocalHubFixture hub, string home, string token, Action<string> trace, bool disableXet = false, HttpMessageHandler? transport = null) => new(new HubClientOptions
    {
        Endpoint = hub.Endpoint,
        Token = HfToken.FromValue(token),
        Retry = FastRetries,
        Environment = new HfEnvironment(name => name switch
        {
            "HF_HOME" => home,
            "HF_HUB_DISABLE_XET" => disableXet ? "1" : null,
            _ => null,
        }, home),
        HttpTrace = trace,
        Transport = transport,
    });

    public static HubClient Client(LocalHubFixture hub, string token, string home, HttpMessageHandler? transport = null) => new(new HubClientOptions
    {
        Endpoint = hub.Endpoint,
        Token = HfToken.FromValue(token),
        Retry = FastRetries,
        Environment = new HfEnvironment(name => name == "HF_HOME" ? home : null, home),
        Transport = transport,
    });

    public static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string TempDir(string prefix) => Directory.CreateTempSubdirectory(prefix).FullName;
}

public sealed class FilesEndToEndTests(SmallChunkHubFixture hub) : IClassFixture<SmallChunkHubFixture>, IDisposable
{
    private readonly string _home = FilesTesting.TempDir("hfhub-files-");

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private async Task<(HubClient Client, RepoId Repo)> NewRepoAsync(RepoType type = RepoType.Model, HttpMessageHandler? transport = null)
    {
        var (user, token) = await hub.CreateUserAsync();
        var client = FilesTesting.Client(hub, token, _home, transport);
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("r")}");
        var created = await client.Repos.CreateAsync(repo, new CreateRepoOptions { Type = type, SpaceSdk = "static" });
        Assert.True(created.Created);
        return (client, repo);
    }

    [Fact]
    public async Task Regular_lfs_and_multipart_files_round_trip_through_the_python_cache_layout()
    {
        var (client, repo) = await NewRepoAsync();
        var text = "hello from hfctl\n"u8.ToArray();
        var lfs = FilesTesting.RandomBytes(5000, 1);                                  // *.bin → LFS, one PUT
        var multipart = FilesTesting.RandomBytes(3 * SmallChunkHubFixture.ChunkSize + 17, 2); // 4 parts
        var local = Path.Combine(_home, "big.safetensors");
        await File.WriteAllBytesAsync(local, multipart);
        var progress = new ConcurrentBag<TransferProgress>();

        var commit = new CommitBuilder("Add three files") { Description = "regular, LFS and multipart" }
            .AddFile("README.md", text)
            .AddFile("weights/small.bin", new MemoryStream(lfs))
            .AddFile("weights/big.safetensors", local);
        var result = await client.Files.CommitAsync(repo, commit, new CommitOptions { Progress = new Collect(progress) });

        Assert.True(result.Committed);
        Assert.Equal(40, result.CommitOid.Length);
        Assert.Equal(3, result.FilesAdded);
        Assert.Contains(progress, p => p.Path == "weights/big.safetensors" && p.Stage == TransferStage.Uploading);

        var tree = new List<RepoTreeEntry>();
        await foreach (var entry in client.Files.ListTreeAsync(repo))
        {
            tree.Add(entry);
        }
        var big = Assert.Single(tree, e => e.Path == "weights/big.safetensors");
        Assert.Equal(FilesTesting.Sha256(multipart), big.Lfs?.Oid);
        var readme = Assert.Single(tree, e => e.Path == "README.md");
        Assert.Null(readme.Lfs);
        Assert.Equal(ContentHasher.GitBlobSha1(text), readme.Oid);

        var downloaded = await client.Files.DownloadFileAsync(repo, "weights/big.safetensors");
        Assert.Equal(multipart, await File.ReadAllBytesAsync(downloaded));
        var cacheRepo = Path.Combine(_home, "hub", $"models--{repo.Namespace}--{repo.Name}");
        Assert.Equal(Path.Combine(cacheRepo, "snapshots", result.CommitOid, "weights", "big.safetensors"), downloaded);
        Assert.Equal($"../../../blobs/{FilesTesting.Sha256(multipart)}", new FileInfo(downloaded).LinkTarget);
        Assert.Equal(result.CommitOid, await File.ReadAllTextAsync(Path.Combine(cacheRepo, "refs", "main")));

        var readmePath = await client.Files.DownloadFileAsync(repo, "README.md");
        Assert.Equal(text, await File.ReadAllBytesAsync(readmePath));
        Assert.True(File.Exists(Path.Combine(cacheRepo, "blobs", ContentHasher.GitBlobSha1(text))));

        var meta = await client.Files.GetFileMetadataAsync(repo, "weights/small.bin");
        Assert.Equal(FilesTesting.Sha256(lfs), meta.Etag);
        Assert.Equal(lfs.Length, meta.Size);
        Assert.Equal(result.CommitOid, meta.CommitHash);
    }

    [Fact]
    public async Task Uploading_the_same_content_again_makes_no_commit()
    {
        var (client, repo) = await NewRepoAsync(RepoType.Dataset);
        var options = new UploadOptions { Type = RepoType.Dataset };
        var path = Path.Combine(_home, "data.csv");
        await File.WriteAllTextAsync(path, "a,b\n1,2\n");
        var lfsPath = Path.Combine(_home, "data.bin");
        await File.WriteAllBytesAsync(lfsPath, FilesTesting.RandomBytes(2000, 5));
        var first = await client.Files.UploadFileAsync(repo, path, "data.csv", options);
        var firstLfs = await client.Files.UploadFileAsync(repo, lfsPath, "data.bin", options);
        Assert.True(first.Committed && firstLfs.Committed);

        var again = await client.Files.UploadFileAsync(repo, path, "data.csv", options);
        var againLfs = await client.Files.UploadFileAsync(repo, lfsPath, "data.bin", options);

        Assert.False(again.Committed);
        Assert.False(againLfs.Committed);
        Assert.Equal(firstLfs.CommitOid, againLfs.CommitOid);
        Assert.Equal(1, againLfs.FilesUnchanged);
        var commits = new List<CommitInfo>();
        await foreach (var c in client.Files.ListCommitsAsync(repo, RepoType.Dataset))
        {
            commits.Add(c);
        }
        Assert.Equal(firstLfs.CommitOid, commits[0].Id);
        Assert.Equal(3, commits.Count); // initial commit + two uploads
    }

    [Fact]
    public async Task A_stale_parent_commit_is_a_conflict()
    {
        var (client, repo) = await NewRepoAsync();
        var first = await client.Files.CommitAsync(repo, new CommitBuilder("one").AddFile("a.txt", "1"u8.ToArray()));
        await client.Files.CommitAsync(repo, new CommitBuilder("two").AddFile("a.txt", "2"u8.ToArray()));

        var stale = new CommitBuilder("three") { ParentCommit = first.CommitOid }.AddFile("a.txt", "3"u8.ToArray());
        var error = await Assert.ThrowsAsync<HubConflictException>(() => client.Files.CommitAsync(repo, stale));
        Assert.Equal(412, error.Status);
    }

    [Fact]
    public async Task Folder_upload_honours_include_and_exclude_and_skips_unchanged_files()
    {
        var (client, repo) = await NewRepoAsync();
        var folder = Path.Combine(_home, "project");
        Directory.CreateDirectory(Path.Combine(folder, "src"));
        Directory.CreateDirectory(Path.Combine(folder, ".git"));
        await File.WriteAllTextAsync(Path.Combine(folder, "app.py"), "print(1)\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "src", "lib.py"), "x = 1\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "src", "notes.md"), "notes\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "secret.py"), "token\n");
        await File.WriteAllTextAsync(Path.Combine(folder, ".git", "HEAD"), "ref\n");

        var options = new UploadFolderOptions { Include = ["*.py"], Exclude = ["secret*"], MaxFilesPerCommit = 1 };
        var result = await client.Files.UploadFolderAsync(repo, folder, "code", options);
        Assert.Equal(2, result.FilesUploaded);
        Assert.Equal(2, result.Commits.Count); // split: one file per commit

        var paths = new List<string>();
        await foreach (var entry in client.Files.ListTreeAsync(repo))
        {
            if (entry.IsFile)
            {
                paths.Add(entry.Path);
            }
        }
        Assert.Equal(["code/app.py", "code/src/lib.py"], paths.Where(p => p.StartsWith("code/", StringComparison.Ordinal)).Order().ToArray());

        await File.WriteAllTextAsync(Path.Combine(folder, "app.py"), "print(2)\n");
        var second = await client.Files.UploadFolderAsync(repo, folder, "code", options with { MaxFilesPerCommit = 100 });
        Assert.Equal(1, second.FilesUploaded);
        Assert.Equal(1, second.FilesUnchanged);
        var third = await client.Files.UploadFolderAsync(repo, folder, "code", options);
        Assert.Empty(third.Commits);
        Assert.Equal(second.Head, third.Head);
    }

    [Fact]
    public async Task An_interrupted_download_resumes_with_a_range_request()
    {
        var ranges = new ConcurrentBag<string>();
        var (client, repo) = await NewRepoAsync(transport: new RequestTap(request =>
        {
            if (request.Headers.Range is { } range)
            {
                ranges.Add(range.ToString());
            }
        }));
        var content = FilesTesting.RandomBytes(300_000, 9);
        var commit = await client.Files.CommitAsync(repo, new CommitBuilder("add").AddFile("model.bin", content));
        var sha = FilesTesting.Sha256(content);
        // What a cancelled download leaves behind: the first part of the blob, still '.incomplete'.
        var blobs = Path.Combine(_home, "hub", $"models--{repo.Namespace}--{repo.Name}", "blobs");
        Directory.CreateDirectory(blobs);
        await File.WriteAllBytesAsync(Path.Combine(blobs, sha + ".incomplete"), content.AsSpan(0, 100_000).ToArray());

        var path = await client.Files.DownloadFileAsync(repo, "model.bin");

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Contains("bytes=100000-", ranges);
        Assert.False(File.Exists(Path.Combine(blobs, sha + ".incomplete")));
        Assert.Contains(commit.CommitOid, path);
    }

    [Fact]
    public async Task A_corrupt_partial_file_is_detected_and_discarded()
    {
        var (client, repo) = await NewRepoAsync();
        var content = FilesTesting.RandomBytes(50_000, 10);
        await client.Files.CommitAsync(repo, new CommitBuilder("add").AddFile("model.bin", content));
        var sha = FilesTesting.Sha256(content);
        var blobs = Path.Combine(_home, "hub", $"models--{repo.Namespace}--{repo.Name}", "blobs");
        Directory.CreateDirectory(blobs);
        await File.WriteAllBytesAsync(Path.Combine(blobs, sha + ".incomplete"), new byte[10_000]);

        var error = await Assert.ThrowsAsync<HubContentMismatchException>(() => client.Files.DownloadFileAsync(repo, "model.bin"));
        Assert.Contains("corrupt", error.Message);
        Assert.False(File.Exists(Path.Combine(blobs, sha)));
        // The bad partial file is gone, so the next attempt succeeds.
        var path = await client.Files.DownloadFileAsync(repo, "model.bin");
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Local_dir_and_snapshot_downloads_write_plain_files_and_metadata()
    {
        var (client, repo) = await NewRepoAsync(RepoType.Space);
        var commit = await client.Files.CommitAsync(repo, new CommitBuilder("site")
            .AddFile("index.html", "<h1>hi</h1>"u8.ToArray())
            .AddFile("assets/logo.bin", FilesTesting.RandomBytes(4000, 11))
            .AddFile("notes/readme.txt", "n"u8.ToArray()), new CommitOptions { Type = RepoType.Space });
        var target = Path.Combine(_home, "site");

        var snapshot = await client.Files.SnapshotDownloadAsync(repo, new SnapshotOptions { Type = RepoType.Space, LocalDir = target, Exclude = ["notes/*"] });

        Assert.Equal(commit.CommitOid, snapshot.CommitHash);
        Assert.Equal("<h1>hi</h1>", await File.ReadAllTextAsync(Path.Combine(target, "index.html")));
        Assert.Equal(4000, new FileInfo(Path.Combine(target, "assets", "logo.bin")).Length);
        Assert.False(File.Exists(Path.Combine(target, "notes", "readme.txt")));
        Assert.Null(new FileInfo(Path.Combine(target, "index.html")).LinkTarget);
        var metadata = await File.ReadAllLinesAsync(Path.Combine(target, ".cache", "huggingface", "download", "index.html.metadata"));
        Assert.Equal(commit.CommitOid, metadata[0]);
        Assert.Equal(ContentHasher.GitBlobSha1("<h1>hi</h1>"u8), metadata[1]);

        var cached = await client.Files.SnapshotDownloadAsync(repo, new SnapshotOptions { Type = RepoType.Space, Include = ["*.html"] });
        Assert.Equal(Path.Combine(_home, "hub", $"spaces--{repo.Namespace}--{repo.Name}", "snapshots", commit.CommitOid), cached.Folder);
        Assert.Equal(["index.html"], cached.Files);
        Assert.True(File.Exists(Path.Combine(cached.Folder, "index.html")));
    }

    [Fact]
    public async Task Download_to_a_chosen_path_verifies_and_replaces_atomically()
    {
        var (client, repo) = await NewRepoAsync();
        var content = FilesTesting.RandomBytes(10_000, 12);
        await client.Files.CommitAsync(repo, new CommitBuilder("db").AddFile("db/app.sqlite", content));
        var destination = Path.Combine(_home, "restore", "app.sqlite");
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        await File.WriteAllTextAsync(destination, "old");

        var meta = await client.Files.DownloadToPathAsync(repo, "db/app.sqlite", destination);

        Assert.Equal(content, await File.ReadAllBytesAsync(destination));
        Assert.Equal(ContentHasher.GitBlobSha1(content), meta.Etag); // a small binary stays a regular file
        Assert.False(File.Exists(destination + ".incomplete"));
    }

    [Fact]
    public async Task A_hostile_tree_path_is_refused_before_anything_is_written()
    {
        var (client, repo) = await NewRepoAsync(transport: new TreeRewriter("inside.txt", "../escape.txt"));
        await client.Files.CommitAsync(repo, new CommitBuilder("add").AddFile("inside.txt", "x"u8.ToArray()).AddFile("ok.txt", "y"u8.ToArray()));
        var target = Path.Combine(_home, "dl", "target");

        await Assert.ThrowsAsync<UnsafePathException>(() => client.Files.SnapshotDownloadAsync(repo, new SnapshotOptions { LocalDir = target }));

        Assert.False(File.Exists(Path.Combine(_home, "dl", "escape.txt")));
        Assert.False(Directory.Exists(target));
        await Assert.ThrowsAsync<UnsafePathException>(() => client.Files.DownloadFileAsync(repo, "../escape.txt", new DownloadOptions { LocalDir = target }));
    }

    [Fact]
    public async Task Repos_are_created_listed_described_updated_and_deleted()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = FilesTesting.Client(hub, token, _home);
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("r")}");
        await client.Repos.CreateAsync(repo, new CreateRepoOptions { Type = RepoType.Dataset, Private = true });
        await Assert.ThrowsAsync<HubConflictException>(() => client.Repos.CreateAsync(repo, new CreateRepoOptions { Type = RepoType.Dataset }));
        var again = await client.Repos.CreateAsync(repo, new CreateRepoOptions { Type = RepoType.Dataset, ExistOk = true });
        Assert.False(again.Created);
        Assert.Contains($"datasets/{repo}", again.Url);

        var info = await client.Repos.GetInfoAsync(repo, RepoType.Dataset);
        Assert.True(info.Private);
        Assert.Equal(40, info.Sha?.Length);
        await client.Repos.UpdateSettingsAsync(repo, RepoType.Dataset, isPrivate: false);
        Assert.False((await client.Repos.GetInfoAsync(repo, RepoType.Dataset)).Private);

        var listed = new List<RepoInfo>();
        await foreach (var r in client.Repos.ListAsync(RepoType.Dataset, author: user))
        {
            listed.Add(r);
        }
        Assert.Equal(repo.ToString(), Assert.Single(listed).Id);
        Assert.Empty(await ToListAsync(client.Repos.ListAsync(RepoType.Model, author: user)));

        var refs = await client.Repos.ListRefsAsync(repo, RepoType.Dataset);
        Assert.Contains(refs.Branches, b => b.Name == "main");

        Assert.True(await client.Repos.DeleteAsync(repo, RepoType.Dataset));
        Assert.False(await client.Repos.ExistsAsync(repo, RepoType.Dataset));
        Assert.False(await client.Repos.DeleteAsync(repo, RepoType.Dataset, missingOk: true));
        await Assert.ThrowsAsync<HubNotFoundException>(() => client.Repos.DeleteAsync(repo, RepoType.Dataset));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }

    private sealed class Collect(ConcurrentBag<TransferProgress> bag) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => bag.Add(value);
    }

    /// <summary>Plays a hostile Hub: rewrites one path in tree listings (real HTTP underneath).</summary>
    private sealed class TreeRewriter(string from, string to) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri!.AbsolutePath.Contains("/tree/", StringComparison.Ordinal))
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                response.Content = new StringContent(body.Replace($"\"{from}\"", $"\"{to}\"", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
            }
            return response;
        }
    }
}
