using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using HfCtl.Testing;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Tests.Security;

/// <summary>The system clock plus an offset the test moves forward: expiry without waiting.</summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
}

/// <summary>A hub on a clock the tests control, with small multipart chunks.</summary>
public sealed class ClockedHubFixture : LocalHubFixture
{
    public const int ChunkSize = 64 * 1024;

    public ShiftedClock Clock { get; } = new();

    protected override void Configure(LocalHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Clock = Clock;
        options.LfsChunkSize = ChunkSize;
    }
}

/// <summary>
/// Signed storage URLs (<c>/lfs-storage/…</c>, see <see cref="LfsTransfers"/>): they carry no
/// Authorization, so the signed grant is the only credential. They expire, they cannot be turned
/// into a URL for another object, size, repo, part or action (403), and reusing a finished
/// upload URL never changes the stored object.
/// </summary>
public sealed class SignedUrlTests(ClockedHubFixture hub) : IClassFixture<ClockedHubFixture>, IDisposable
{
    private const string Forbidden = "Request has expired or its signature does not match";
    private readonly HttpClient _storage = new();

    private async Task<(HttpClient Owner, string Repo)> RepoAsync(bool isPrivate = false)
    {
        var (_, token) = await hub.CreateUserAsync();
        var owner = hub.RawClient(token);
        return (owner, await owner.CreateRepoAsync(LocalHubFixture.UniqueName("r"), isPrivate: isPrivate));
    }

    public void Dispose() => _storage.Dispose();

    private static JsonElement Actions(JsonElement batch) => batch.GetProperty("objects")[0].GetProperty("actions");

    private static async Task AssertForbiddenAsync(HttpResponseMessage response, string what)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(Forbidden, response.Header("X-Error-Message"));
    }

    /// <summary>True when the repo's batch API still asks for the object's bytes (it is not stored for this repo).</summary>
    private static async Task<bool> NeedsUploadAsync(HttpClient owner, string repo, byte[] content) =>
        (await owner.LfsBatchAsync(repo, content)).GetProperty("objects")[0].TryGetProperty("actions", out _);

    private async Task<byte[]> DownloadAsync(HttpClient owner, string repo, string path)
    {
        var response = await owner.GetAsync($"/{repo}/resolve/main/{path}");
        Assert.True(response.IsSuccessStatusCode, $"resolve {path}: {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task Upload_part_completion_and_download_urls_expire()
    {
        var (owner, repo) = await RepoAsync();
        var small = HubFiles.RandomBytes(1000, seed: 11);
        var large = HubFiles.RandomBytes(ClockedHubFixture.ChunkSize * 2 + 10, seed: 12);
        var basic = Actions(await owner.LfsBatchAsync(repo, small)).GetProperty("upload").GetProperty("href").GetString()!;
        var multipart = Actions(await owner.LfsBatchAsync(repo, large)).GetProperty("upload");
        var part1 = multipart.GetProperty("header").GetProperty("00001").GetString()!;
        var complete = multipart.GetProperty("href").GetString()!;

        await owner.UploadLfsAsync(repo, HubFiles.RandomBytes(500, seed: 13));
        var stored = HubFiles.RandomBytes(500, seed: 13);
        await owner.CommitOkAsync(repo, "lfs", HubFiles.LfsFile("w.bin", stored));
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = hub.Endpoint };
        var redirect = await noRedirects.GetAsync($"/{repo}/resolve/main/w.bin");
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        var download = redirect.Headers.Location!.ToString();
        Assert.Equal(HttpStatusCode.OK, (await _storage.GetAsync(download)).StatusCode);

        // Just past the download lifetime (1 h): the download URL is dead, upload URLs (1 day) still live.
        hub.Clock.Advance(LfsTransfers.DownloadLifetime + TimeSpan.FromMinutes(1));
        await AssertForbiddenAsync(await _storage.GetAsync(download), "expired download URL");
        Assert.Equal(HttpStatusCode.OK, (await _storage.PutAsync(part1, new ByteArrayContent(large.AsSpan(0, ClockedHubFixture.ChunkSize).ToArray()))).StatusCode);

        // Past the upload lifetime: basic, part and completion URLs are refused and nothing is stored.
        hub.Clock.Advance(LfsTransfers.UploadLifetime);
        await AssertForbiddenAsync(await _storage.PutAsync(basic, new ByteArrayContent(small)), "expired upload URL");
        await AssertForbiddenAsync(await _storage.PutAsync(part1, new ByteArrayContent(large.AsSpan(0, ClockedHubFixture.ChunkSize).ToArray())), "expired part URL");
        await AssertForbiddenAsync(await _storage.PostAsync(complete, new StringContent("{\"parts\":[]}")), "expired completion URL");
        Assert.True(await NeedsUploadAsync(owner, repo, small));
        Assert.True(await NeedsUploadAsync(owner, repo, large));

        // Fresh URLs from a new batch call work again, and the resolve redirect is a fresh download URL.
        await owner.UploadLfsAsync(repo, small);
        await owner.UploadLfsAsync(repo, large);
        Assert.False(await NeedsUploadAsync(owner, repo, large));
        Assert.Equal(stored, await DownloadAsync(owner, repo, "w.bin"));
    }

    [Fact]
    public async Task A_signed_url_cannot_be_rewritten_for_another_object_size_repo_part_or_action()
    {
        var (owner, repo) = await RepoAsync();
        var content = HubFiles.RandomBytes(2000, seed: 21);
        var other = HubFiles.RandomBytes(2000, seed: 22);
        var upload = Actions(await owner.LfsBatchAsync(repo, content)).GetProperty("upload").GetProperty("href").GetString()!;
        var large = HubFiles.RandomBytes(ClockedHubFixture.ChunkSize * 2 + 10, seed: 23);
        var multipart = Actions(await owner.LfsBatchAsync(repo, large)).GetProperty("upload");
        var part1 = multipart.GetProperty("header").GetProperty("00001").GetString()!;
        var firstChunk = large.AsSpan(0, ClockedHubFixture.ChunkSize).ToArray();

        var rewrites = new (string What, string Url)[]
        {
            ("other oid", Rewrite(upload, 2, _ => HubFiles.Sha256(other))),
            ("other size", Rewrite(upload, 3, _ => "1999")),
            ("other repo", Rewrite(upload, 1, id => id + "0")),
            ("later expiry", Rewrite(upload, 4, expires => (long.Parse(expires, System.Globalization.CultureInfo.InvariantCulture) + 86400).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            ("other action", Rewrite(upload, 0, _ => "get").Replace("/upload/", "/object/", StringComparison.Ordinal)),
            ("tampered signature", TamperSignature(upload)),
            ("not a token", upload[..upload.LastIndexOf('/')] + "/not-a-token"),
        };
        foreach (var (what, url) in rewrites)
        {
            var response = what == "other action" ? await _storage.GetAsync(url) : await _storage.PutAsync(url, new ByteArrayContent(what == "other oid" ? other : content));
            await AssertForbiddenAsync(response, what);
        }
        // A URL of one action used for another (upload URL as a part or download URL) is refused too.
        await AssertForbiddenAsync(await _storage.PutAsync(upload.Replace("/upload/", "/part/", StringComparison.Ordinal), new ByteArrayContent(content)), "upload URL as a part URL");
        await AssertForbiddenAsync(await _storage.GetAsync(upload.Replace("/upload/", "/object/", StringComparison.Ordinal)), "upload URL as a download URL");
        // A part URL rewritten for another part number.
        await AssertForbiddenAsync(await _storage.PutAsync(Rewrite(part1, 5, extra => extra[..extra.LastIndexOf('#')] + "#2"), new ByteArrayContent(firstChunk)), "other part number");

        // The genuine URL with another object's bytes: refused, nothing stored.
        var wrongBody = await _storage.PutAsync(upload, new ByteArrayContent(other));
        Assert.Equal(HttpStatusCode.BadRequest, wrongBody.StatusCode);
        Assert.True(await NeedsUploadAsync(owner, repo, content));
        Assert.True(await NeedsUploadAsync(owner, repo, other));
        Assert.Equal(HttpStatusCode.OK, (await _storage.PutAsync(upload, new ByteArrayContent(content))).StatusCode);

        // Uploaded for one repo, the object is not another repo's: its batch still asks for the bytes
        // and a commit there naming the object by its SHA-256 is refused.
        Assert.False(await NeedsUploadAsync(owner, repo, content));
        var (_, strangerToken) = await hub.CreateUserAsync();
        using var stranger = hub.RawClient(strangerToken);
        var strangerRepo = await stranger.CreateRepoAsync(LocalHubFixture.UniqueName("x"));
        Assert.True(await NeedsUploadAsync(stranger, strangerRepo, content));
        var claim = await stranger.CommitAsync(strangerRepo, "claim", [HubFiles.LfsFile("stolen.bin", content)]);
        Assert.False(claim.IsSuccessStatusCode);
        Assert.True((int)claim.StatusCode < 500, $"claim: {(int)claim.StatusCode}");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/{strangerRepo}/resolve/main/stolen.bin")).StatusCode);
    }

    [Fact]
    public async Task Reusing_a_finished_upload_url_leaves_the_stored_object_intact()
    {
        var (owner, repo) = await RepoAsync();
        var content = HubFiles.RandomBytes(3000, seed: 31);
        var upload = Actions(await owner.LfsBatchAsync(repo, content)).GetProperty("upload").GetProperty("href").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await _storage.PutAsync(upload, new ByteArrayContent(content))).StatusCode);

        var large = HubFiles.RandomBytes(ClockedHubFixture.ChunkSize * 2 + 10, seed: 32);
        var multipart = Actions(await owner.LfsBatchAsync(repo, large)).GetProperty("upload");
        var partUrls = multipart.GetProperty("header").EnumerateObject().Where(p => p.Name.All(char.IsAsciiDigit)).Select(p => p.Value.GetString()!).ToList();
        var parts = new List<object>();
        for (var i = 0; i < partUrls.Count; i++)
        {
            var offset = i * ClockedHubFixture.ChunkSize;
            var put = await _storage.PutAsync(partUrls[i], new ByteArrayContent(large.AsSpan(offset, Math.Min(ClockedHubFixture.ChunkSize, large.Length - offset)).ToArray()));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            parts.Add(new { partNumber = i + 1, etag = put.Headers.ETag!.ToString() });
        }
        var completeUrl = multipart.GetProperty("href").GetString()!;
        var completion = JsonSerializer.Serialize(new { oid = HubFiles.Sha256(large), parts });
        Assert.Equal(HttpStatusCode.OK, (await _storage.PostAsync(completeUrl, new StringContent(completion))).StatusCode);
        await owner.CommitOkAsync(repo, "both", HubFiles.LfsFile("small.bin", content), HubFiles.LfsFile("large.bin", large));

        // Replays: other bytes of the same length, the same bytes again, a truncated body, a part
        // rewritten after completion, a repeated completion.
        var forged = HubFiles.RandomBytes(3000, seed: 33);
        Assert.Equal(HttpStatusCode.BadRequest, (await _storage.PutAsync(upload, new ByteArrayContent(forged))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _storage.PutAsync(upload, new ByteArrayContent(content.AsSpan(0, 100).ToArray()))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _storage.PutAsync(upload, new ByteArrayContent(content))).StatusCode);
        var rewrite = await _storage.PutAsync(partUrls[0], new ByteArrayContent(new byte[ClockedHubFixture.ChunkSize]));
        Assert.Equal(HttpStatusCode.NotFound, rewrite.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _storage.PostAsync(completeUrl, new StringContent(completion))).StatusCode);

        Assert.Equal(content, await DownloadAsync(owner, repo, "small.bin"));
        Assert.Equal(large, await DownloadAsync(owner, repo, "large.bin"));
        Assert.True(hub.Hub.State.Blobs.Exists(HubFiles.Sha256(content)));
        Assert.False(hub.Hub.State.Blobs.Exists(HubFiles.Sha256(forged)));
    }

    /// <summary>The URL with field <paramref name="field"/> of its signed payload changed, the signature kept.</summary>
    private static string Rewrite(string url, int field, Func<string, string> change)
    {
        var slash = url.LastIndexOf('/');
        var token = url[(slash + 1)..].Split('.');
        var fields = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token[0])).Split('|');
        fields[field] = change(fields[field]);
        return url[..(slash + 1)] + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('|', fields))) + "." + token[1];
    }

    /// <summary>The URL with the first character of its signature changed (the last one may only carry padding bits).</summary>
    private static string TamperSignature(string url)
    {
        var dot = url.LastIndexOf('.');
        var changed = url[dot + 1] == 'A' ? 'B' : 'A';
        return url[..(dot + 1)] + changed + url[(dot + 2)..];
    }
}
