using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HfCtl.Testing;
using static HfHub.LocalHub.Tests.Xet.XetWire;

namespace HfHub.LocalHub.Tests;

/// <summary>Storage Buckets on the local hub, spoken to as the official clients do (buckets.md §3, §4).</summary>
public sealed partial class BucketTests(SmallPagesHubFixture hub) : IClassFixture<SmallPagesHubFixture>
{
    [GeneratedRegex("<(https?://[^>]+)>;\\s+rel=\"next\"")]
    private static partial Regex NextLink();

    private static async Task<(List<JsonElement> Items, int Pages)> AllPagesAsync(HttpClient client, string url)
    {
        var items = new List<JsonElement>();
        var pages = 0;
        string? next = url;
        while (next is not null)
        {
            var response = await client.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            items.AddRange((await response.JsonAsync()).EnumerateArray());
            pages++;
            next = response.Headers.TryGetValues("Link", out var links) && NextLink().Match(links.First()) is { Success: true } m ? m.Groups[1].Value : null;
        }
        return (items, pages);
    }

    private static async Task<string> CreateBucketAsync(HttpClient client, string user, object? body = null)
    {
        var name = LocalHubFixture.UniqueName("b");
        var created = await (await client.PostAsJsonAsync($"/api/buckets/me/{name}", body ?? new { })).OkJsonAsync("create");
        Assert.Equal($"{user}/{name}", created.GetProperty("id").GetString());
        return $"{user}/{name}";
    }

    /// <summary>Uploads content as a Xet file with the bucket's write token and a shard without SHA-256, as Python and JS do; returns its Xet hash.</summary>
    private static async Task<string> UploadAsync(HttpClient client, string bucket, byte[] content)
    {
        var token = await (await client.GetAsync($"/api/buckets/{bucket}/xet-write-token")).OkJsonAsync("write token");
        using var cas = CasClient(token.GetProperty("casUrl").GetString()!, token.GetProperty("accessToken").GetString()!);
        var xorb = Xorb(Split(content, 16 * 1024));
        await (await cas.PostXorbAsync(xorb)).OkJsonAsync("xorb");
        Term[] terms = [new(xorb, 0, xorb.Chunks.Count)];
        await (await cas.PostShardAsync(Shard(terms, sha256: null, [xorb]))).OkJsonAsync("shard");
        return FileHash(terms);
    }

    private static Task<HttpResponseMessage> BatchAsync(HttpClient client, string bucket, params object[] lines)
    {
        var body = string.Join('\n', lines.Select(l => JsonSerializer.Serialize(l)));
        return client.PostAsync($"/api/buckets/{bucket}/batch", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
    }

    [Fact]
    public async Task Buckets_are_created_public_by_default_listed_in_pages_and_deleted_with_their_files()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var first = await CreateBucketAsync(client, user);
        var created = await client.PostAsJsonAsync($"/api/buckets/{first}", new { });
        Assert.Equal(HttpStatusCode.Conflict, created.StatusCode);
        Assert.Equal($"{hub.EndpointText}/buckets/{first}", (await created.JsonAsync()).GetProperty("url").GetString());
        var secret = await CreateBucketAsync(client, user, new { @private = true });
        var third = await CreateBucketAsync(client, user, new { visibility = "private", region = "eu" });

        var info = await (await client.GetAsync($"/api/buckets/{first}")).OkJsonAsync("info");
        Assert.False(info.GetProperty("private").GetBoolean());
        Assert.Equal(0, info.GetProperty("size").GetInt64());
        Assert.Equal(0, info.GetProperty("totalFiles").GetInt64());
        Assert.True(DateTimeOffset.TryParse(info.GetProperty("createdAt").GetString(), out _));

        var (mine, pages) = await AllPagesAsync(client, "/api/buckets/me");
        Assert.Equal([first, secret, third], mine.Select(b => b.GetProperty("id").GetString()).ToList());
        Assert.Equal(2, pages); // two per page on this hub
        Assert.True(mine[1].GetProperty("private").GetBoolean());

        // Someone else sees only the public one; a private bucket does not exist for them.
        var (_, otherToken) = await hub.CreateUserAsync();
        using var other = hub.RawClient(otherToken);
        var (theirs, _) = await AllPagesAsync(other, $"/api/buckets/{user}");
        Assert.Equal([first], theirs.Select(b => b.GetProperty("id").GetString()).ToList());
        var hidden = await other.GetAsync($"/api/buckets/{secret}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal("RepoNotFound", hidden.ErrorCode());
        using var anonymous = hub.RawClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/buckets/{secret}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/api/buckets/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.DeleteAsync($"/api/buckets/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsJsonAsync($"/api/buckets/{user}/x{Guid.NewGuid():N}"[..40], new { })).StatusCode);

        // A non-empty bucket is deleted with its files.
        var hash = await UploadAsync(client, first, [1, 2, 3]);
        await (await BatchAsync(client, first, new { type = "addFile", path = "a.bin", xetHash = hash })).OkJsonAsync("batch");
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/buckets/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/buckets/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/buckets/{first}")).StatusCode);
    }

    [Fact]
    public async Task Bad_names_regions_and_visibilities_are_refused_with_400()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/buckets/me/bad..name", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync($"/api/buckets/me/{new string('a', 97)}", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/buckets/me/okname", new { region = "mars" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/buckets/me/okname", new { @private = true, visibility = "public" })).StatusCode);
        var (_, readToken) = await hub.CreateUserAsync("read");
        using var reader = hub.RawClient(readToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/api/buckets/me/okname", new { })).StatusCode);
    }

    [Fact]
    public async Task Files_added_after_a_shard_without_sha256_are_listed_described_and_resolved_with_ranges()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var bucket = await CreateBucketAsync(client, user);
        var content = Enumerable.Range(0, 40_000).Select(i => (byte)(i * 7)).ToArray();
        var hash = await UploadAsync(client, bucket, content);
        var answer = await BatchAsync(client, bucket,
            new { type = "addFile", path = "models/v1/model.bin", xetHash = hash, mtime = 1727278262346L, contentType = "application/x-test" },
            new { type = "addFile", path = "models/readme.md", xetHash = hash },
            new { type = "addFile", path = "top.bin", xetHash = hash },
            new { type = "addFile", path = "empty.txt", xetHash = new string('0', 64) });
        var body = await answer.OkJsonAsync("batch");
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(4, body.GetProperty("succeeded").GetInt32());

        var info = await (await client.GetAsync($"/api/buckets/{bucket}")).JsonAsync();
        Assert.Equal(3L * content.Length, info.GetProperty("size").GetInt64());
        Assert.Equal(4, info.GetProperty("totalFiles").GetInt64());

        var (top, _) = await AllPagesAsync(client, $"/api/buckets/{bucket}/tree");
        Assert.Equal(["empty.txt", "models", "top.bin"], top.Select(e => e.GetProperty("path").GetString()).ToList());
        Assert.Equal("directory", top[1].GetProperty("type").GetString());
        var (all, pages) = await AllPagesAsync(client, $"/api/buckets/{bucket}/tree?recursive=true");
        Assert.Equal(["empty.txt", "models", "models/readme.md", "models/v1", "models/v1/model.bin", "top.bin"], all.Select(e => e.GetProperty("path").GetString()).ToList());
        Assert.Equal(2, pages);
        // Python encodes the prefix's '/' as %2F.
        var (under, _) = await AllPagesAsync(client, $"/api/buckets/{bucket}/tree/models%2Fv1?recursive=false");
        var model = Assert.Single(under);
        Assert.Equal(hash, model.GetProperty("xetHash").GetString());
        Assert.Equal(content.Length, model.GetProperty("size").GetInt64());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1727278262346), DateTimeOffset.Parse(model.GetProperty("mtime").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty((await AllPagesAsync(client, $"/api/buckets/{bucket}/tree/nothing-here")).Items);

        var info2 = await (await client.PostAsJsonAsync($"/api/buckets/{bucket}/paths-info", new { paths = new[] { "top.bin", "models", "missing" } })).OkJsonAsync("paths-info");
        Assert.Equal(["top.bin"], info2.EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList());

        using var head = new HttpRequestMessage(HttpMethod.Head, $"/buckets/{bucket}/resolve/models%2Fv1%2Fmodel.bin");
        var headAnswer = await client.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, headAnswer.StatusCode);
        Assert.Equal(content.Length, headAnswer.Content.Headers.ContentLength);
        Assert.Equal(hash, headAnswer.Headers.GetValues("X-Xet-Hash").Single());
        Assert.Contains($"/api/buckets/{bucket}/xet-read-token>; rel=\"xet-auth\"", headAnswer.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
        Assert.Equal(content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), headAnswer.Headers.GetValues("X-Linked-Size").Single());

        var bytes = await client.GetByteArrayAsync($"/buckets/{bucket}/resolve/models/v1/model.bin");
        Assert.Equal(content, bytes);
        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"/buckets/{bucket}/resolve/top.bin");
        ranged.Headers.Range = new RangeHeaderValue(20_000, 20_009);
        var part = await client.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(content[20_000..20_010], await part.Content.ReadAsByteArrayAsync());
        Assert.Empty(await client.GetByteArrayAsync($"/buckets/{bucket}/resolve/empty.txt"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/buckets/{bucket}/resolve/missing")).StatusCode);

        // The bucket's read token reads the file from the CAS (what hf_xet and JS do).
        var read = await (await client.GetAsync($"/api/buckets/{bucket}/xet-read-token")).OkJsonAsync("read token");
        using var cas = CasClient(read.GetProperty("casUrl").GetString()!, read.GetProperty("accessToken").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await cas.GetAsync($"v1/reconstructions/{hash}")).StatusCode);
    }

    [Fact]
    public async Task A_batch_applies_line_by_line_reports_failures_with_422_and_replays_harmlessly()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var bucket = await CreateBucketAsync(client, user);
        var hash = await UploadAsync(client, bucket, Encoding.UTF8.GetBytes("hello buckets"));
        object[] lines =
        [
            new { type = "addFile", path = "ok.txt", xetHash = hash },
            new { type = "addFile", path = "../escape.txt", xetHash = hash },
            new { type = "addFile", path = "a//b.txt", xetHash = hash },
            new { type = "addFile", path = "unknown.txt", xetHash = new string('a', 64) },
            new { type = "deleteFile", path = "never-there.txt" },
        ];
        var answer = await BatchAsync(client, bucket, lines);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        var body = await answer.JsonAsync();
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(5, body.GetProperty("processed").GetInt32());
        Assert.Equal(2, body.GetProperty("succeeded").GetInt32());
        Assert.Equal(["../escape.txt", "a//b.txt", "unknown.txt"], body.GetProperty("failed").EnumerateArray().Select(f => f.GetProperty("path").GetString()).ToList());
        Assert.Equal(["ok.txt"], (await AllPagesAsync(client, $"/api/buckets/{bucket}/tree?recursive=true")).Items.Select(e => e.GetProperty("path").GetString()).ToList());

        // A replay of the good lines (as a retried POST would be) succeeds again.
        Assert.Equal(HttpStatusCode.OK, (await BatchAsync(client, bucket, lines[0], lines[4])).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await BatchAsync(client, bucket, lines[0], lines[4])).StatusCode);

        var tooMany = await BatchAsync(client, bucket, [.. Enumerable.Range(0, 1001).Select(i => (object)new { type = "deleteFile", path = $"f{i}" })]);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await BatchAsync(client, bucket, [.. Enumerable.Range(0, 1000).Select(i => (object)new { type = "deleteFile", path = $"f{i}" })])).StatusCode);

        // Writing needs write access: a read token, another user, or nobody are refused before any line runs.
        var readToken = await hub.CreateTokenAsync(user, "read");
        using var reader = hub.RawClient(readToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await BatchAsync(reader, bucket, new { type = "deleteFile", path = "ok.txt" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync($"/api/buckets/{bucket}/xet-write-token")).StatusCode);
        var (_, otherToken) = await hub.CreateUserAsync();
        using var other = hub.RawClient(otherToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await BatchAsync(other, bucket, new { type = "deleteFile", path = "ok.txt" })).StatusCode);
        // A hash uploaded through another bucket cannot be added by naming it.
        var theirs = await CreateBucketAsync(other, (await (await other.GetAsync("/api/whoami-v2")).JsonAsync()).GetProperty("name").GetString()!);
        var failed = await BatchAsync(other, theirs, new { type = "addFile", path = "stolen.txt", xetHash = hash });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed.StatusCode);
        Assert.Single((await (await client.PostAsJsonAsync($"/api/buckets/{bucket}/paths-info", new { paths = new[] { "ok.txt" } })).JsonAsync()).EnumerateArray());
    }

    [Fact]
    public async Task CopyFile_copies_by_hash_from_readable_repos_and_buckets_only()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync(LocalHubFixture.UniqueName("src"));
        var content = Encoding.UTF8.GetBytes(new string('x', 30_000));
        var (_, repoHash) = await UploadAndCommitAsync(client, repo, "data.bin", content);
        var bucket = await CreateBucketAsync(client, user);
        var copied = await BatchAsync(client, bucket, new { type = "copyFile", path = "copy/data.bin", xetHash = repoHash, sourceRepoType = "model", sourceRepoId = repo });
        await copied.OkJsonAsync("copy from repo");
        Assert.Equal(content, await client.GetByteArrayAsync($"/buckets/{bucket}/resolve/copy/data.bin"));

        var second = await CreateBucketAsync(client, user);
        await (await BatchAsync(client, second, new { type = "copyFile", path = "again.bin", xetHash = repoHash, sourceRepoType = "bucket", sourceRepoId = bucket })).OkJsonAsync("copy from bucket");

        // Someone who cannot read the private source gets a failed line, and nothing lands.
        var privateRepo = await client.CreateRepoAsync(LocalHubFixture.UniqueName("p"), isPrivate: true);
        var (_, secretHash) = await UploadAndCommitAsync(client, privateRepo, "secret.bin", Encoding.UTF8.GetBytes("secret!"));
        var (otherUser, otherToken) = await hub.CreateUserAsync();
        using var other = hub.RawClient(otherToken);
        var theirs = await CreateBucketAsync(other, otherUser);
        var refused = await BatchAsync(other, theirs, new { type = "copyFile", path = "s.bin", xetHash = secretHash, sourceRepoType = "model", sourceRepoId = privateRepo },
            new { type = "copyFile", path = "wrong-hash.bin", xetHash = secretHash, sourceRepoType = "model", sourceRepoId = repo });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(2, (await refused.JsonAsync()).GetProperty("failed").GetArrayLength());
        Assert.Empty((await AllPagesAsync(other, $"/api/buckets/{theirs}/tree?recursive=true")).Items);
    }

    [Fact]
    public async Task Buckets_move_through_the_repo_move_route_and_keep_their_files()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var bucket = await CreateBucketAsync(client, user);
        var hash = await UploadAsync(client, bucket, [9, 8, 7]);
        await (await BatchAsync(client, bucket, new { type = "addFile", path = "f.bin", xetHash = hash })).OkJsonAsync("batch");
        var target = $"{user}/{LocalHubFixture.UniqueName("moved")}";
        var moved = await client.PostAsJsonAsync("/api/repos/move", new { fromRepo = bucket, toRepo = target, type = "bucket" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/buckets/{bucket}")).StatusCode);
        Assert.Equal([9, 8, 7], await client.GetByteArrayAsync($"/buckets/{target}/resolve/f.bin"));
        var clash = await CreateBucketAsync(client, user);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/repos/move", new { fromRepo = target, toRepo = clash, type = "bucket" })).StatusCode);
    }

    [Fact]
    public async Task A_repo_write_token_still_requires_the_sha256_extension()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync(LocalHubFixture.UniqueName("r"));
        var (xetToken, casUrl, _) = await TokenAsync(client, repo, write: true);
        using var cas = CasClient(casUrl, xetToken);
        var xorb = Xorb(Split([1, 2, 3, 4], 2));
        await (await cas.PostXorbAsync(xorb)).OkJsonAsync("xorb");
        var refused = await cas.PostShardAsync(Shard([new Term(xorb, 0, xorb.Chunks.Count)], sha256: null, [xorb]));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("SHA-256", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
