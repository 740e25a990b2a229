using System.Security.Cryptography;
using HfCtl.Testing;
using HfHub.Xet;

namespace HfHub.Tests.Xet;

/// <summary>The Xet chunker and hashes against the specification's test vectors.</summary>
public sealed class XetHashingTests
{
    private static readonly byte[] OneMegabyte = XetTestData.SplitMix64(1_000_000);

    [Fact]
    public void The_hash_text_form_reverses_each_8_byte_group()
    {
        var bytes = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var hash = XetHash.FromBytes(bytes);
        Assert.Equal("07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918", hash.ToString());
        Assert.Equal(bytes, XetHash.Parse(hash.ToString()).ToBytes());
        Assert.Equal(hash, XetHash.Parse(hash.ToString().ToUpperInvariant()));
        Assert.Equal(
            "6eca1e7dadaf08cca5d82d318c800f07c2ddcec115a7e8627e5edd9605b94b8d",
            XetHash.FromBytes(Convert.FromHexString("cc08afad7d1eca6e070f808c312dd8a562e8a715c1ceddc28d4bb90596dd5e7e")).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a19")]
    [InlineData("07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a19zz")]
    [InlineData("+7060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918")]
    public void Malformed_hash_text_is_refused(string text) => Assert.False(XetHash.TryParse(text, out _));

    [Fact]
    public void The_gear_table_is_the_specification_table()
    {
        var bytes = new byte[256 * 8];
        ulong sum = 0;
        for (var i = 0; i < 256; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), GearHash.Table[i]);
            sum += GearHash.Table[i];
        }
        Assert.Equal("e1d3936666d7ae7a977c958e9afcc75f90aaca758ce5fbe4ece61dffefe1912c", Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(0xc1acb37ef35c570aUL, sum);
    }

    [Fact]
    public void The_1_MB_reference_vector_gives_the_reference_boundaries_and_hashes()
    {
        Assert.Equal((byte)175, OneMegabyte[0]);
        Assert.Equal((byte)132, OneMegabyte[127]);
        Assert.Equal((byte)118, OneMegabyte[111111]);
        Assert.Equal("b3d0a1f7938cd4d8413a4dcffd4313e2e8ac0cb61cb1090eb140ea8e9154befb", Convert.ToHexStringLower(SHA256.HashData(OneMegabyte)));

        var file = XetChunker.Chunk(OneMegabyte);
        Assert.Equal(
            [84493, 134421, 144853, 243318, 271793, 336457, 467529, 494581, 582000, 596735, 616815, 653164, 678202, 724510, 815591, 827760, 958832, 991092, 1000000],
            Ends(file));
        Assert.Equal("6eca1e7dadaf08cca5d82d318c800f07c2ddcec115a7e8627e5edd9605b94b8d", file.Chunks[0].Hash.ToString());
        Assert.Equal("03e5b5f5a088269ec4b329f1e04debfac4cb54b9c0facf038f7e8e0f054be7e2", file.Chunks[^1].Hash.ToString());
        Assert.Equal(1_000_000, file.Size);

        Assert.Equal("6f2ce16ca5e317f0100ff0e7e5bf40a0de9032e9ee1ad04b6b8ff4e36cdfbf6c", XetHasher.MerkleRoot(file.Chunks).ToString());
        Assert.Equal("3d17b2d7d64a0e011b6717a52d9a16bd2c3f05b743fa8adf52a7d75dafab6d89", file.FileHash.ToString());
        var hashes = file.Chunks.Select(c => c.Hash).ToArray();
        Assert.Equal("6daf15a7ed258b91f607e8f5e6723a8564292d12c8104c156f7bad9c255a0180", XetHasher.VerificationHash(hashes).ToString());
        Assert.Equal("12d7ce0979b12250a7738926646c0d0be36c2a3c7cc896e58fef5c7c54e1d863", XetHasher.VerificationHash(hashes.AsSpan(0, 1)).ToString());
        var firstThree = file.Chunks.Take(3).ToList();
        Assert.Equal("0689e5de3d33f7cabfbd0f1b46e0401502fff2603454707b795d10ccb8a051b8", XetHasher.MerkleRoot(firstThree).ToString());
        Assert.Equal("9314fd0846c9ba0213c925f449c5b6fb7fd6b39a69af3052d7ca9da4e5edbea0", XetHasher.FileHash(firstThree).ToString());

        var key = XetHash.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        Assert.Equal("cd71d83b221bebcc8b5a9de0b8c908ecb0558a91f4dbae0219be258718f8bf77", XetHasher.Hmac(file.Chunks[0].Hash, key).ToString());
        // The reference notes no chunk of this vector is a % 1024 dedupe candidate: only the first is eligible.
        Assert.Equal([0], file.Chunks.Select((c, i) => (c, i)).Where(x => XetHasher.IsGlobalDedupeEligible(x.c.Hash, x.i == 0)).Select(x => x.i));
    }

    [Fact]
    public void A_match_before_the_minimum_size_is_ignored_as_xet_core_does()
    {
        // The regression corpus of huggingface.js issue 2421 / pull request 2422: xetchunk-wasm 0.2.0
        // cut three 8 128-byte chunks where a stale gear state matched; xet-core gives 52 chunks, the
        // first that differs (index 44) 131 072 bytes long with this hash.
        var file = XetChunker.Chunk(XetTestData.XorShift32(3 * 1024 * 1024));
        Assert.Equal(52, file.Chunks.Count);
        Assert.All(file.Chunks.SkipLast(1), c => Assert.InRange(c.Length, XetChunker.MinChunkSize, XetChunker.MaxChunkSize));
        Assert.Equal(131072, file.Chunks[44].Length);
        Assert.Equal("8ee1833ff616a01e187888865c8e22f403c860b7a6c347ba28c4511995875086", file.Chunks[44].Hash.ToString());
    }

    [Fact]
    public void Constant_data_is_cut_at_the_maximum_chunk_size()
    {
        var file = XetChunker.Chunk(Enumerable.Repeat((byte)59, 1_000_000).ToArray());
        Assert.Equal([131072, 262144, 393216, 524288, 655360, 786432, 917504, 1000000], Ends(file));
    }

    [Fact]
    public void Small_inputs_are_one_chunk_and_empty_input_none()
    {
        var hello = XetChunker.Chunk("hello world"u8.ToArray());
        var chunk = Assert.Single(hello.Chunks);
        Assert.Equal("4e39378b9d359f118190557a1f44130219a54e5fcfa07bd96cf50b466fe651b1", chunk.Hash.ToString());
        Assert.Equal(chunk.Hash, XetHasher.MerkleRoot(hello.Chunks));
        Assert.Equal("f15edd43b7e85cfd25e2758ffe13b99fdd09dfa817e8d9f6548722a7a126db7f", hello.FileHash.ToString());

        var zeros = XetChunker.Chunk(new byte[8192]);
        Assert.Equal("d88a3b08a2ac3c73417e59b165220ff5a1975c3d4e2a84b003c40cb7f392c443", Assert.Single(zeros.Chunks).Hash.ToString());
        Assert.Equal("711574865581cce65f5d06a1818a37a1dd4cfe3f65e3f4aaae2b1bacbfc253db", zeros.FileHash.ToString());

        var empty = XetChunker.Chunk(Array.Empty<byte>());
        Assert.Empty(empty.Chunks);
        Assert.Equal(0, empty.Size);
        Assert.True(empty.FileHash.IsZero);
        Assert.True(XetHasher.MerkleRoot(empty.Chunks).IsZero);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(37, 1)]
    [InlineData(255, 1)]
    [InlineData(70_000, 1)]
    [InlineData(1 << 20, 2)]
    [InlineData(3 << 20, 2)]
    public void Any_block_size_and_thread_count_gives_the_boundaries_of_the_plain_rule(int blockSize, int parallelism)
    {
        // Random data mixed with long runs of one byte, so both candidate and forced cuts cross blocks.
        var random = new Random(blockSize);
        var data = new byte[blockSize < 1000 ? 700_000 : 5_000_000];
        random.NextBytes(data);
        Array.Fill(data, (byte)7, 200_000, 300_000);
        var options = new XetChunkerOptions { BlockSize = blockSize, Parallelism = parallelism };
        var file = XetChunker.Chunk(data, options);
        Assert.Equal(XetTestData.PlainBoundaries(data, GearHash.Table), Ends(file));
        var offset = 0L;
        foreach (var chunk in file.Chunks)
        {
            Assert.Equal(offset, chunk.Offset);
            Assert.Equal(XetHasher.ChunkHash(data.AsSpan((int)chunk.Offset, chunk.Length)), chunk.Hash);
            offset += chunk.Length;
        }
    }

    [Fact]
    public async Task The_sink_sees_every_chunk_in_order_with_its_bytes()
    {
        var data = XetTestData.SplitMix64(3_000_000);
        var seen = new List<byte>();
        var offsets = new List<long>();
        using var stream = new MemoryStream(data);
        var file = await XetChunker.ChunkAsync(stream, (chunk, bytes, _) =>
        {
            Assert.Equal(chunk.Length, bytes.Length);
            Assert.Equal(chunk.Hash, XetHasher.ChunkHash(bytes.Span));
            offsets.Add(chunk.Offset);
            seen.AddRange(bytes.ToArray());
            return ValueTask.CompletedTask;
        }, new XetChunkerOptions { BlockSize = 256 * 1024 });
        Assert.Equal(data, seen.ToArray());
        Assert.Equal(file.Chunks.Select(c => c.Offset), offsets);
    }

    private static List<int> Ends(XetFileChunks chunks) => chunks.Chunks.Select(c => (int)(c.Offset + c.Length)).ToList();
}
