using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace HfHub.LocalHub.Tests;

public sealed class LfsTests(SmallPagesHubFixture hub) : IClassFixture<SmallPagesHubFixture>
{
    [Fact]
    public async Task Basic_upload_then_commit_then_resolve_redirects_to_the_signed_object()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("basic-lfs");
        var content = HubFiles.RandomBytes(5000);
        var sha = HubFiles.Sha256(content);

        var batch = await client.LfsBatchAsync(repo, content);
        Assert.Equal("basic", batch.GetProperty("transfer").GetString());
        var upload = batch.GetProperty("objects")[0].GetProperty("actions").GetProperty("upload");
        Assert.False(upload.GetProperty("header").TryGetProperty("chunk_size", out _));
        using var storage = new HttpClient(); // no Authorization: the URL is the credential
        var put = await storage.PutAsync(upload.GetProperty("href").GetString(), new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var again = await client.LfsBatchAsync(repo, content);
        Assert.False(again.GetProperty("objects")[0].TryGetProperty("actions", out _));

        await client.CommitOkAsync(repo, "weights", HubFiles.LfsFile("weights.bin", content));
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = hub.Endpoint };
        noRedirect.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var head = await noRedirect.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{repo}/resolve/main/weights.bin"));
        Assert.Equal(HttpStatusCode.Found, head.StatusCode);
        Assert.Equal($"\"{sha}\"", head.Header("X-Linked-Etag"));
        Assert.Equal("5000", head.Header("X-Linked-Size"));
        Assert.Matches("^[0-9a-f]{40}$", head.Header("X-Repo-Commit"));
        var location = head.Headers.Location!;
        Assert.StartsWith(hub.EndpointText, location.ToString());

        var bytes = await storage.GetByteArrayAsync(location);
        Assert.Equal(content, bytes);
        Assert.Equal(content, await client.GetByteArrayAsync($"/{repo}/resolve/main/weights.bin"));

        var ranged = new HttpRequestMessage(HttpMethod.Get, $"/{repo}/resolve/main/weights.bin");
        ranged.Headers.Range = new RangeHeaderValue(0, 0);
        var first = await client.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, first.StatusCode);
        Assert.Equal("bytes 0-0/5000", first.Content.Headers.ContentRange!.ToString());
        Assert.Equal($"\"{sha}\"", first.Headers.ETag!.ToString());

        var pointer = await client.GetStringAsync($"/{repo}/raw/main/weights.bin");
        Assert.Equal($"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize 5000\n", pointer);
        var tree = await (await client.GetAsync($"/api/models/{repo}/tree/main")).JsonAsync();
        var entry = tree.EnumerateArray().Single(e => e.GetProperty("path").GetString() == "weights.bin");
        Assert.Equal(HubFiles.GitBlobId(Encoding.UTF8.GetBytes(pointer)), entry.GetProperty("oid").GetString());
        Assert.Equal(sha, entry.GetProperty("lfs").GetProperty("oid").GetString());
        Assert.Equal(pointer.Length, entry.GetProperty("lfs").GetProperty("pointerSize").GetInt32());
        Assert.Equal(5000, entry.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task Basic_upload_refuses_content_whose_hash_or_size_does_not_match()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("bad-lfs");
        var content = HubFiles.RandomBytes(3000, seed: 7);
        var href = (await client.LfsBatchAsync(repo, content)).GetProperty("objects")[0].GetProperty("actions").GetProperty("upload").GetProperty("href").GetString()!;
        using var storage = new HttpClient();
        var tampered = (byte[])content.Clone();
        tampered[10] ^= 1;
        Assert.Equal(HttpStatusCode.BadRequest, (await storage.PutAsync(href, new ByteArrayContent(tampered))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await storage.PutAsync(href, new ByteArrayContent(content[..2999]))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storage.PutAsync(href + "x", new ByteArrayContent(content))).StatusCode);
        // nothing was stored, so the object still needs an upload and cannot be committed
        Assert.True((await client.LfsBatchAsync(repo, content)).GetProperty("objects")[0].TryGetProperty("actions", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.CommitAsync(repo, "x", [HubFiles.LfsFile("x.bin", content)])).StatusCode);
    }

    [Fact]
    public async Task Multipart_upload_in_several_parts_with_etags_and_completion()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("multipart", "dataset");
        var content = HubFiles.RandomBytes(SmallPagesHubFixture.ChunkSize * 3 + 123, seed: 3);
        var batch = await client.LfsBatchAsync(repo, content, "dataset");
        Assert.Equal("multipart", batch.GetProperty("transfer").GetString());
        var upload = batch.GetProperty("objects")[0].GetProperty("actions").GetProperty("upload");
        var header = upload.GetProperty("header");
        Assert.Equal(SmallPagesHubFixture.ChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture), header.GetProperty("chunk_size").GetString());
        Assert.Equal(["00001", "00002", "00003", "00004"], header.EnumerateObject().Select(p => p.Name).Where(n => n != "chunk_size").ToList());

        using var storage = new HttpClient();
        var parts = new List<object>();
        // parts may arrive in any order (clients upload them in parallel)
        foreach (var number in new[] { 3, 1, 4, 2 })
        {
            var offset = (number - 1) * SmallPagesHubFixture.ChunkSize;
            var slice = content.AsMemory(offset, Math.Min(SmallPagesHubFixture.ChunkSize, content.Length - offset)).ToArray();
            var put = await storage.PutAsync(header.GetProperty(number.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)).GetString(), new ByteArrayContent(slice));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.False(string.IsNullOrEmpty(put.Headers.ETag?.ToString()));
            parts.Add(new { partNumber = number, etag = put.Headers.ETag!.ToString() });
        }
        var wrong = await storage.PostAsync(upload.GetProperty("href").GetString(),
            new StringContent(JsonSerializer.Serialize(new { oid = HubFiles.Sha256(content), parts = parts.Take(3) }), Encoding.UTF8, "application/vnd.git-lfs+json"));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var complete = await storage.PostAsync(upload.GetProperty("href").GetString(),
            new StringContent(JsonSerializer.Serialize(new { oid = HubFiles.Sha256(content), parts }), Encoding.UTF8, "application/vnd.git-lfs+json"));
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);

        var response = await client.CommitAsync(repo, "data", [HubFiles.LfsFile("data/train.parquet", content)], type: "dataset");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await client.GetByteArrayAsync($"/datasets/{repo}/resolve/main/data/train.parquet"));
    }

    [Fact]
    public async Task A_multipart_upload_with_a_wrong_part_fails_verification()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("multipart-bad");
        var content = HubFiles.RandomBytes(SmallPagesHubFixture.ChunkSize * 2, seed: 4);
        var upload = (await client.LfsBatchAsync(repo, content)).GetProperty("objects")[0].GetProperty("actions").GetProperty("upload");
        using var storage = new HttpClient();
        var parts = new List<object>();
        foreach (var number in new[] { 1, 2 })
        {
            var slice = content.AsMemory((number - 1) * SmallPagesHubFixture.ChunkSize, SmallPagesHubFixture.ChunkSize).ToArray();
            slice[0] ^= 0xFF;
            var put = await storage.PutAsync(upload.GetProperty("header").GetProperty($"0000{number}").GetString(), new ByteArrayContent(slice));
            parts.Add(new { partNumber = number, etag = put.Headers.ETag!.ToString() });
        }
        var complete = await storage.PostAsync(upload.GetProperty("href").GetString(),
            new StringContent(JsonSerializer.Serialize(new { oid = HubFiles.Sha256(content), parts }), Encoding.UTF8, "application/vnd.git-lfs+json"));
        Assert.Equal(HttpStatusCode.BadRequest, complete.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.CommitAsync(repo, "x", [HubFiles.LfsFile("x.bin", content)])).StatusCode);
        // a fresh batch starts over, and a correct upload then succeeds
        await client.UploadLfsAsync(repo, content);
        Assert.Equal(HttpStatusCode.OK, (await client.CommitAsync(repo, "x", [HubFiles.LfsFile("x.bin", content)])).StatusCode);
    }

    [Fact]
    public async Task Batch_needs_write_access_for_a_branch_and_reports_bad_objects()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var owner = hub.RawClient(token);
        var repo = await owner.CreateRepoAsync("batch-rights");
        var readToken = await hub.CreateTokenAsync(user, "read");
        using var reader = hub.RawClient(readToken);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/{repo}.git/info/lfs/objects/batch")
        {
            Content = new StringContent("{\"operation\":\"upload\",\"transfers\":[\"basic\"],\"hash_algo\":\"sha256\",\"ref\":{\"name\":\"main\"},\"objects\":[{\"oid\":\"" + new string('a', 64) + "\",\"size\":1}]}",
                Encoding.UTF8, "application/vnd.git-lfs+json"),
        };
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.SendAsync(request)).StatusCode);
        var bad = await owner.PostAsync($"/{repo}.git/info/lfs/objects/batch",
            new StringContent("{\"operation\":\"upload\",\"objects\":[{\"oid\":\"xyz\",\"size\":1}]}", Encoding.UTF8, "application/vnd.git-lfs+json"));
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Equal(422, (await bad.JsonAsync()).GetProperty("objects")[0].GetProperty("error").GetProperty("code").GetInt32());

        // Beyond the Hub's 500 GB limit (up to long.MaxValue) is a per-object error too, not a server failure.
        foreach (var size in new[] { 500L * 1000 * 1000 * 1000 + 1, 63488118010054586L, long.MaxValue })
        {
            var huge = await owner.PostAsync($"/{repo}.git/info/lfs/objects/batch",
                new StringContent("{\"operation\":\"upload\",\"transfers\":[\"basic\",\"multipart\"],\"objects\":[{\"oid\":\"" + new string('b', 64) + "\",\"size\":" + size + "}]}", Encoding.UTF8, "application/vnd.git-lfs+json"));
            Assert.Equal(HttpStatusCode.OK, huge.StatusCode);
            Assert.Equal(422, (await huge.JsonAsync()).GetProperty("objects")[0].GetProperty("error").GetProperty("code").GetInt32());
        }
    }

    [Fact]
    public async Task A_space_commit_of_an_lfs_path_tracks_it_in_gitattributes()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("space-lfs", "space");
        var content = HubFiles.RandomBytes(2000, seed: 9);
        await client.UploadLfsAsync(repo, content, "space");
        var response = await client.CommitAsync(repo, "db", [HubFiles.LfsFile("data/app.sqlite", content)], type: "space");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var attributes = await client.GetStringAsync($"/spaces/{repo}/resolve/main/.gitattributes");
        Assert.Contains("data/app.sqlite filter=lfs diff=lfs merge=lfs -text", attributes);
        Assert.Equal(content, await client.GetByteArrayAsync($"/spaces/{repo}/resolve/main/data/app.sqlite"));
    }

    [Fact]
    public async Task A_part_uploaded_again_after_it_was_hashed_is_verified_by_its_new_bytes()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("multipart-retry");
        var content = HubFiles.RandomBytes(SmallPagesHubFixture.ChunkSize * 2 + 10, seed: 5);
        var upload = (await client.LfsBatchAsync(repo, content)).GetProperty("objects")[0].GetProperty("actions").GetProperty("upload");
        using var storage = new HttpClient();
        async Task<string> PutAsync(int number, byte[] data)
        {
            var offset = (number - 1) * SmallPagesHubFixture.ChunkSize;
            var slice = data.AsMemory(offset, Math.Min(SmallPagesHubFixture.ChunkSize, data.Length - offset)).ToArray();
            var put = await storage.PutAsync(upload.GetProperty("header").GetProperty($"0000{number}").GetString(), new ByteArrayContent(slice));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            return put.Headers.ETag!.ToString();
        }
        Task<HttpResponseMessage> CompleteAsync(params string[] etags) => storage.PostAsync(upload.GetProperty("href").GetString(),
            new StringContent(JsonSerializer.Serialize(new { oid = HubFiles.Sha256(content), parts = etags.Select((e, i) => new { partNumber = i + 1, etag = e }) }),
                Encoding.UTF8, "application/vnd.git-lfs+json"));

        var tampered = (byte[])content.Clone();
        tampered[5] ^= 0xFF;
        var e1 = await PutAsync(1, content);
        var e2 = await PutAsync(2, content);
        var e3 = await PutAsync(3, content);
        e1 = await PutAsync(1, tampered); // part 1 was hashed already; its new bytes must count
        Assert.Equal(HttpStatusCode.BadRequest, (await CompleteAsync(e1, e2, e3)).StatusCode);

        upload = (await client.LfsBatchAsync(repo, content)).GetProperty("objects")[0].GetProperty("actions").GetProperty("upload");
        e2 = await PutAsync(2, content);
        e1 = await PutAsync(1, content);
        e3 = await PutAsync(3, content);
        e3 = await PutAsync(3, content); // an identical retry is fine
        Assert.Equal(HttpStatusCode.OK, (await CompleteAsync(e1, e2, e3)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CompleteAsync(e1, e2, e3)).StatusCode); // a retried completion too
    }

    [Fact]
    public async Task Batch_download_and_verify_actions_serve_stored_objects_only()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("batch-download");
        var content = HubFiles.RandomBytes(1500, seed: 21);
        var batch = await client.LfsBatchAsync(repo, content);
        var verify = batch.GetProperty("objects")[0].GetProperty("actions").GetProperty("verify").GetProperty("href").GetString();
        using var storage = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await storage.PostAsync(verify, JsonContent.Create(new { oid = HubFiles.Sha256(content), size = 1500 }))).StatusCode);
        await client.UploadLfsAsync(repo, content);
        Assert.Equal(HttpStatusCode.OK, (await storage.PostAsync(verify, JsonContent.Create(new { oid = HubFiles.Sha256(content), size = 1500 }))).StatusCode);

        var request = $"{{\"operation\":\"download\",\"objects\":[{{\"oid\":\"{HubFiles.Sha256(content)}\",\"size\":1500}},{{\"oid\":\"{new string('b', 64)}\",\"size\":3}}]}}";
        var response = await client.PostAsync($"/{repo}.git/info/lfs/objects/batch", new StringContent(request, Encoding.UTF8, "application/vnd.git-lfs+json"));
        var objects = (await response.JsonAsync()).GetProperty("objects");
        var href = objects[0].GetProperty("actions").GetProperty("download").GetProperty("href").GetString();
        Assert.Equal(content, await storage.GetByteArrayAsync(href));
        Assert.Equal(404, objects[1].GetProperty("error").GetProperty("code").GetInt32());
    }
}
