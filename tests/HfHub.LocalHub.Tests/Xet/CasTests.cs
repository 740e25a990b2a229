using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HfCtl.Testing;
using HfHub.LocalHub.Cas;
using HfHub.LocalHub.Tests.Security;
using static HfHub.LocalHub.Tests.Xet.XetWire;

namespace HfHub.LocalHub.Tests.Xet;

/// <summary>The hash code the CAS validates with, against the vectors of hub-api xet.md §1 and §2.5 (computed with the official xetchunk-wasm).</summary>
public sealed class CasHashTests
{
    [Fact]
    public void Hash_strings_read_each_8_byte_group_as_a_little_endian_number()
    {
        var bytes = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        Assert.Equal("07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918", CasHash.ToHex(bytes));
        Assert.Equal(bytes, CasHash.FromHex("07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918"));
        Assert.Null(CasHash.FromHex("07060504"));
    }

    [Fact]
    public void Chunk_xorb_and_file_hashes_match_the_reference_vectors()
    {
        var hello = CasHash.Chunk("hello world"u8);
        Assert.Equal("4e39378b9d359f118190557a1f44130219a54e5fcfa07bd96cf50b466fe651b1", CasHash.ToHex(hello));
        Assert.Equal(CasHash.ToHex(hello), CasHash.ToHex(CasHash.MerkleRoot([(hello, 11)])));
        Assert.Equal("f15edd43b7e85cfd25e2758ffe13b99fdd09dfa817e8d9f6548722a7a126db7f", CasHash.ToHex(CasHash.File([(hello, 11)])));
        var zeros = CasHash.Chunk(new byte[8192]);
        Assert.Equal("d88a3b08a2ac3c73417e59b165220ff5a1975c3d4e2a84b003c40cb7f392c443", CasHash.ToHex(zeros));
        Assert.Equal("711574865581cce65f5d06a1818a37a1dd4cfe3f65e3f4aaae2b1bacbfc253db", CasHash.ToHex(CasHash.File([(zeros, 8192)])));
        Assert.Equal(new byte[32], CasHash.File([]));
    }

    [Fact]
    public void The_merkle_root_of_the_1mb_reference_vector_matches()
    {
        // SplitMix64 data and its 19 chunk boundaries (xet.md §2.5); the xorb hash needs only hashes and lengths.
        var data = new byte[1_000_000];
        ulong state = 0;
        for (var i = 0; i < data.Length; i += 8)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            var word = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(word, z);
            word.AsSpan(0, Math.Min(8, data.Length - i)).CopyTo(data.AsSpan(i));
        }
        int[] ends = [84493, 134421, 144853, 243318, 271793, 336457, 467529, 494581, 582000, 596735, 616815, 653164, 678202, 724510, 815591, 827760, 958832, 991092, 1000000];
        var chunks = ends.Select((end, i) => (Hash: CasHash.Chunk(data.AsSpan(i == 0 ? 0 : ends[i - 1], end - (i == 0 ? 0 : ends[i - 1]))), Length: (long)(end - (i == 0 ? 0 : ends[i - 1])))).ToList();
        Assert.Equal("6eca1e7dadaf08cca5d82d318c800f07c2ddcec115a7e8627e5edd9605b94b8d", CasHash.ToHex(chunks[0].Hash));
        Assert.Equal("6f2ce16ca5e317f0100ff0e7e5bf40a0de9032e9ee1ad04b6b8ff4e36cdfbf6c", CasHash.ToHex(CasHash.MerkleRoot(chunks)));
        Assert.Equal("3d17b2d7d64a0e011b6717a52d9a16bd2c3f05b743fa8adf52a7d75dafab6d89", CasHash.ToHex(CasHash.File(chunks)));
        Assert.Equal("6daf15a7ed258b91f607e8f5e6723a8564292d12c8104c156f7bad9c255a0180", CasHash.ToHex(CasHash.Verification(chunks.Select(c => c.Hash))));
        Assert.Equal("0689e5de3d33f7cabfbd0f1b46e0401502fff2603454707b795d10ccb8a051b8", CasHash.ToHex(CasHash.MerkleRoot(chunks[..3])));
        Assert.Equal("cd71d83b221bebcc8b5a9de0b8c908ecb0558a91f4dbae0219be258718f8bf77",
            CasHash.ToHex(CasHash.Hmac(chunks[0].Hash, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray())));
    }
}

/// <summary>The CAS routes and their validations, spoken by hand on the wire.</summary>
public sealed class CasTests(ClockedHubFixture hub) : IClassFixture<ClockedHubFixture>
{
    private async Task<(HttpClient Hub, string Repo, string User)> RepoAsync()
    {
        var (user, token) = await hub.CreateUserAsync();
        var client = hub.RawClient(token);
        return (client, await client.CreateRepoAsync(LocalHubFixture.UniqueName("x")), user);
    }

    private static async Task AssertStatusAsync(HttpStatusCode expected, HttpResponseMessage response, string? messagePart = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode} {body}");
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Repos_are_xet_enabled_and_the_token_routes_answer_repo_scoped_expiring_tokens()
    {
        var (client, repo, _) = await RepoAsync();
        var info = await (await client.GetAsync($"/api/models/{repo}?expand=xetEnabled")).JsonAsync();
        Assert.True(info.GetProperty("xetEnabled").GetBoolean());

        var (token, casUrl, exp) = await TokenAsync(client, repo, write: true);
        Assert.Equal($"{hub.EndpointText}/cas", casUrl);
        Assert.InRange(exp, DateTimeOffset.UtcNow.AddMinutes(50).ToUnixTimeSeconds(), hub.Clock.GetUtcNow().AddHours(2).ToUnixTimeSeconds());
        Assert.DoesNotContain(token, (await client.GetStringAsync($"/api/models/{repo}")), StringComparison.Ordinal);
        using var anonymous = hub.RawClient();
        Assert.True((await anonymous.GetAsync($"/api/models/{repo}/xet-read-token/main")).IsSuccessStatusCode, "a public repo's read token is open to anyone");
        await AssertStatusAsync(HttpStatusCode.Unauthorized, await anonymous.GetAsync($"/api/models/{repo}/xet-write-token/main"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await client.GetAsync($"/api/models/{repo}/xet-read-token/no-such-branch"));
        var (_, readOnly) = await hub.CreateUserAsync("read");
        using var reader = hub.RawClient(readOnly);
        await AssertStatusAsync(HttpStatusCode.Forbidden, await reader.GetAsync($"/api/models/{repo}/xet-write-token/main"));

        // The Hub token is not a CAS token, and a CAS token is not a Hub token.
        using var withHubToken = CasClient(casUrl, client.DefaultRequestHeaders.Authorization!.Parameter!);
        await AssertStatusAsync(HttpStatusCode.Unauthorized, await withHubToken.PostXorbAsync(Xorb([[1, 2, 3]])));
        using var hubWithXetToken = hub.RawClient(token);
        await AssertStatusAsync(HttpStatusCode.Unauthorized, await hubWithXetToken.GetAsync("/api/whoami-v2"));
    }

    [Fact]
    public async Task A_read_token_cannot_upload_and_an_expired_token_is_refused()
    {
        var (client, repo, _) = await RepoAsync();
        var (read, casUrl, _) = await TokenAsync(client, repo, write: false);
        using var readCas = CasClient(casUrl, read);
        await AssertStatusAsync(HttpStatusCode.Forbidden, await readCas.PostXorbAsync(Xorb([[9, 9, 9]])), "read-only");

        var (write, _, _) = await TokenAsync(client, repo, write: true);
        using var cas = CasClient(casUrl, write);
        hub.Clock.Advance(TimeSpan.FromHours(2));
        try
        {
            await AssertStatusAsync(HttpStatusCode.Unauthorized, await cas.PostXorbAsync(Xorb([[7, 7, 7]])), "expired");
        }
        finally
        {
            hub.Clock.Advance(TimeSpan.FromHours(-2));
        }
        await AssertStatusAsync(HttpStatusCode.OK, await cas.PostXorbAsync(Xorb([[7, 7, 7]])));
    }

    [Fact]
    public async Task A_xorb_is_stored_once_its_hash_is_recomputed_and_malformed_xorbs_are_refused()
    {
        var (client, repo, _) = await RepoAsync();
        var (token, casUrl, _) = await TokenAsync(client, repo, write: true);
        using var cas = CasClient(casUrl, token);
        var content = HubFiles.RandomBytes(100_000, seed: 11);
        var xorb = Xorb(Split(content, 20_000), lz4: true);

        var wrongHash = Xorb(Split(HubFiles.RandomBytes(100, seed: 12), 50)).Hash;
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostXorbAsync(xorb, hash: wrongHash), "hash to");
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostXorbAsync(xorb, body: xorb.Bytes[..^10]), "truncated");
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostXorbAsync(xorb, body: [.. xorb.Bytes, 1, 2, 3]));
        var badVersion = (byte[])xorb.Bytes.Clone();
        badVersion[0] = 3;
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostXorbAsync(xorb, body: badVersion), "version");
        var tampered = (byte[])Xorb(Split(content, 20_000)).Bytes.Clone();
        tampered[50] ^= 1;
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostXorbAsync(Xorb(Split(content, 20_000)), body: tampered), "hash to");
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostAsync($"v1/xorbs/default/not-a-hash", new ByteArrayContent(xorb.Bytes)));
        Assert.Null(hub.Hub.State.Cas.XorbSize(xorb.Hash));

        var first = await (await cas.PostXorbAsync(xorb)).OkJsonAsync("xorb");
        Assert.True(first.GetProperty("was_inserted").GetBoolean());
        var onDisk = hub.Hub.XetChunkBytesOnDisk();
        var again = await (await cas.PostXorbAsync(xorb)).OkJsonAsync("xorb again");
        Assert.False(again.GetProperty("was_inserted").GetBoolean());
        // The same chunks stored raw hash to the same xorb (the hash covers chunk hashes, not the encoding): already stored.
        var raw = Xorb(Split(content, 20_000));
        Assert.Equal(xorb.Hash, raw.Hash);
        Assert.False((await (await cas.PostXorbAsync(raw)).OkJsonAsync("raw")).GetProperty("was_inserted").GetBoolean());
        // A new xorb made of known chunks is inserted, and adds no bytes on disk.
        var subset = Xorb(Split(content, 20_000).Skip(1).Take(3));
        Assert.True((await (await cas.PostXorbAsync(subset)).OkJsonAsync("subset")).GetProperty("was_inserted").GetBoolean());
        Assert.Equal(onDisk, hub.Hub.XetChunkBytesOnDisk());

        var head = await cas.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v1/xorbs/default/{xorb.Hash}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cas.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v1/xorbs/default/{wrongHash}"))).StatusCode);
    }

    [Fact]
    public async Task A_shard_is_validated_before_anything_is_registered()
    {
        var (client, repo, _) = await RepoAsync();
        var (token, casUrl, _) = await TokenAsync(client, repo, write: true);
        using var cas = CasClient(casUrl, token);
        var content = HubFiles.RandomBytes(70_000, seed: 21);
        var xorb = Xorb(Split(content, 16_384));
        var sha = Sha256(content);
        Term[] terms = [new(xorb, 0, xorb.Chunks.Count)];

        // the xorb is not uploaded yet
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostShardAsync(Shard(terms, sha, [])), "not uploaded");
        await (await cas.PostXorbAsync(xorb)).OkJsonAsync("xorb");
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostShardAsync(Shard(terms, sha, [xorb], fileHash: xorb.Hash)), "hash to");
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostShardAsync(Shard(terms, sha, [xorb], breakVerification: true)), "verification");
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostShardAsync(Shard(terms, Sha256([1, 2, 3]), [xorb])), "SHA-256");
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostShardAsync(Shard([new(xorb, 0, xorb.Chunks.Count + 1)], sha, [xorb])), "which has");
        var good = Shard(terms, sha, [xorb]);
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostShardAsync(good[..100]), "truncated");
        await AssertStatusAsync(HttpStatusCode.BadRequest, await cas.PostShardAsync([.. "not a shard"u8]), "not a Xet shard");
        // nothing refused was registered, so the commit of the path is refused
        await AssertStatusAsync(HttpStatusCode.BadRequest, await client.CommitAsync(repo, "x", [HubFiles.LfsFile("x.bin", content)]), "does not exist");

        Assert.Equal(1, (await (await cas.PostShardAsync(good)).OkJsonAsync("shard")).GetProperty("result").GetInt32());
        Assert.Equal(0, (await (await cas.PostShardAsync(Shard(terms, sha, [xorb], withFooter: false))).OkJsonAsync("again, no footer")).GetProperty("result").GetInt32());
        await client.CommitOkAsync(repo, "add x", HubFiles.LfsFile("x.bin", content));
        var tree = await (await client.GetAsync($"/api/models/{repo}/tree/main")).JsonAsync();
        var entry = tree.EnumerateArray().Single(e => e.GetProperty("path").GetString() == "x.bin");
        Assert.Equal(FileHash(terms), entry.GetProperty("xetHash").GetString());
        Assert.Equal(sha, entry.GetProperty("lfs").GetProperty("oid").GetString());
        var paths = await (await client.PostAsync($"/api/models/{repo}/paths-info/main", JsonContent(new { paths = new[] { "x.bin" } }))).JsonAsync();
        Assert.Equal(FileHash(terms), paths[0].GetProperty("xetHash").GetString());
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    [Fact]
    public async Task Resolve_gives_xet_headers_and_bridges_the_reconstructed_bytes_with_ranges()
    {
        var (client, repo, _) = await RepoAsync();
        var content = HubFiles.RandomBytes(90_000, seed: 31);
        var (_, fileHash) = await UploadAndCommitAsync(client, repo, "w.bin", content, lz4: true);
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = hub.Endpoint };
        noRedirect.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        var head = await noRedirect.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{repo}/resolve/main/w.bin"));
        Assert.Equal(HttpStatusCode.Found, head.StatusCode);
        Assert.Equal(fileHash, head.Header("X-Xet-Hash"));
        Assert.Equal($"\"{Sha256(content)}\"", head.Header("X-Linked-Etag"));
        Assert.Equal("90000", head.Header("X-Linked-Size"));
        var commit = head.Header("X-Repo-Commit");
        Assert.Equal($"<{hub.EndpointText}/api/models/{repo}/xet-read-token/{commit}>; rel=\"xet-auth\", <{hub.EndpointText}/cas/v1/reconstructions/{fileHash}>; rel=\"xet-reconstruction-info\"",
            head.Header("Link"));
        Assert.StartsWith($"{hub.EndpointText}/cas/bridge/", head.Headers.Location!.ToString());

        var info = new HttpRequestMessage(HttpMethod.Get, $"/{repo}/resolve/main/w.bin");
        info.Headers.Range = new RangeHeaderValue(0, 0);
        info.Headers.Accept.ParseAdd("application/vnd.xet-fileinfo+json");
        info.Headers.Accept.ParseAdd("*/*");
        var fileInfo = await noRedirect.SendAsync(info);
        Assert.Equal(HttpStatusCode.OK, fileInfo.StatusCode);
        Assert.Equal("application/vnd.xet-fileinfo+json", fileInfo.Content.Headers.ContentType!.MediaType);
        Assert.Equal("90000", fileInfo.Header("X-Linked-Size"));

        // A client without Xet follows the redirect and gets the bytes, whole or a range.
        Assert.Equal(content, await client.GetByteArrayAsync($"/{repo}/resolve/main/w.bin"));
        var ranged = new HttpRequestMessage(HttpMethod.Get, $"/{repo}/resolve/main/w.bin");
        ranged.Headers.Range = new RangeHeaderValue(16_000, 40_000);
        var part = await client.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal("bytes 16000-40000/90000", part.Content.Headers.ContentRange!.ToString());
        Assert.Equal(content[16_000..40_001], await part.Content.ReadAsByteArrayAsync());
        var tampered = head.Headers.Location!.ToString();
        tampered = tampered[..^3] + (tampered[^3] == 'A' ? 'B' : 'A') + tampered[^2..];
        Assert.Equal(HttpStatusCode.Forbidden, (await new HttpClient().GetAsync(tampered)).StatusCode);
    }

    [Fact]
    public async Task A_plain_curl_get_of_resolve_returns_the_bytes_of_a_xet_file()
    {
        var (client, repo, _) = await RepoAsync();
        var content = HubFiles.RandomBytes(50_000, seed: 41);
        await UploadAndCommitAsync(client, repo, "c.bin", content);
        var output = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        try
        {
            var start = new ProcessStartInfo("curl", ["-sSfL", "-o", output, $"{hub.EndpointText}/{repo}/resolve/main/c.bin"]) { RedirectStandardError = true };
            using var curl = Process.Start(start)!;
            var stderr = await curl.StandardError.ReadToEndAsync();
            await curl.WaitForExitAsync();
            Assert.True(curl.ExitCode == 0, $"curl: {stderr}");
            Assert.Equal(content, await File.ReadAllBytesAsync(output));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Reconstructions_trim_to_the_range_and_hand_out_signed_expiring_range_urls()
    {
        var (client, repo, _) = await RepoAsync();
        var content = HubFiles.RandomBytes(100_000, seed: 51);
        var (xorb, fileHash) = await UploadAndCommitAsync(client, repo, "r.bin", content, chunkSize: 10_000);
        var (token, casUrl, _) = await TokenAsync(client, repo, write: false);
        using var cas = CasClient(casUrl, token);

        var whole = await (await cas.GetAsync($"v2/reconstructions/{fileHash}")).OkJsonAsync("v2");
        Assert.Equal(0, whole.GetProperty("offset_into_first_range").GetInt64());
        var term = whole.GetProperty("terms")[0];
        Assert.Equal(xorb.Hash, term.GetProperty("hash").GetString());
        Assert.Equal(100_000, term.GetProperty("unpacked_length").GetInt64());
        Assert.Equal(10, term.GetProperty("range").GetProperty("end").GetInt32());

        var request = new HttpRequestMessage(HttpMethod.Get, $"v2/reconstructions/{fileHash}");
        request.Headers.Range = new RangeHeaderValue(25_000, 44_999);
        var part = await (await cas.SendAsync(request)).OkJsonAsync("v2 range");
        Assert.Equal(5_000, part.GetProperty("offset_into_first_range").GetInt64());
        var range = part.GetProperty("terms")[0].GetProperty("range");
        Assert.Equal((2, 5), (range.GetProperty("start").GetInt32(), range.GetProperty("end").GetInt32()));
        var fetch = part.GetProperty("xorbs").GetProperty(xorb.Hash)[0];
        var bytes = fetch.GetProperty("ranges")[0].GetProperty("bytes");
        var (from, to) = (bytes.GetProperty("start").GetInt64(), bytes.GetProperty("end").GetInt64());
        Assert.Equal(xorb.Bytes[(int)from..(int)(to + 1)], await FetchAsync(fetch.GetProperty("url").GetString()!, $"bytes={from}-{to}"));
        // outside the signed range, tampered, or expired: 403
        using var storage = new HttpClient();
        var outside = new HttpRequestMessage(HttpMethod.Get, fetch.GetProperty("url").GetString());
        outside.Headers.TryAddWithoutValidation("Range", "bytes=0-10");
        Assert.Equal(HttpStatusCode.Forbidden, (await storage.SendAsync(outside)).StatusCode);
        var url = fetch.GetProperty("url").GetString()!;
        Assert.Equal(HttpStatusCode.Forbidden, (await storage.GetAsync(url[..^2] + (url[^2] == 'x' ? "y" : "x") + url[^1])).StatusCode);
        hub.Clock.Advance(TimeSpan.FromHours(2));
        try
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await storage.GetAsync(url)).StatusCode);
        }
        finally
        {
            hub.Clock.Advance(TimeSpan.FromHours(-2));
        }

        var v1 = await (await cas.GetAsync($"v1/reconstructions/{fileHash}")).OkJsonAsync("v1");
        var info = v1.GetProperty("fetch_info").GetProperty(xorb.Hash)[0];
        var urlRange = info.GetProperty("url_range");
        Assert.Equal(xorb.Bytes, await FetchAsync(info.GetProperty("url").GetString()!, $"bytes={urlRange.GetProperty("start").GetInt64()}-{urlRange.GetProperty("end").GetInt64()}"));

        var beyond = new HttpRequestMessage(HttpMethod.Get, $"v2/reconstructions/{fileHash}");
        beyond.Headers.Range = new RangeHeaderValue(100_000, 100_010);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await cas.SendAsync(beyond)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cas.GetAsync($"v2/reconstructions/{xorb.Hash}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await cas.GetAsync("v2/reconstructions/zz")).StatusCode);

        // A token of another repo cannot read this repo's file.
        var (other, otherRepo, _) = await RepoAsync();
        var (otherToken, _, _) = await TokenAsync(other, otherRepo, write: false);
        using var otherCas = CasClient(casUrl, otherToken);
        Assert.Equal(HttpStatusCode.NotFound, (await otherCas.GetAsync($"v2/reconstructions/{fileHash}")).StatusCode);
    }

    private static async Task<byte[]> FetchAsync(string url, string range)
    {
        using var storage = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Range", range);
        var response = await storage.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.PartialContent, $"fetch: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task A_file_of_two_terms_fetches_each_xorb_range_once_and_multi_range_answers_are_multipart()
    {
        var (client, repo, _) = await RepoAsync();
        var (token, casUrl, _) = await TokenAsync(client, repo, write: true);
        using var cas = CasClient(casUrl, token);
        var a = HubFiles.RandomBytes(30_000, seed: 61);
        var b = HubFiles.RandomBytes(30_000, seed: 62);
        var xorb = Xorb(Split([.. a, .. b], 10_000));
        await (await cas.PostXorbAsync(xorb)).OkJsonAsync("xorb");
        // the file is b then a: two terms of one xorb, in reverse order
        byte[] content = [.. b, .. a];
        Term[] terms = [new(xorb, 3, 6), new(xorb, 0, 3)];
        await (await cas.PostShardAsync(Shard(terms, Sha256(content), [xorb]))).OkJsonAsync("shard");
        await client.CommitOkAsync(repo, "add", HubFiles.LfsFile("ba.bin", content));
        Assert.Equal(content, await client.GetByteArrayAsync($"/{repo}/resolve/main/ba.bin"));

        var recon = await (await cas.GetAsync($"v2/reconstructions/{FileHash(terms)}")).OkJsonAsync("v2");
        var entry = recon.GetProperty("xorbs").GetProperty(xorb.Hash)[0];
        var ranges = entry.GetProperty("ranges");
        Assert.Equal(1, ranges.GetArrayLength()); // the two chunk ranges touch: merged into one
        var end = ranges[0].GetProperty("bytes").GetProperty("end").GetInt64();

        // Two ranges inside the signed one come back as multipart/byteranges, in request order.
        using var storage = new HttpClient();
        var multi = new HttpRequestMessage(HttpMethod.Get, entry.GetProperty("url").GetString());
        multi.Headers.TryAddWithoutValidation("Range", $"bytes=100-199,0-9");
        var response = await storage.SendAsync(multi);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("multipart/byteranges", response.Content.Headers.ContentType!.MediaType);
        var body = Encoding.Latin1.GetString(await response.Content.ReadAsByteArrayAsync());
        Assert.Contains($"Content-Range: bytes 100-199/{end + 1}", body, StringComparison.Ordinal);
        Assert.True(body.IndexOf("bytes 100-199", StringComparison.Ordinal) < body.IndexOf("bytes 0-9", StringComparison.Ordinal));
        Assert.Contains(Encoding.Latin1.GetString(xorb.Bytes, 100, 100), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_global_dedupe_query_answers_a_keyed_shard_for_a_known_chunk()
    {
        var (client, repo, _) = await RepoAsync();
        var content = HubFiles.RandomBytes(40_000, seed: 71);
        var (xorb, _) = await UploadAndCommitAsync(client, repo, "d.bin", content);
        var (other, otherRepo, _) = await RepoAsync();
        var (token, casUrl, _) = await TokenAsync(other, otherRepo, write: false);
        using var cas = CasClient(casUrl, token);
        var first = CasHash.ToHex(xorb.Chunks[0].Hash);
        foreach (var prefix in new[] { "default", "default-merkledb" })
        {
            var response = await cas.GetAsync($"v1/chunks/{prefix}/{first}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var shard = await response.Content.ReadAsByteArrayAsync();
            var footer = shard.AsSpan(shard.Length - 200);
            Assert.Equal(1UL, BinaryPrimitives.ReadUInt64LittleEndian(footer));
            var key = footer.Slice(72, 32).ToArray();
            Assert.Contains(key, k => k != 0);
            var casStart = (int)BinaryPrimitives.ReadUInt64LittleEndian(footer[16..]);
            Assert.Equal(xorb.Hash, CasHash.ToHex(shard.AsSpan(casStart, 32)));
            Assert.Equal(CasHash.Hmac(xorb.Chunks[0].Hash, key), shard.AsSpan(casStart + 48, 32).ToArray());
            Assert.Equal((ulong)(casStart + (48 * (xorb.Chunks.Count + 2))), BinaryPrimitives.ReadUInt64LittleEndian(footer[24..]));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await cas.GetAsync($"v1/chunks/default/{CasHash.ToHex(CasHash.Chunk("never uploaded"u8))}")).StatusCode);
    }

    [Fact]
    public async Task A_repo_with_xet_off_answers_lfs_only()
    {
        var (client, repo, _) = await RepoAsync();
        (await PostAdminAsync(hub.Hub, $"/_localhub/repos/models/{repo}/xet", new { enabled = false })).EnsureSuccessStatusCode();
        var info = await (await client.GetAsync($"/api/models/{repo}?expand=xetEnabled")).JsonAsync();
        Assert.False(info.GetProperty("xetEnabled").GetBoolean());
        var content = HubFiles.RandomBytes(5_000, seed: 81);
        var batch = await client.LfsBatchAsync(repo, content, transfers: ["basic", "multipart", "xet"]);
        Assert.Equal("basic", batch.GetProperty("transfer").GetString());
        await AssertStatusAsync(HttpStatusCode.BadRequest, await client.GetAsync($"/api/models/{repo}/xet-write-token/main"), "not enabled");
        await client.UploadLfsAsync(repo, content);
        await client.CommitOkAsync(repo, "lfs", HubFiles.LfsFile("l.bin", content));
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = hub.Endpoint };
        var head = await noRedirect.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{repo}/resolve/main/l.bin"));
        Assert.Equal("", head.Header("X-Xet-Hash"));
        Assert.Contains("/lfs-storage/", head.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_lfs_batch_answers_xet_with_the_token_headers_when_the_client_offers_it()
    {
        var (client, repo, _) = await RepoAsync();
        var content = HubFiles.RandomBytes(5_000, seed: 91);
        var offered = await client.LfsBatchAsync(repo, content, transfers: ["basic", "multipart", "xet"]);
        Assert.Equal("xet", offered.GetProperty("transfer").GetString());
        var upload = offered.GetProperty("objects")[0].GetProperty("actions").GetProperty("upload");
        Assert.Equal($"{hub.EndpointText}/api/models/{repo}/xet-write-token/main", upload.GetProperty("href").GetString());
        var header = upload.GetProperty("header");
        Assert.Equal($"{hub.EndpointText}/cas", header.GetProperty("X-Xet-Cas-Url").GetString());
        Assert.True(long.Parse(header.GetProperty("X-Xet-Token-Expiration").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.NotEmpty(header.GetProperty("X-Xet-Session-Id").GetString()!);
        using var cas = CasClient(header.GetProperty("X-Xet-Cas-Url").GetString()!, header.GetProperty("X-Xet-Access-Token").GetString()!);
        await (await cas.PostXorbAsync(Xorb([content]))).OkJsonAsync("xorb with the batch token");
        Assert.Equal("basic", (await client.LfsBatchAsync(repo, content)).GetProperty("transfer").GetString());

        await UploadAndCommitAsync(client, repo, "known.bin", content);
        var known = await client.LfsBatchAsync(repo, content, transfers: ["basic", "xet"]);
        Assert.False(known.GetProperty("objects")[0].TryGetProperty("actions", out _));
    }

    [Fact]
    public async Task Injected_faults_reach_the_cas_routes_and_a_faulted_upload_stores_nothing()
    {
        var (client, repo, _) = await RepoAsync();
        var (token, casUrl, _) = await TokenAsync(client, repo, write: true);
        using var cas = CasClient(casUrl, token);
        var xorb = Xorb([HubFiles.RandomBytes(3_000, seed: 101)]);
        await hub.SetFaultsAsync("rate=1,kinds=500,paths=/cas");
        try
        {
            Assert.Equal(HttpStatusCode.InternalServerError, (await cas.PostXorbAsync(xorb)).StatusCode);
            Assert.True((await client.GetAsync($"/api/models/{repo}")).IsSuccessStatusCode, "a Hub route outside /cas is not faulted");
        }
        finally
        {
            await hub.SetFaultsAsync("off");
        }
        Assert.Null(hub.Hub.State.Cas.XorbSize(xorb.Hash));
        await (await cas.PostXorbAsync(xorb)).OkJsonAsync("after the faults");
    }
}
