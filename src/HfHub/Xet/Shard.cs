using System.Buffers.Binary;

namespace HfHub.Xet;

/// <summary>One term of a file in a shard: chunks [ChunkStart, ChunkEnd) of a xorb, their total uncompressed size, and the term's verification hash.</summary>
public sealed record ShardTerm(XetHash XorbHash, int ChunkStart, int ChunkEnd, uint UnpackedBytes, XetHash? VerificationHash);

/// <summary>A file described by a shard: its Xet hash, its terms in order, and (for git repos) its SHA-256 as lower-case hex.</summary>
public sealed record ShardFile(XetHash FileHash, IReadOnlyList<ShardTerm> Terms, string? Sha256);

/// <summary>One chunk of a xorb in a shard's CAS section: its hash (or keyed hash, in a dedupe answer) and uncompressed length.</summary>
public readonly record struct ShardChunk(XetHash Hash, uint Length, bool GlobalDedupe = false);

/// <summary>A xorb described by a shard: its hash, its chunks, and its serialized size.</summary>
public sealed record ShardXorb(XetHash Hash, IReadOnlyList<ShardChunk> Chunks, uint BytesOnDisk)
{
    /// <summary>The shard entry of a xorb this client built.</summary>
    public static ShardXorb From(XorbObject xorb) =>
        new(xorb.Hash, xorb.Chunks.Select(c => new ShardChunk(c.Hash, (uint)c.Length)).ToArray(), (uint)xorb.Data.Length);
}

/// <summary>What a shard holds. <see cref="HmacKey"/> (from the footer) non-zero means the CAS chunk hashes are keyed.</summary>
public sealed record ShardContents(IReadOnlyList<ShardFile> Files, IReadOnlyList<ShardXorb> Xorbs, XetHash HmacKey, DateTimeOffset? KeyExpiry);

/// <summary>
/// The MDB shard format (version 2): a 48-byte header, file blocks, a bookend, xorb (CAS) blocks, a
/// bookend, then optionally lookup tables and a 200-byte footer. Every record is 48 bytes and every
/// integer little-endian. Upload shards are written without footer, as the specification requires;
/// the reader accepts both (global dedupe answers carry one, with the HMAC key and its expiry).
/// </summary>
public static class ShardFormat
{
    private const int RecordSize = 48;
    private const int FooterSize = 200;
    private const uint HasVerification = 0x80000000;
    private const uint HasMetadata = 0x40000000;
    private const uint ChunkGlobalDedupe = 0x80000000;

    private static ReadOnlySpan<byte> HeaderTag =>
    [
        (byte)'H', (byte)'F', (byte)'R', (byte)'e', (byte)'p', (byte)'o', (byte)'M', (byte)'e', (byte)'t', (byte)'a', (byte)'D', (byte)'a', (byte)'t', (byte)'a',
        0, 85, 105, 103, 69, 106, 123, 129, 87, 131, 165, 189, 217, 92, 205, 209, 74, 169,
    ];

    /// <summary>The shard an upload posts: the files with their verification entries (and SHA-256 when known) and the xorbs uploaded for them.</summary>
    public static byte[] WriteUploadShard(IReadOnlyList<ShardFile> files, IReadOnlyList<ShardXorb> xorbs)
    {
        var records = 1 + 1 + 1;
        foreach (var file in files)
        {
            records += 1 + (2 * file.Terms.Count) + (file.Sha256 is null ? 0 : 1);
        }
        foreach (var xorb in xorbs)
        {
            records += 1 + xorb.Chunks.Count;
        }
        var shard = new byte[records * RecordSize];
        var span = shard.AsSpan();
        HeaderTag.CopyTo(span);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], 0);
        var at = RecordSize;
        foreach (var file in files)
        {
            var flags = HasVerification | (file.Sha256 is null ? 0 : HasMetadata);
            file.FileHash.WriteTo(span[at..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 32)..], flags);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 36)..], (uint)file.Terms.Count);
            at += RecordSize;
            foreach (var term in file.Terms)
            {
                term.XorbHash.WriteTo(span[at..]);
                BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 36)..], term.UnpackedBytes);
                BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 40)..], (uint)term.ChunkStart);
                BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 44)..], (uint)term.ChunkEnd);
                at += RecordSize;
            }
            foreach (var term in file.Terms)
            {
                var verification = term.VerificationHash ?? throw new ArgumentException("an upload shard needs every term's verification hash", nameof(files));
                verification.WriteTo(span[at..]);
                at += RecordSize;
            }
            if (file.Sha256 is { } sha256)
            {
                // Stored like a Xet hash: its hex spelling read with the Xet rule, so printing the
                // field the Xet way gives the usual SHA-256 hex back.
                XetHash.Parse(sha256).WriteTo(span[at..]);
                at += RecordSize;
            }
        }
        WriteBookend(span[at..]);
        at += RecordSize;
        foreach (var xorb in xorbs)
        {
            xorb.Hash.WriteTo(span[at..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 36)..], (uint)xorb.Chunks.Count);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 40)..], (uint)xorb.Chunks.Sum(c => (long)c.Length));
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 44)..], xorb.BytesOnDisk);
            at += RecordSize;
            uint offset = 0;
            foreach (var chunk in xorb.Chunks)
            {
                chunk.Hash.WriteTo(span[at..]);
                // The chunk's offset in the xorb's uncompressed bytes, as both official clients write it.
                BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 32)..], offset);
                BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 36)..], chunk.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 40)..], chunk.GlobalDedupe ? ChunkGlobalDedupe : 0);
                offset += chunk.Length;
                at += RecordSize;
            }
        }
        WriteBookend(span[at..]);
        return shard;
    }

    /// <summary>Reads a shard, with or without footer. Throws <see cref="InvalidDataException"/> when it is malformed.</summary>
    public static ShardContents Read(ReadOnlySpan<byte> shard)
    {
        if (shard.Length < RecordSize || !shard[..32].SequenceEqual(HeaderTag))
        {
            throw new InvalidDataException("not a Xet shard (header tag)");
        }
        var version = BinaryPrimitives.ReadUInt64LittleEndian(shard[32..]);
        if (version != 2)
        {
            throw new InvalidDataException($"Xet shard version {version} is not supported (2 is)");
        }
        var footerSize = BinaryPrimitives.ReadUInt64LittleEndian(shard[40..]);
        if (footerSize != 0 && footerSize != FooterSize)
        {
            throw new InvalidDataException($"Xet shard footer of {footerSize} bytes (0 or {FooterSize} expected)");
        }
        var body = shard[..(shard.Length - (int)footerSize)];
        var at = RecordSize;
        var files = new List<ShardFile>();
        while (true)
        {
            var record = Record(body, at);
            at += RecordSize;
            if (IsBookend(record))
            {
                break;
            }
            var flags = BinaryPrimitives.ReadUInt32LittleEndian(record[32..]);
            var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(record[36..]);
            var terms = new List<ShardTerm>(Math.Min(count, 4096));
            for (var i = 0; i < count; i++)
            {
                var entry = Record(body, at);
                at += RecordSize;
                terms.Add(new ShardTerm(
                    XetHash.FromBytes(entry[..32]),
                    (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[40..]),
                    (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[44..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(entry[36..]),
                    null));
            }
            if ((flags & HasVerification) != 0)
            {
                for (var i = 0; i < count; i++)
                {
                    terms[i] = terms[i] with { VerificationHash = XetHash.FromBytes(Record(body, at)[..32]) };
                    at += RecordSize;
                }
            }
            string? sha256 = null;
            if ((flags & HasMetadata) != 0)
            {
                sha256 = XetHash.FromBytes(Record(body, at)[..32]).ToString();
                at += RecordSize;
            }
            files.Add(new ShardFile(XetHash.FromBytes(record[..32]), terms, sha256));
        }
        var xorbs = new List<ShardXorb>();
        while (true)
        {
            var record = Record(body, at);
            at += RecordSize;
            if (IsBookend(record))
            {
                break;
            }
            var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(record[36..]);
            var chunks = new List<ShardChunk>(Math.Min(count, XorbBuilder.MaxChunks));
            for (var i = 0; i < count; i++)
            {
                var entry = Record(body, at);
                at += RecordSize;
                chunks.Add(new ShardChunk(
                    XetHash.FromBytes(entry[..32]),
                    BinaryPrimitives.ReadUInt32LittleEndian(entry[36..]),
                    (BinaryPrimitives.ReadUInt32LittleEndian(entry[40..]) & ChunkGlobalDedupe) != 0));
            }
            xorbs.Add(new ShardXorb(XetHash.FromBytes(record[..32]), chunks, BinaryPrimitives.ReadUInt32LittleEndian(record[44..])));
        }
        var key = XetHash.Zero;
        DateTimeOffset? expiry = null;
        if (footerSize != 0)
        {
            var footer = shard[^FooterSize..];
            var footerVersion = BinaryPrimitives.ReadUInt64LittleEndian(footer);
            if (footerVersion != 1)
            {
                throw new InvalidDataException($"Xet shard footer version {footerVersion} is not supported (1 is)");
            }
            key = XetHash.FromBytes(footer.Slice(72, 32));
            var seconds = BinaryPrimitives.ReadUInt64LittleEndian(footer[112..]);
            // 0 (what the JS client writes) and u64::MAX (xet-core's default) both mean no expiry.
            if (seconds != 0 && seconds < (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                expiry = DateTimeOffset.FromUnixTimeSeconds((long)seconds);
            }
        }
        return new ShardContents(files, xorbs, key, expiry);
    }

    private static ReadOnlySpan<byte> Record(ReadOnlySpan<byte> body, int at) =>
        at + RecordSize <= body.Length ? body.Slice(at, RecordSize) : throw new InvalidDataException($"Xet shard cut off at byte {at}");

    private static bool IsBookend(ReadOnlySpan<byte> record) => !record[..32].ContainsAnyExcept((byte)0xFF);

    private static void WriteBookend(Span<byte> destination)
    {
        destination[..32].Fill(0xFF);
        destination.Slice(32, 16).Clear();
    }
}
