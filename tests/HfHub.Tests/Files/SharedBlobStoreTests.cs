using System.Collections.Concurrent;
using HfCtl.Testing;
using HfHub.Auth;
using HfHub.Repos;

namespace HfHub.Tests.Files;

/// <summary>
/// The cache-wide shared blob store of the Python client (<c>hub/blobs/&lt;2 hex&gt;/&lt;xet hash&gt;</c>, repo blobs as
/// relative symlinks to it): hfctl reuses what is there without a transfer and publishes its own Xet downloads.
/// </summary>
public sealed class SharedBlobStoreTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _home = FilesTesting.TempDir("hfhub-shared-blobs-");

    private string Cache => Path.Combine(_home, "hub");

    public void Dispose()
    {
        // Payloads are read-only, as in the Python client; make them deletable again.
        foreach (var file in Directory.EnumerateFiles(_home, "*", SearchOption.AllDirectories))
        {
            if (!OperatingSystem.IsWindows() && new FileInfo(file).LinkTarget is null)
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        Directory.Delete(_home, recursive: true);
    }

    private HubClient Client(string token, ConcurrentQueue<string> trace, params (string Name, string Value)[] environment) => new(new HubClientOptions
    {
        Endpoint = hub.Endpoint,
        Token = HfToken.FromValue(token),
        Retry = FilesTesting.FastRetries,
        Environment = new HfEnvironment(name => name == "HF_HOME" ? _home : environment.FirstOrDefault(e => e.Name == name).Value, _home),
        HttpTrace = trace.Enqueue,
    });

    /// <summary>Two repos holding the same Xet file (uploaded through Xet), and the file's metadata.</summary>
    private async Task<(string Token, RepoId First, RepoId Second, byte[] Content)> TwoReposWithTheSameFileAsync(int size, int seed)
    {
        var (user, token) = await hub.CreateUserAsync();
        var content = FilesTesting.RandomBytes(size, seed);
        using var client = Client(token, new ConcurrentQueue<string>());
        var repos = new List<RepoId>();
        foreach (var name in new[] { "first", "second" })
        {
            var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName(name)}");
            await client.Repos.CreateAsync(repo);
            await client.Files.UploadFileAsync(repo, new MemoryStream(content), "weights.bin");
            repos.Add(repo);
        }
        return (token, repos[0], repos[1], content);
    }

    /// <summary>A store entry as another client leaves it: the marked store and a payload under the Xet hash.</summary>
    private async Task<string> PlantStoreEntryAsync(string xetHash, byte[] payloadBytes)
    {
        var store = Path.Combine(Cache, "blobs");
        Directory.CreateDirectory(Path.Combine(store, xetHash[..2]));
        await File.WriteAllTextAsync(Path.Combine(store, ".huggingface-shared-blobs"), "1\n");
        var payload = Path.Combine(store, xetHash[..2], xetHash);
        await File.WriteAllBytesAsync(payload, payloadBytes);
        return payload;
    }

    private string RepoBlob(RepoId repo, string etag) => Path.Combine(Cache, $"models--{repo.Namespace}--{repo.Name}", "blobs", etag);

    private static bool Reconstructed(IEnumerable<string> trace) =>
        trace.Any(line => line.StartsWith("> GET ", StringComparison.Ordinal) && line.Contains("/reconstructions/", StringComparison.Ordinal));

    [Fact]
    public async Task A_xet_download_goes_into_the_store_and_a_second_repo_with_the_same_file_links_to_it_without_a_transfer()
    {
        var (token, first, second, content) = await TwoReposWithTheSameFileAsync(600_000, seed: 71);
        var trace = new ConcurrentQueue<string>();
        using var client = Client(token, trace);
        var meta = await client.Files.GetFileMetadataAsync(first, "weights.bin");
        var xetHash = meta.XetHash!;
        var payload = Path.Combine(Cache, "blobs", xetHash[..2], xetHash);

        var firstPath = await client.Files.DownloadFileAsync(first, "weights.bin");

        Assert.True(Reconstructed(trace));
        Assert.Equal(content, await File.ReadAllBytesAsync(firstPath));
        Assert.Equal("1\n", await File.ReadAllTextAsync(Path.Combine(Cache, "blobs", ".huggingface-shared-blobs")));
        Assert.Equal(content.Length, new FileInfo(payload).Length);
        Assert.Equal(Path.Combine("..", "..", "blobs", xetHash[..2], xetHash), new FileInfo(RepoBlob(first, meta.Etag)).LinkTarget);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(payload) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        }

        trace.Clear();
        var secondPath = await client.Files.DownloadFileAsync(second, "weights.bin");

        Assert.False(Reconstructed(trace), "the second repo's copy came from the store, not from the CAS");
        Assert.DoesNotContain(trace, line => line.StartsWith("> GET ", StringComparison.Ordinal) && line.Contains("/resolve/", StringComparison.Ordinal));
        Assert.Contains(trace, line => line == "weights.bin: found in the shared blob store, no transfer");
        Assert.Equal(content, await File.ReadAllBytesAsync(secondPath));
        Assert.Equal(new FileInfo(RepoBlob(first, meta.Etag)).LinkTarget, new FileInfo(RepoBlob(second, meta.Etag)).LinkTarget);
        Assert.Equal(
            [$"models--{first.Namespace}--{first.Name}/blobs/{meta.Etag}", $"models--{second.Namespace}--{second.Name}/blobs/{meta.Etag}"],
            await File.ReadAllLinesAsync(payload + ".refs"));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(Cache, "blobs", xetHash[..2]), xetHash));
    }

    [Fact]
    public async Task A_store_entry_the_python_client_left_is_linked_and_a_reference_added()
    {
        var (token, first, _, content) = await TwoReposWithTheSameFileAsync(300_000, seed: 72);
        var trace = new ConcurrentQueue<string>();
        using var client = Client(token, trace);
        var meta = await client.Files.GetFileMetadataAsync(first, "weights.bin");
        var payload = await PlantStoreEntryAsync(meta.XetHash!, content);
        await File.WriteAllTextAsync(payload + ".refs", "models--someone--else/blobs/0123\n");

        var path = await client.Files.DownloadFileAsync(first, "weights.bin");

        Assert.False(Reconstructed(trace));
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Equal(["models--someone--else/blobs/0123", $"models--{first.Namespace}--{first.Name}/blobs/{meta.Etag}"], await File.ReadAllLinesAsync(payload + ".refs"));
    }

    [Fact]
    public async Task A_store_entry_of_the_wrong_size_is_not_used_and_the_verified_download_replaces_it()
    {
        var (token, first, _, content) = await TwoReposWithTheSameFileAsync(300_000, seed: 73);
        var trace = new ConcurrentQueue<string>();
        using var client = Client(token, trace);
        var meta = await client.Files.GetFileMetadataAsync(first, "weights.bin");
        var payload = await PlantStoreEntryAsync(meta.XetHash!, content.AsSpan(0, 1000).ToArray());

        var path = await client.Files.DownloadFileAsync(first, "weights.bin");

        Assert.True(Reconstructed(trace));
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Equal(content, await File.ReadAllBytesAsync(payload));
    }

    [Theory]
    [InlineData("HF_HUB_DISABLE_SHARED_BLOBS")]
    [InlineData("HF_HUB_DISABLE_XET")]
    public async Task The_store_is_off_when_disabled(string variable)
    {
        var (token, first, _, content) = await TwoReposWithTheSameFileAsync(200_000, seed: 74);
        using var client = Client(token, new ConcurrentQueue<string>(), (variable, "1"));
        var meta = await client.Files.GetFileMetadataAsync(first, "weights.bin");

        var path = await client.Files.DownloadFileAsync(first, "weights.bin");

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Null(new FileInfo(RepoBlob(first, meta.Etag)).LinkTarget);
        Assert.False(Directory.Exists(Path.Combine(Cache, "blobs")));
    }

    [Fact]
    public async Task A_blobs_folder_that_is_not_the_store_is_left_alone()
    {
        var (token, first, _, content) = await TwoReposWithTheSameFileAsync(200_000, seed: 75);
        using var client = Client(token, new ConcurrentQueue<string>());
        var meta = await client.Files.GetFileMetadataAsync(first, "weights.bin");
        Directory.CreateDirectory(Path.Combine(Cache, "blobs"));
        await File.WriteAllTextAsync(Path.Combine(Cache, "blobs", "somebody-elses.txt"), "keep me");

        var path = await client.Files.DownloadFileAsync(first, "weights.bin");

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Null(new FileInfo(RepoBlob(first, meta.Etag)).LinkTarget);
        Assert.Equal(["somebody-elses.txt"], Directory.EnumerateFileSystemEntries(Path.Combine(Cache, "blobs")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_repo_blob_whose_store_entry_was_collected_is_downloaded_again()
    {
        var (token, first, _, content) = await TwoReposWithTheSameFileAsync(200_000, seed: 76);
        var trace = new ConcurrentQueue<string>();
        using var client = Client(token, trace);
        var meta = await client.Files.GetFileMetadataAsync(first, "weights.bin");
        await client.Files.DownloadFileAsync(first, "weights.bin");
        var payload = Path.Combine(Cache, "blobs", meta.XetHash![..2], meta.XetHash);
        File.Delete(payload);

        trace.Clear();
        var path = await client.Files.DownloadFileAsync(first, "weights.bin");

        Assert.True(Reconstructed(trace));
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.True(File.Exists(payload));
    }

    [Fact]
    public async Task Temporary_links_an_interrupted_run_left_are_removed_when_the_blob_is_linked()
    {
        var (token, first, _, content) = await TwoReposWithTheSameFileAsync(200_000, seed: 77);
        using var client = Client(token, new ConcurrentQueue<string>());
        var meta = await client.Files.GetFileMetadataAsync(first, "weights.bin");
        var blobs = Path.GetDirectoryName(RepoBlob(first, meta.Etag))!;
        Directory.CreateDirectory(blobs);
        var stale = Path.Combine(blobs, $".{meta.Etag}.0badf00d.shared");
        File.CreateSymbolicLink(stale, "../../blobs/00/missing");
        var unrelated = Path.Combine(blobs, ".other.0badf00d.shared");
        File.CreateSymbolicLink(unrelated, "../../blobs/00/missing");

        var path = await client.Files.DownloadFileAsync(first, "weights.bin");

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Null(new FileInfo(stale).LinkTarget);
        Assert.NotNull(new FileInfo(unrelated).LinkTarget);
    }
}
