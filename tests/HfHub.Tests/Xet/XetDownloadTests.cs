using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HfCtl.Testing;
using HfHub.Files;
using HfHub.Http;
using HfHub.Repos;
using HfHub.Tests.Files;
using HfHub.Xet;

namespace HfHub.Tests.Xet;

/// <summary>Downloads of Xet-backed files through the local hub's CAS: reconstruction, verification, fallbacks.</summary>
public sealed class XetDownloadTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _home = FilesTesting.TempDir("hfhub-xet-dl-");

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private HubClient Client(string token, ConcurrentQueue<string> trace, bool disableXet = false, HttpMessageHandler? transport = null) =>
        FilesTesting.XetClient(hub, _home, token, trace.Enqueue, disableXet, transport);

    /// <summary>
    /// Puts <paramref name="content"/> in a repo as a Xet file the way an uploader does, with HfHub's
    /// chunker, xorb writer and shard writer straight against the CAS routes: the chunks split over
    /// two xorbs (so the file has two terms and two ranges to fetch), a shard, then an lfsFile commit.
    /// </summary>
    private async Task<(string Token, RepoId Repo, string FileHash)> XetFileAsync(string path, byte[] content)
    {
        var (user, token) = await hub.CreateUserAsync();
        using var http = hub.RawClient(token);
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("x")}");
        (await http.PostAsync("/api/repos/create", Json(new { name = repo.Name, type = "model" }))).EnsureSuccessStatusCode();
        var tokenJson = JsonDocument.Parse(await http.GetStringAsync($"/api/models/{repo}/xet-write-token/main")).RootElement;
        using var cas = new HttpClient { BaseAddress = new Uri(tokenJson.GetProperty("casUrl").GetString()!.TrimEnd('/') + "/") };
        cas.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokenJson.GetProperty("accessToken").GetString());

        var chunks = XetChunker.Chunk(content);
        Assert.True(chunks.Chunks.Count >= 4, "the test content should make several chunks");
        var half = chunks.Chunks.Count / 2;
        var xorbs = new List<XorbObject>();
        var terms = new List<ShardTerm>();
        foreach (var part in new[] { chunks.Chunks.Take(half).ToArray(), chunks.Chunks.Skip(half).ToArray() })
        {
            var builder = new XorbBuilder();
            foreach (var chunk in part)
            {
                Assert.True(builder.TryAdd(chunk.Hash, content.AsSpan((int)chunk.Offset, chunk.Length)));
            }
            var xorb = builder.Build();
            (await cas.PostAsync($"v1/xorbs/default/{xorb.Hash}", new ByteArrayContent(xorb.Data.ToArray()))).EnsureSuccessStatusCode();
            xorbs.Add(xorb);
            var hashes = part.Select(c => c.Hash).ToArray();
            terms.Add(new ShardTerm(xorb.Hash, 0, part.Length, (uint)part.Sum(c => c.Length), XetHasher.VerificationHash(hashes)));
        }
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var shard = ShardFormat.WriteUploadShard([new ShardFile(chunks.FileHash, terms, sha)], xorbs.Select(ShardXorb.From).ToArray());
        var shardAnswer = await cas.PostAsync("v1/shards", new ByteArrayContent(shard));
        Assert.True(shardAnswer.IsSuccessStatusCode, await shardAnswer.Content.ReadAsStringAsync());

        var lines = new object[]
        {
            new { key = "header", value = new { summary = $"add {path}", description = "" } },
            new { key = "lfsFile", value = new { path, algo = "sha256", oid = sha, size = (long)content.Length } },
        }.Select(o => JsonSerializer.Serialize(o));
        var commit = await http.PostAsync($"/api/models/{repo}/commit/main", new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson"));
        Assert.True(commit.IsSuccessStatusCode, await commit.Content.ReadAsStringAsync());
        return (token, repo, chunks.FileHash.ToString());
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_xet_file_is_rebuilt_from_the_cas_into_the_python_compatible_cache_byte_exact()
    {
        var content = FilesTesting.RandomBytes(700_000, seed: 41);
        var (token, repo, fileHash) = await XetFileAsync("weights.bin", content);
        var trace = new ConcurrentQueue<string>();
        using var client = Client(token, trace);

        var meta = await client.Files.GetFileMetadataAsync(repo, "weights.bin");
        Assert.Equal(fileHash, meta.XetHash);
        Assert.NotNull(meta.XetTokenUrl);
        var progress = new ConcurrentQueue<TransferProgress>();
        var path = await client.Files.DownloadFileAsync(repo, "weights.bin", new DownloadOptions { Progress = new SyncProgress<TransferProgress>(progress.Enqueue) });

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Equal(Path.Combine(_home, "hub", $"models--{repo.Namespace}--{repo.Name}", "snapshots", meta.CommitHash, "weights.bin"), path);
        Assert.True(File.Exists(Path.Combine(_home, "hub", $"models--{repo.Namespace}--{repo.Name}", "blobs", meta.Etag)));
        Assert.Contains(trace, line => line == "weights.bin: transfer xet (v2 reconstruction, 2 terms)");
        // The bytes came from xorb ranges, not from the resolve bridge.
        Assert.Contains(trace, line => line.StartsWith("> GET ", StringComparison.Ordinal) && line.Contains("/cas/v2/reconstructions/" + fileHash, StringComparison.Ordinal));
        Assert.DoesNotContain(trace, line => line.StartsWith("> GET ", StringComparison.Ordinal) && line.Contains("/resolve/", StringComparison.Ordinal));
        Assert.Equal(content.Length, progress.Where(p => p.Stage == TransferStage.Completed).Select(p => p.BytesDone).Single());
        Assert.DoesNotContain(progress, p => p.BytesDone > content.Length);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_home, "hub"), "*.incomplete*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task HF_HUB_DISABLE_XET_downloads_through_resolve_and_says_so()
    {
        var content = FilesTesting.RandomBytes(300_000, seed: 42);
        var (token, repo, _) = await XetFileAsync("data.bin", content);
        var trace = new ConcurrentQueue<string>();
        using var client = Client(token, trace, disableXet: true);

        var path = await client.Files.DownloadFileAsync(repo, "data.bin");

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Contains(trace, line => line == "data.bin: transfer resolve (HF_HUB_DISABLE_XET is set)");
        // No Xet token, no reconstruction: the bytes come through resolve (and the hub's bridge behind it).
        Assert.DoesNotContain(trace, line => line.StartsWith("> GET ", StringComparison.Ordinal) && (line.Contains("/reconstructions/", StringComparison.Ordinal) || line.Contains("/xet-read-token/", StringComparison.Ordinal)));
        Assert.Contains(trace, line => line.StartsWith("> GET ", StringComparison.Ordinal) && line.Contains("/resolve/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cas_without_v2_is_asked_v1()
    {
        var content = FilesTesting.RandomBytes(400_000, seed: 43);
        var (token, repo, _) = await XetFileAsync("v1.bin", content);
        var trace = new ConcurrentQueue<string>();
        // An older CAS: /v2/reconstructions is not there.
        using var client = Client(token, trace, transport: new Rewrite(request =>
            request.RequestUri!.AbsolutePath.Contains("/v2/reconstructions/", StringComparison.Ordinal)
                ? new HttpResponseMessage(HttpStatusCode.NotImplemented) : null));

        var path = await client.Files.DownloadFileAsync(repo, "v1.bin");

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Contains(trace, line => line == "v1.bin: transfer xet (v1 reconstruction, 2 terms)");
    }

    [Fact]
    public async Task A_cas_that_refuses_the_token_leaves_resolve_to_serve_the_file()
    {
        var content = FilesTesting.RandomBytes(200_000, seed: 44);
        var (token, repo, _) = await XetFileAsync("fallback.bin", content);
        var trace = new ConcurrentQueue<string>();
        using var client = Client(token, trace, transport: new Rewrite(request =>
            request.RequestUri!.AbsolutePath.Contains("/reconstructions/", StringComparison.Ordinal)
                ? new HttpResponseMessage(HttpStatusCode.Unauthorized) : null));

        var path = await client.Files.DownloadFileAsync(repo, "fallback.bin");

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Contains(trace, line => line.StartsWith("fallback.bin: transfer resolve (Xet failed: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Xorb_bytes_changed_on_the_way_are_detected_and_nothing_reaches_the_cache()
    {
        var content = FilesTesting.RandomBytes(500_000, seed: 45);
        var (token, repo, _) = await XetFileAsync("tampered.bin", content);
        var trace = new ConcurrentQueue<string>();
        // Flip one byte of a raw chunk's data in every xorb range answer.
        using var client = Client(token, trace, transport: new Rewrite(null, async response =>
        {
            if (response.StatusCode != HttpStatusCode.PartialContent || response.RequestMessage!.RequestUri!.AbsolutePath.Contains("/resolve/", StringComparison.Ordinal))
            {
                return response;
            }
            var bytes = await response.Content.ReadAsByteArrayAsync();
            bytes[100] ^= 0x40;
            var changed = new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = new ByteArrayContent(bytes), RequestMessage = response.RequestMessage };
            changed.Content.Headers.ContentRange = response.Content.Headers.ContentRange;
            return changed;
        }));

        var error = await Assert.ThrowsAsync<HubContentMismatchException>(() => client.Files.DownloadFileAsync(repo, "tampered.bin"));

        Assert.Contains("tampered.bin", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        var repoFolder = Path.Combine(_home, "hub", $"models--{repo.Namespace}--{repo.Name}");
        Assert.False(Directory.Exists(Path.Combine(repoFolder, "snapshots")) && Directory.EnumerateFiles(Path.Combine(repoFolder, "snapshots"), "*", SearchOption.AllDirectories).Any());
        Assert.Empty(Directory.Exists(Path.Combine(repoFolder, "blobs")) ? Directory.EnumerateFiles(Path.Combine(repoFolder, "blobs")) : []);
    }

    [Fact]
    public async Task Dropped_xorb_answers_under_injected_faults_still_end_with_the_right_bytes()
    {
        var content = FilesTesting.RandomBytes(600_000, seed: 46);
        var (token, repo, _) = await XetFileAsync("faults.bin", content);
        var trace = new ConcurrentQueue<string>();
        var cut = 0;
        // The first two range answers break half way (a dropped connection); the retries read them whole.
        using var client = Client(token, trace, transport: new Rewrite(null, async response =>
        {
            if (response.StatusCode != HttpStatusCode.PartialContent || Interlocked.Increment(ref cut) > 2)
            {
                return response;
            }
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var broken = new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = new StreamContent(new BreakingStream(bytes, bytes.Length / 2)), RequestMessage = response.RequestMessage };
            return broken;
        }));

        var path = await client.Files.DownloadFileAsync(repo, "faults.bin");

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Contains(trace, line => line == "faults.bin: transfer xet (v2 reconstruction, 2 terms)");
    }

    /// <summary>Sends to the real local hub, optionally answering some requests itself or changing answers on their way back.</summary>
    private sealed class Rewrite(Func<HttpRequestMessage, HttpResponseMessage?>? answer, Func<HttpResponseMessage, Task<HttpResponseMessage>>? change = null) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (answer?.Invoke(request) is { } own)
            {
                own.RequestMessage = request;
                return own;
            }
            var response = await base.SendAsync(request, cancellationToken);
            return change is null ? response : await change(response);
        }
    }

    /// <summary>A body that throws like a dropped connection after <c>limit</c> bytes.</summary>
    private sealed class BreakingStream(byte[] data, int limit) : MemoryStream(data, 0, data.Length, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= limit)
            {
                throw new IOException("connection reset");
            }
            var slice = buffer[..(int)Math.Min(buffer.Length, limit - Position)];
            return await base.ReadAsync(slice, cancellationToken);
        }
    }

    private sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
