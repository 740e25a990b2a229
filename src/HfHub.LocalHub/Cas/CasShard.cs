using System.Buffers.Binary;

namespace HfHub.LocalHub.Cas;

/// <summary>One term of a file: a chunk range <c>[Start, End)</c> of a xorb, <see cref="Bytes"/> long once decoded.</summary>
internal sealed record CasTerm(string Xorb, int Start, int End, long Bytes);

/// <summary>A file block of a shard: its hash, terms, per-term verification hashes (raw) and the SHA-256 of the metadata extension (hex).</summary>
internal sealed record CasShardFile(string Hash, IReadOnlyList<CasTerm> Terms, IReadOnlyList<byte[]>? Verification, string? Sha256);

/// <summary>A CAS block of a shard: a xorb and the hashes and lengths of its chunks.</summary>
internal sealed record CasShardXorb(string Hash, IReadOnlyList<(byte[] Hash, int Length)> Chunks, long UnpackedBytes, long BytesOnDisk);

/// <summary>
/// The MDB shard format (xet.md §5): a 48-byte header (magic tag, version 2, footer size), the
/// file-info section and the CAS-info section (48-byte records, each closed by an all-0xFF
/// bookend), then optional lookup tables and a 200-byte footer. Uploads are parsed linearly, with
/// or without the footer (the JS client sends one, the spec says not to); the dedupe answer is
/// written with lookup tables and footer, because xet-core queries the tables and JS needs the
/// footer's offsets.
/// </summary>
internal static class CasShard
{
    public const int RecordSize = 48;
    public const int FooterSize = 200;
    public const uint FlagVerification = 0x80000000;
    public const uint FlagMetadataExt = 0x40000000;
    public const int MaxBytes = 64 * 1024 * 1024;

    private static ReadOnlySpan<byte> Tag =>
    [
        (byte)'H', (byte)'F', (byte)'R', (byte)'e', (byte)'p', (byte)'o', (byte)'M', (byte)'e', (byte)'t', (byte)'a', (byte)'D', (byte)'a', (byte)'t', (byte)'a',
        0, 85, 105, 103, 69, 106, 123, 129, 87, 131, 165, 189, 217, 92, 205, 209, 74, 169,
    ];

    public static (List<CasShardFile> Files, List<CasShardXorb> Xorbs) Parse(ReadOnlySpan<byte> shard)
    {
        if (shard.Length < RecordSize || !shard[..32].SequenceEqual(Tag))
        {
            throw new CasFormatException("The body is not a Xet shard (its header tag does not match)");
        }
        if (BinaryPrimitives.ReadUInt64LittleEndian(shard[32..]) != 2)
        {
            throw new CasFormatException($"Unsupported shard version {BinaryPrimitives.ReadUInt64LittleEndian(shard[32..])} (expected 2)");
        }
        var position = RecordSize;
        var files = new List<CasShardFile>();
        while (true)
        {
            var header = Record(shard, ref position, "file header");
            if (IsBookend(header))
            {
                break;
            }
            var hash = CasHash.ToHex(header[..32]);
            var flags = BinaryPrimitives.ReadUInt32LittleEndian(header[32..]);
            var count = BinaryPrimitives.ReadUInt32LittleEndian(header[36..]);
            if (count > (uint)(shard.Length / RecordSize))
            {
                throw new CasFormatException($"File {hash}: {count} terms declared, more than the shard can hold");
            }
            var terms = new List<CasTerm>((int)count);
            for (var i = 0; i < count; i++)
            {
                var entry = Record(shard, ref position, "file term");
                var start = BinaryPrimitives.ReadUInt32LittleEndian(entry[40..]);
                var end = BinaryPrimitives.ReadUInt32LittleEndian(entry[44..]);
                if (start >= end || end > CasXorb.MaxChunks)
                {
                    throw new CasFormatException($"File {hash}: term {i} has an empty or impossible chunk range [{start}, {end})");
                }
                terms.Add(new CasTerm(CasHash.ToHex(entry[..32]), (int)start, (int)end, BinaryPrimitives.ReadUInt32LittleEndian(entry[36..])));
            }
            List<byte[]>? verification = null;
            if ((flags & FlagVerification) != 0)
            {
                verification = new List<byte[]>((int)count);
                for (var i = 0; i < count; i++)
                {
                    verification.Add(Record(shard, ref position, "verification entry")[..32].ToArray());
                }
            }
            string? sha256 = null;
            if ((flags & FlagMetadataExt) != 0)
            {
                // The digest is stored like a Xet hash (xet.md §5.2): its hash string is the usual hex.
                sha256 = CasHash.ToHex(Record(shard, ref position, "metadata extension")[..32]);
            }
            files.Add(new CasShardFile(hash, terms, verification, sha256));
        }
        var xorbs = new List<CasShardXorb>();
        while (true)
        {
            var header = Record(shard, ref position, "xorb header");
            if (IsBookend(header))
            {
                break;
            }
            var hash = CasHash.ToHex(header[..32]);
            var count = BinaryPrimitives.ReadUInt32LittleEndian(header[36..]);
            if (count > CasXorb.MaxChunks)
            {
                throw new CasFormatException($"Xorb {hash}: {count} chunks declared, more than {CasXorb.MaxChunks}");
            }
            var chunks = new List<(byte[], int)>((int)count);
            for (var i = 0; i < count; i++)
            {
                var entry = Record(shard, ref position, "xorb chunk entry");
                chunks.Add((entry[..32].ToArray(), (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[36..])));
            }
            xorbs.Add(new CasShardXorb(hash, chunks, BinaryPrimitives.ReadUInt32LittleEndian(header[40..]), BinaryPrimitives.ReadUInt32LittleEndian(header[44..])));
        }
        return (files, xorbs);
    }

    private static ReadOnlySpan<byte> Record(ReadOnlySpan<byte> shard, ref int position, string what)
    {
        if (shard.Length - position < RecordSize)
        {
            throw new CasFormatException($"The shard is truncated: it ends inside a {what} at offset {position}");
        }
        var record = shard.Slice(position, RecordSize);
        position += RecordSize;
        return record;
    }

    private static bool IsBookend(ReadOnlySpan<byte> record) => !record[..32].ContainsAnyExcept((byte)0xFF);

    /// <summary>
    /// The answer of a global dedupe query (xet.md §5.7): no files, one xorb's CAS block with its
    /// chunk hashes keyed by <paramref name="hmacKey"/>, the lookup tables, and the footer
    /// (<c>file_lookup_offset</c> at the end of the CAS bookend, where JS stops scanning).
    /// </summary>
    public static byte[] DedupeAnswer(CasShardXorb xorb, byte[] hmacKey, DateTimeOffset now, TimeSpan keyLifetime)
    {
        var keyed = xorb.Chunks.Select(c => (Hash: CasHash.Hmac(c.Hash, hmacKey), c.Length)).ToList();
        var casStart = RecordSize * 2;
        var casEnd = casStart + (RecordSize * (keyed.Count + 2));
        var xorbLookup = casEnd;
        var chunkLookup = xorbLookup + 12;
        var footer = chunkLookup + (16 * keyed.Count);
        var shard = new byte[footer + FooterSize];
        var span = shard.AsSpan();
        Tag.CopyTo(span);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], FooterSize);
        Bookend(span[RecordSize..]);

        var at = casStart;
        CasHash.FromHex(xorb.Hash)!.CopyTo(span[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 36)..], (uint)keyed.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 40)..], (uint)xorb.UnpackedBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 44)..], (uint)xorb.BytesOnDisk);
        at += RecordSize;
        uint offset = 0;
        foreach (var (hash, length) in keyed)
        {
            hash.CopyTo(span[at..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 32)..], offset);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 36)..], (uint)length);
            offset += (uint)length;
            at += RecordSize;
        }
        Bookend(span[at..]);

        BinaryPrimitives.WriteUInt64LittleEndian(span[xorbLookup..], CasHash.Truncated(CasHash.FromHex(xorb.Hash)));
        BinaryPrimitives.WriteUInt32LittleEndian(span[(xorbLookup + 8)..], 0);
        at = chunkLookup;
        foreach (var (key, position) in keyed.Select((c, i) => (CasHash.Truncated(c.Hash), i)).OrderBy(e => e.Item1).ThenBy(e => e.i))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[at..], key);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 8)..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 12)..], (uint)position);
            at += 16;
        }

        var f = span[footer..];
        BinaryPrimitives.WriteUInt64LittleEndian(f, 1);
        BinaryPrimitives.WriteUInt64LittleEndian(f[8..], RecordSize);
        BinaryPrimitives.WriteUInt64LittleEndian(f[16..], (ulong)casStart);
        BinaryPrimitives.WriteUInt64LittleEndian(f[24..], (ulong)casEnd); // file lookup: no entries
        BinaryPrimitives.WriteUInt64LittleEndian(f[32..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(f[40..], (ulong)xorbLookup);
        BinaryPrimitives.WriteUInt64LittleEndian(f[48..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(f[56..], (ulong)chunkLookup);
        BinaryPrimitives.WriteUInt64LittleEndian(f[64..], (ulong)keyed.Count);
        hmacKey.CopyTo(f[72..]);
        BinaryPrimitives.WriteUInt64LittleEndian(f[104..], (ulong)now.ToUnixTimeSeconds());
        BinaryPrimitives.WriteUInt64LittleEndian(f[112..], (ulong)now.Add(keyLifetime).ToUnixTimeSeconds());
        BinaryPrimitives.WriteUInt64LittleEndian(f[168..], (ulong)xorb.BytesOnDisk);
        BinaryPrimitives.WriteUInt64LittleEndian(f[176..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(f[184..], (ulong)xorb.UnpackedBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(f[192..], (ulong)footer);
        return shard;
    }

    private static void Bookend(Span<byte> at)
    {
        at[..32].Fill(0xFF);
        at.Slice(32, 16).Clear();
    }
}
