using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using HfHub.LocalHub.Cas;
using K4os.Compression.LZ4;

namespace HfHub.LocalHub.Tests.Xet;

/// <summary>A xorb built for a test: its bytes, hash string, and per chunk the raw hash and length.</summary>
public sealed record TestXorb(byte[] Bytes, string Hash, IReadOnlyList<(byte[] Hash, int Length)> Chunks);

/// <summary>
/// Xet bytes on the wire, written by hand as a client would (xet.md §4, §5): xorbs of chunk
/// records (raw or LZ4 frames), upload shards with verification entries and the SHA-256
/// extension, and the token, xorb and shard requests.
/// </summary>
public static class XetWire
{
    private static readonly byte[] Tag =
        [(byte)'H', (byte)'F', (byte)'R', (byte)'e', (byte)'p', (byte)'o', (byte)'M', (byte)'e', (byte)'t', (byte)'a', (byte)'D', (byte)'a', (byte)'t', (byte)'a',
         0, 85, 105, 103, 69, 106, 123, 129, 87, 131, 165, 189, 217, 92, 205, 209, 74, 169];

    /// <summary>Splits content into fixed-size chunks (the CAS does not require content-defined boundaries).</summary>
    public static List<byte[]> Split(byte[] content, int size) =>
        [.. Enumerable.Range(0, (content.Length + size - 1) / size).Select(i => content[(i * size)..Math.Min(content.Length, (i + 1) * size)])];

    /// <summary>A xorb of the chunks; <paramref name="lz4"/> stores each as an LZ4 frame (scheme 1) instead of raw.</summary>
    public static TestXorb Xorb(IEnumerable<byte[]> chunks, bool lz4 = false)
    {
        using var body = new MemoryStream();
        var infos = new List<(byte[], int)>();
        foreach (var chunk in chunks)
        {
            var data = lz4 ? Lz4Frame(chunk) : chunk;
            var header = new byte[8];
            header[0] = 0;
            header[1] = (byte)data.Length;
            header[2] = (byte)(data.Length >> 8);
            header[3] = (byte)(data.Length >> 16);
            header[4] = (byte)(lz4 ? 1 : 0);
            header[5] = (byte)chunk.Length;
            header[6] = (byte)(chunk.Length >> 8);
            header[7] = (byte)(chunk.Length >> 16);
            body.Write(header);
            body.Write(data);
            infos.Add((CasHash.Chunk(chunk), chunk.Length));
        }
        var hash = CasHash.ToHex(CasHash.MerkleRoot([.. infos.Select(c => (c.Item1, (long)c.Item2))]));
        return new TestXorb(body.ToArray(), hash, infos);
    }

    /// <summary>An LZ4 frame with one compressed block (FLG: version 01, independent blocks).</summary>
    private static byte[] Lz4Frame(byte[] raw)
    {
        var block = new byte[LZ4Codec.MaximumOutputSize(raw.Length)];
        var size = LZ4Codec.Encode(raw, block);
        using var frame = new MemoryStream();
        frame.Write([0x04, 0x22, 0x4D, 0x18, 0x60, 0x70, 0x73]);
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)size);
        frame.Write(length);
        frame.Write(block, 0, size);
        frame.Write(new byte[4]);
        return frame.ToArray();
    }

    /// <summary>A term for a shard: a chunk range of a xorb.</summary>
    public sealed record Term(TestXorb Xorb, int Start, int End);

    /// <summary>The file hash of a file made of these terms.</summary>
    public static string FileHash(IEnumerable<Term> terms) =>
        CasHash.ToHex(CasHash.File([.. terms.SelectMany(t => t.Xorb.Chunks.Skip(t.Start).Take(t.End - t.Start)).Select(c => (c.Hash, (long)c.Length))]));

    /// <summary>
    /// An upload shard with one file (and the xorbs of its CAS section); the knobs break one rule
    /// at a time for the refusal tests.
    /// </summary>
    public static byte[] Shard(IReadOnlyList<Term> terms, string? sha256, IEnumerable<TestXorb> casXorbs, string? fileHash = null,
        bool withFooter = true, bool breakVerification = false)
    {
        fileHash ??= FileHash(terms);
        using var shard = new MemoryStream();
        void Record(Action<byte[]> fill)
        {
            var record = new byte[48];
            fill(record);
            shard.Write(record);
        }
        void Bookend() => Record(r => r.AsSpan(0, 32).Fill(0xFF));
        var header = new byte[48];
        Tag.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), 2);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(40), withFooter ? 200UL : 0);
        shard.Write(header);
        Record(r =>
        {
            CasHash.FromHex(fileHash)!.CopyTo(r, 0);
            // Without a SHA-256 (bucket uploads) the metadata-extension flag is off and its record left out.
            BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(32), sha256 is null ? 0x80000000 : 0xC0000000);
            BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(36), (uint)terms.Count);
        });
        foreach (var term in terms)
        {
            Record(r =>
            {
                CasHash.FromHex(term.Xorb.Hash)!.CopyTo(r, 0);
                BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(36), (uint)term.Xorb.Chunks.Skip(term.Start).Take(term.End - term.Start).Sum(c => c.Length));
                BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(40), (uint)term.Start);
                BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(44), (uint)term.End);
            });
        }
        foreach (var term in terms)
        {
            var hashes = term.Xorb.Chunks.Skip(term.Start).Take(term.End - term.Start).Select(c => c.Hash).ToList();
            if (breakVerification)
            {
                hashes.Reverse();
            }
            Record(r => CasHash.Verification(hashes).CopyTo(r, 0));
        }
        if (sha256 is not null)
        {
            Record(r => CasHash.FromHex(sha256)!.CopyTo(r, 0));
        }
        Bookend();
        foreach (var xorb in casXorbs)
        {
            Record(r =>
            {
                CasHash.FromHex(xorb.Hash)!.CopyTo(r, 0);
                BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(36), (uint)xorb.Chunks.Count);
                BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(40), (uint)xorb.Chunks.Sum(c => c.Length));
                BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(44), (uint)xorb.Bytes.Length);
            });
            uint offset = 0;
            foreach (var (hash, length) in xorb.Chunks)
            {
                Record(r =>
                {
                    hash.CopyTo(r, 0);
                    BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(32), offset);
                    BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(36), (uint)length);
                });
                offset += (uint)length;
            }
        }
        Bookend();
        if (withFooter)
        {
            shard.Write(new byte[200]); // the JS client's footer; the CAS ignores what follows the CAS bookend
        }
        return shard.ToArray();
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Asks the Hub for a Xet token of a repo; returns (token, casUrl, exp).</summary>
    public static async Task<(string Token, string CasUrl, long Exp)> TokenAsync(HttpClient hub, string repoId, bool write, string revision = "main")
    {
        var response = await hub.GetAsync($"/api/models/{repoId}/xet-{(write ? "write" : "read")}-token/{revision}");
        Assert.True(response.IsSuccessStatusCode, $"token: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var body = await response.JsonAsync();
        return (body.GetProperty("accessToken").GetString()!, body.GetProperty("casUrl").GetString()!, body.GetProperty("exp").GetInt64());
    }

    /// <summary>A client for the CAS with a Xet token (never the Hub token).</summary>
    public static HttpClient CasClient(string casUrl, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(casUrl.TrimEnd('/') + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static Task<HttpResponseMessage> PostXorbAsync(this HttpClient cas, TestXorb xorb, byte[]? body = null, string? hash = null) =>
        cas.PostAsync($"v1/xorbs/default/{hash ?? xorb.Hash}", new ByteArrayContent(body ?? xorb.Bytes));

    public static Task<HttpResponseMessage> PostShardAsync(this HttpClient cas, byte[] shard) =>
        cas.PostAsync("v1/shards", new ByteArrayContent(shard));

    public static async Task<JsonElement> OkJsonAsync(this HttpResponseMessage response, string what)
    {
        Assert.True(response.IsSuccessStatusCode, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    /// <summary>
    /// Uploads content as one Xet file of a repo (xorb of 16 KiB chunks, shard) and commits it
    /// with <c>lfsFile</c>; returns the xorb and the file hash.
    /// </summary>
    public static async Task<(TestXorb Xorb, string FileHash)> UploadAndCommitAsync(HttpClient hub, string repoId, string path, byte[] content, int chunkSize = 16 * 1024, bool lz4 = false)
    {
        var (token, casUrl, _) = await TokenAsync(hub, repoId, write: true);
        using var cas = CasClient(casUrl, token);
        var xorb = Xorb(Split(content, chunkSize), lz4);
        await (await cas.PostXorbAsync(xorb)).OkJsonAsync("xorb");
        Term[] terms = [new(xorb, 0, xorb.Chunks.Count)];
        await (await cas.PostShardAsync(Shard(terms, Sha256(content), [xorb]))).OkJsonAsync("shard");
        await hub.CommitOkAsync(repoId, $"add {path}", HubFiles.LfsFile(path, content));
        return (xorb, FileHash(terms));
    }

    public static async Task<HttpResponseMessage> PostAdminAsync(LocalHubServer hub, string path, object body)
    {
        using var admin = new HttpClient { BaseAddress = hub.Endpoint };
        admin.DefaultRequestHeaders.Add("X-LocalHub-Admin", hub.AdminSecret);
        return await admin.PostAsJsonAsync(path, body);
    }
}
