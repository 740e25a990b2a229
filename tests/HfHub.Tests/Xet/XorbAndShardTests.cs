using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using HfHub.Xet;

namespace HfHub.Tests.Xet;

/// <summary>The xorb and shard formats: what HfHub writes reads back, compression is chosen per chunk, limits hold, damage is detected.</summary>
public sealed class XorbAndShardTests
{
    private static byte[] Floats(int count, int seed)
    {
        // Little-endian floats of similar magnitude: their exponent bytes repeat at stride 4, which
        // byte grouping turns into long runs.
        var random = new Random(seed);
        var bytes = new byte[count * 4];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), (float)(1.0 + random.NextDouble()));
        }
        return bytes;
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void A_xorb_decodes_to_its_chunks_each_stored_raw_as_LZ4_or_byte_grouped_as_predicted()
    {
        var chunks = new[]
        {
            RandomBytes(70_000, 1),                 // incompressible: stored raw
            new byte[65_536],                        // zeros
            // 1 001 random bytes over and over: LZ4 stores one period, byte grouping four.
            Enumerable.Repeat(RandomBytes(1001, 4), 65).SelectMany(b => b).ToArray(),
            Floats(16_384, 2),                       // byte grouping wins
            [42],
        };
        var builder = new XorbBuilder();
        foreach (var chunk in chunks)
        {
            Assert.True(builder.TryAdd(XetHasher.ChunkHash(chunk), chunk));
        }
        var xorb = builder.Build();
        Assert.Equal(0, builder.Count);

        var bytes = xorb.Data.ToArray();
        var schemes = xorb.Chunks.Select(c => (XorbCompression)bytes[c.RecordOffset + 4]).ToArray();
        var data = xorb.Data.Span;
        Assert.Equal(XorbCompression.None, schemes[0]);
        Assert.NotEqual(XorbCompression.None, schemes[1]);
        Assert.Equal(XorbCompression.Lz4, schemes[2]);
        Assert.Equal(XorbCompression.ByteGrouping4Lz4, schemes[3]);
        Assert.Equal(XorbCompression.None, schemes[4]);
        // Compressed data is an LZ4 frame (magic 04 22 4D 18), not a bare LZ4 block.
        Assert.Equal(new byte[] { 0x04, 0x22, 0x4D, 0x18 }, data.Slice(xorb.Chunks[2].RecordOffset + 8, 4).ToArray());
        Assert.True(xorb.Data.Length < chunks.Sum(c => c.Length) / 2);

        var output = new ArrayBufferWriter<byte>();
        var lengths = XorbReader.Decode(data, output);
        Assert.Equal(chunks.Select(c => c.Length), lengths);
        Assert.Equal(chunks.SelectMany(c => c).ToArray(), output.WrittenSpan.ToArray());
        Assert.Equal(XetHasher.MerkleRoot(chunks.Select(c => (XetHasher.ChunkHash(c), (ulong)c.Length)).ToArray()), xorb.Hash);

        // The records of a chunk range decode on their own, as a download fetches them.
        var middle = data[xorb.Chunks[1].RecordOffset..(xorb.Chunks[3].RecordOffset + xorb.Chunks[3].RecordLength)];
        var part = new ArrayBufferWriter<byte>();
        Assert.Equal(3, XorbReader.Decode(middle, part).Count);
        Assert.Equal(chunks[1].Concat(chunks[2]).Concat(chunks[3]).ToArray(), part.WrittenSpan.ToArray());
    }

    [Fact]
    public void A_chunk_over_64_KiB_with_an_incompressible_half_is_one_standard_LZ4_frame_of_two_blocks()
    {
        // 64 KiB of text, then 60 KiB of random bytes: the second block is stored as is inside the frame.
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("a frame of two blocks, ", 3000)))[..65_536];
        var chunk = text.Concat(RandomBytes(60_000, 11)).ToArray();
        var builder = new XorbBuilder();
        Assert.True(builder.TryAdd(XetHasher.ChunkHash(chunk), chunk));
        var xorb = builder.Build();
        var bytes = xorb.Data.ToArray();
        Assert.Equal((byte)XorbCompression.Lz4, bytes[4]);
        Assert.True(bytes.Length < chunk.Length);
        // The package's own frame decoder reads it: nothing but the standard frame format.
        var decoded = new ArrayBufferWriter<byte>();
        K4os.Compression.LZ4.Streams.LZ4Frame.Decode(bytes.AsSpan(8), decoded);
        Assert.Equal(chunk, decoded.WrittenSpan.ToArray());
    }

    [Fact]
    public void Byte_grouping_is_predicted_for_arrays_of_floats_and_not_for_random_bytes_or_text()
    {
        var builder = new XorbBuilder();
        var floats = Floats(16_384, 12);
        var random = RandomBytes(65_536, 13);
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("plain text, of odd length. ", 2000)));
        foreach (var chunk in new[] { floats, random, text })
        {
            builder.TryAdd(XetHasher.ChunkHash(chunk), chunk);
        }
        var xorb = builder.Build();
        var data = xorb.Data.ToArray();
        Assert.Equal(
            [XorbCompression.ByteGrouping4Lz4, XorbCompression.None, XorbCompression.Lz4],
            xorb.Chunks.Select(c => (XorbCompression)data[c.RecordOffset + 4]).ToArray());
    }

    [Fact]
    public void A_recycled_xorb_buffer_is_reused_for_the_next_xorb_and_a_smaller_capacity_holds()
    {
        var builder = new XorbBuilder(1024 * 1024);
        var chunk = RandomBytes(100_000, 14);
        var hash = XetHasher.ChunkHash(chunk);
        var added = 0;
        while (builder.TryAdd(hash, chunk))
        {
            added++;
        }
        Assert.Equal(1024 * 1024 / 100_008, added);
        var first = builder.Build();
        var copy = first.Data.ToArray();
        builder.Recycle(first);
        builder.TryAdd(hash, chunk);
        var second = builder.Build();
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(first.Data, out var a));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(second.Data, out var b));
        Assert.Same(a.Array, b.Array);
        Assert.Equal(copy.AsSpan(0, second.Data.Length).ToArray(), second.Data.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new XorbBuilder(XorbBuilder.MaxBytes + 1));
    }

    [Fact]
    public void A_xorb_stops_at_8192_chunks_and_at_64_MiB()
    {
        var builder = new XorbBuilder();
        byte[] one = [7];
        var hash = XetHasher.ChunkHash(one);
        for (var i = 0; i < XorbBuilder.MaxChunks; i++)
        {
            Assert.True(builder.TryAdd(hash, one));
        }
        Assert.False(builder.TryAdd(hash, one));
        Assert.Equal(XorbBuilder.MaxChunks, builder.Build().Chunks.Count);

        var big = RandomBytes(XetChunker.MaxChunkSize, 3);
        var bigHash = XetHasher.ChunkHash(big);
        var added = 0;
        while (builder.TryAdd(bigHash, big))
        {
            added++;
        }
        Assert.Equal(XorbBuilder.MaxBytes / (XetChunker.MaxChunkSize + 8), added);
        Assert.True(builder.Length <= XorbBuilder.MaxBytes);
    }

    [Fact]
    public void Damaged_chunk_records_are_refused()
    {
        var builder = new XorbBuilder();
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("compress me, ", 2000)));
        builder.TryAdd(XetHasher.ChunkHash(text), text);
        var good = builder.Build().Data.ToArray();
        Assert.Equal((byte)XorbCompression.Lz4, good[4]);

        void Refused(byte[] bytes, string message)
        {
            var error = Assert.Throws<InvalidDataException>(() => XorbReader.Decode(bytes, new ArrayBufferWriter<byte>()));
            Assert.Contains(message, error.Message);
        }
        Refused(good[..^1], "cut off");
        Refused(good[..5], "header cut off");
        var version = (byte[])good.Clone();
        version[0] = 1;
        Refused(version, "version 1");
        var scheme = (byte[])good.Clone();
        scheme[4] = 9;
        Refused(scheme, "unknown compression 9");
        var length = (byte[])good.Clone();
        length[5]++;
        Refused(length, "decodes to");
        var frame = (byte[])good.Clone();
        frame[8] ^= 0xFF; // the frame magic
        Refused(frame, "LZ4 frame");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(4097)]
    public void Byte_grouping_puts_stride_4_bytes_together_and_back(int length)
    {
        var source = RandomBytes(length, length);
        var grouped = new byte[length];
        ByteGrouping.Split(source, grouped);
        var expected = Enumerable.Range(0, 4).SelectMany(g => source.Where((_, i) => i % 4 == g)).ToArray();
        Assert.Equal(expected, grouped);
        var back = new byte[length];
        ByteGrouping.Join(grouped, back);
        Assert.Equal(source, back);
    }

    [Fact]
    public void An_upload_shard_reads_back_with_its_files_terms_and_xorbs()
    {
        var a = RandomBytes(100_000, 5);
        var b = RandomBytes(30_000, 6);
        var builder = new XorbBuilder();
        builder.TryAdd(XetHasher.ChunkHash(a), a);
        builder.TryAdd(XetHasher.ChunkHash(b), b);
        var xorb = builder.Build();
        var hashes = xorb.Chunks.Select(c => c.Hash).ToArray();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(a.Concat(b).ToArray()));
        var fileChunks = new[] { new XetChunk(hashes[0], 0, a.Length), new XetChunk(hashes[1], a.Length, b.Length) };
        var files = new[]
        {
            new ShardFile(XetHasher.FileHash(fileChunks), [new ShardTerm(xorb.Hash, 0, 2, 130_000, XetHasher.VerificationHash(hashes))], sha256),
            new ShardFile(XetHasher.FileHash([fileChunks[1] with { Offset = 0 }]), [new ShardTerm(xorb.Hash, 1, 2, 30_000, XetHasher.VerificationHash(hashes.AsSpan(1)))], null),
        };
        var shard = ShardFormat.WriteUploadShard(files, [ShardXorb.From(xorb)]);

        Assert.Equal("HFRepoMetaData"u8.ToArray(), shard[..14]);
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64LittleEndian(shard.AsSpan(32)));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(shard.AsSpan(40))); // no footer on upload
        // header, file 1 (header, term, verification, sha256), file 2 (3), bookend, xorb (header + 2 chunks), bookend
        Assert.Equal(48 * (1 + 4 + 3 + 1 + 3 + 1), shard.Length);

        var read = ShardFormat.Read(shard);
        Assert.Equal(2, read.Files.Count);
        Assert.Equal(files[0].FileHash, read.Files[0].FileHash);
        Assert.Equal(sha256, read.Files[0].Sha256);
        Assert.Null(read.Files[1].Sha256);
        Assert.Equal(files[0].Terms, read.Files[0].Terms);
        Assert.Equal(files[1].Terms, read.Files[1].Terms);
        var x = Assert.Single(read.Xorbs);
        Assert.Equal(xorb.Hash, x.Hash);
        Assert.Equal((uint)xorb.Data.Length, x.BytesOnDisk);
        Assert.Equal([new ShardChunk(hashes[0], 100_000), new ShardChunk(hashes[1], 30_000)], x.Chunks);
        Assert.True(read.HmacKey.IsZero);
        Assert.Null(read.KeyExpiry);
    }

    [Fact]
    public void A_dedupe_answer_with_a_footer_gives_its_key_and_expiry()
    {
        var chunk = new ShardChunk(XetHash.FromBytes(RandomBytes(32, 8)), 4096);
        var body = ShardFormat.WriteUploadShard([], [new ShardXorb(XetHash.FromBytes(RandomBytes(32, 9)), [chunk], 4104)]);
        var footer = new byte[200];
        BinaryPrimitives.WriteUInt64LittleEndian(footer, 1);
        BinaryPrimitives.WriteUInt64LittleEndian(footer.AsSpan(8), 48);
        var key = XetHash.FromBytes(RandomBytes(32, 10));
        key.WriteTo(footer.AsSpan(72));
        BinaryPrimitives.WriteUInt64LittleEndian(footer.AsSpan(112), 2_000_000_000);
        var shard = body.Concat(footer).ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(shard.AsSpan(40), 200);

        var read = ShardFormat.Read(shard);
        Assert.Empty(read.Files);
        Assert.Equal(chunk, Assert.Single(Assert.Single(read.Xorbs).Chunks));
        Assert.Equal(key, read.HmacKey);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(2_000_000_000), read.KeyExpiry);

        Assert.Contains("header tag", Assert.Throws<InvalidDataException>(() => ShardFormat.Read(shard.AsSpan(1))).Message);
        Assert.Contains("cut off", Assert.Throws<InvalidDataException>(() => ShardFormat.Read(body.AsSpan(0, body.Length - 48))).Message);
    }
}
