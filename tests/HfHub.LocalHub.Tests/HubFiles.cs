using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests;

/// <summary>A hub with small multipart chunks and small pages, so paging and multipart show with little data.</summary>
public sealed class SmallPagesHubFixture : LocalHubFixture
{
    public const int ChunkSize = 64 * 1024;

    protected override void Configure(LocalHubOptions options)
    {
        options.LfsChunkSize = ChunkSize;
        options.ListPageSize = 2;
        options.TreePageSize = 3;
        options.TreeExpandPageSize = 2;
    }
}

/// <summary>Raw-protocol helpers: the requests the official clients make, spelled out.</summary>
public static class HubFiles
{
    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Git's blob id (SHA-1 is git's object id, not a security choice).</summary>
    public static string GitBlobId(byte[] data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        hash.AppendData(Encoding.ASCII.GetBytes($"blob {data.Length}\0"));
        hash.AppendData(data);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static byte[] RandomBytes(int size, int seed = 1)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<string> CreateRepoAsync(this HttpClient client, string name, string type = "model", bool isPrivate = false, string? organization = null)
    {
        var response = await client.PostAsJsonAsync("/api/repos/create", new { name, organization, type, @private = isPrivate, sdk = type == "space" ? "static" : null });
        Assert.True(response.IsSuccessStatusCode, $"create {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.JsonAsync()).GetProperty("name").GetString()!;
    }

    /// <summary>Posts an NDJSON commit (JS style: lines joined with '\n', no trailing newline).</summary>
    public static Task<HttpResponseMessage> CommitAsync(this HttpClient client, string repoId, string summary, IEnumerable<object> operations,
        string type = "model", string revision = "main", string? parentCommit = null, bool createPr = false)
    {
        var header = new { key = "header", value = new { summary, description = "", parentCommit } };
        var lines = new[] { (object)header }.Concat(operations).Select(o => JsonSerializer.Serialize(o));
        var content = new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");
        return client.PostAsync($"/api/{type}s/{repoId}/commit/{Uri.EscapeDataString(revision)}{(createPr ? "?create_pr=1" : "")}", content);
    }

    public static object File(string path, byte[] content) =>
        new { key = "file", value = new { path, content = Convert.ToBase64String(content), encoding = "base64" } };

    public static object File(string path, string text) => File(path, Encoding.UTF8.GetBytes(text));

    public static object LfsFile(string path, byte[] content) =>
        new { key = "lfsFile", value = new { path, algo = "sha256", oid = Sha256(content), size = (long)content.Length } };

    public static object DeletedFile(string path) => new { key = "deletedFile", value = new { path } };

    public static object DeletedFolder(string path) => new { key = "deletedFolder", value = new { path } };

    public static async Task<string> CommitOkAsync(this HttpClient client, string repoId, string summary, params object[] operations)
    {
        var response = await client.CommitAsync(repoId, summary, operations);
        Assert.True(response.IsSuccessStatusCode, $"commit: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.JsonAsync()).GetProperty("commitOid").GetString()!;
    }

    public static async Task<JsonElement> LfsBatchAsync(this HttpClient client, string repoId, byte[] content, string type = "model", string[]? transfers = null)
    {
        var prefix = type == "model" ? "" : type + "s/";
        var request = new HttpRequestMessage(HttpMethod.Post, $"/{prefix}{repoId}.git/info/lfs/objects/batch")
        {
            Content = JsonContent.Create(new
            {
                operation = "upload",
                transfers = transfers ?? ["basic", "multipart"],
                hash_algo = "sha_256",
                @ref = new { name = "main" },
                objects = new[] { new { oid = Sha256(content), size = (long)content.Length } },
            }),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.git-lfs+json");
        request.Headers.Accept.ParseAdd("application/vnd.git-lfs+json");
        var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"batch: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    /// <summary>Uploads an LFS object the way the clients do (basic or multipart, storage URLs without Authorization).</summary>
    public static async Task UploadLfsAsync(this HttpClient client, string repoId, byte[] content, string type = "model")
    {
        var batch = await client.LfsBatchAsync(repoId, content, type);
        var item = batch.GetProperty("objects")[0];
        if (!item.TryGetProperty("actions", out var actions))
        {
            return;
        }
        using var storage = new HttpClient();
        var upload = actions.GetProperty("upload");
        var header = upload.GetProperty("header");
        if (header.TryGetProperty("chunk_size", out var chunkText))
        {
            var chunk = int.Parse(chunkText.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            var parts = new List<object>();
            foreach (var part in header.EnumerateObject().Where(p => p.Name.All(char.IsAsciiDigit)).OrderBy(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture)))
            {
                var number = int.Parse(part.Name, System.Globalization.CultureInfo.InvariantCulture);
                var offset = (number - 1) * chunk;
                var slice = content.AsMemory(offset, Math.Min(chunk, content.Length - offset)).ToArray();
                var put = await storage.PutAsync(part.Value.GetString(), new ByteArrayContent(slice));
                Assert.True(put.IsSuccessStatusCode, $"part {number}: {(int)put.StatusCode}");
                parts.Add(new { partNumber = number, etag = put.Headers.ETag!.ToString() });
            }
            var complete = await storage.PostAsync(upload.GetProperty("href").GetString(),
                new StringContent(JsonSerializer.Serialize(new { oid = Sha256(content), parts }), Encoding.UTF8, "application/vnd.git-lfs+json"));
            Assert.True(complete.IsSuccessStatusCode, $"complete: {(int)complete.StatusCode} {await complete.Content.ReadAsStringAsync()}");
        }
        else
        {
            var put = await storage.PutAsync(upload.GetProperty("href").GetString(), new ByteArrayContent(content));
            Assert.True(put.IsSuccessStatusCode, $"basic upload: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        }
    }

    public static string ErrorCode(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Error-Code", out var values) ? values.First() : "";

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.First()
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.First() : "";
}
