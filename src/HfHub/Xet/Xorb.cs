using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;

namespace HfHub.Xet;

/// <summary>How a chunk's bytes are stored in a xorb.</summary>
public enum XorbCompression : byte
{
    /// <summary>The raw bytes.</summary>
    None = 0,

    /// <summary>An LZ4 frame of the raw bytes.</summary>
    Lz4 = 1,

    /// <summary>An LZ4 frame of the bytes regrouped by position modulo 4 (helps numeric arrays such as float weights).</summary>
    ByteGrouping4Lz4 = 2,
}

/// <summary>One chunk of a xorb: its hash, uncompressed length, and where its record lies in the serialized xorb.</summary>
public readonly record struct XorbChunk(XetHash Hash, int Length, int RecordOffset, int RecordLength);

/// <summary>A finished xorb: its hash (the Merkle root of its chunks), its serialized bytes (chunk records, no footer) and its chunks.</summary>
public sealed record XorbObject(XetHash Hash, ReadOnlyMemory<byte> Data, IReadOnlyList<XorbChunk> Chunks)
{
    /// <summary>Sum of the chunks' uncompressed lengths.</summary>
    public long UncompressedLength => Chunks.Sum(c => (long)c.Length);
}

/// <summary>
/// Packs chunks into one xorb: each chunk becomes an 8-byte header (version 0, compressed size u24,
/// scheme, uncompressed size u24, little-endian) and its data, stored raw, as an LZ4 frame, or as an LZ4
/// frame of its byte-grouped form, whichever is smallest. A xorb holds at most 8 192 chunks and 64 MiB
/// serialized, the limits the CAS enforces; <see cref="TryAdd"/> says when the next chunk does not fit.
/// Clients send xorbs without the optional footer.
/// </summary>
public sealed class XorbBuilder
{
    public const int MaxChunks = 8 * 1024;
    public const int MaxBytes = 64 * 1024 * 1024;
    internal const int HeaderSize = 8;

    private static readonly LZ4EncoderSettings FrameSettings = new()
    {
        // A plain frame: independent blocks, no checksums, no content size, no dictionary; any
        // standard LZ4 frame decoder reads it.
        ChainBlocks = false,
        BlockSize = 64 * 1024,
        ContentChecksum = false,
        BlockChecksum = false,
        CompressionLevel = LZ4Level.L00_FAST,
    };

    private readonly ArrayBufferWriter<byte> _data = new(1024 * 1024);
    private readonly ArrayBufferWriter<byte> _lz4 = new(XetChunker.MaxChunkSize + 1024);
    private readonly ArrayBufferWriter<byte> _grouped = new(XetChunker.MaxChunkSize + 1024);
    private readonly List<XorbChunk> _chunks = [];
    private readonly byte[] _regroup = new byte[XetChunker.MaxChunkSize];

    /// <summary>Chunks added so far.</summary>
    public int Count => _chunks.Count;

    /// <summary>Serialized bytes so far.</summary>
    public int Length => _data.WrittenCount;

    /// <summary>Compresses and appends a chunk; false (nothing added) when the xorb would exceed its limits.</summary>
    public bool TryAdd(XetHash hash, ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length is 0 or > XetChunker.MaxChunkSize)
        {
            throw new ArgumentException($"a chunk is 1 to {XetChunker.MaxChunkSize} bytes, not {chunk.Length}", nameof(chunk));
        }
        if (_chunks.Count >= MaxChunks)
        {
            return false;
        }
        _lz4.ResetWrittenCount();
        LZ4Frame.Encode(chunk, _lz4, FrameSettings);
        _grouped.ResetWrittenCount();
        var grouped = _regroup.AsSpan(0, chunk.Length);
        ByteGrouping.Split(chunk, grouped);
        LZ4Frame.Encode((ReadOnlySpan<byte>)grouped, _grouped, FrameSettings);

        // Raw unless compressing makes it smaller; the smaller of the two compressed forms otherwise.
        var scheme = XorbCompression.None;
        var payload = chunk;
        if (_lz4.WrittenCount < payload.Length)
        {
            scheme = XorbCompression.Lz4;
            payload = _lz4.WrittenSpan;
        }
        if (_grouped.WrittenCount < payload.Length)
        {
            scheme = XorbCompression.ByteGrouping4Lz4;
            payload = _grouped.WrittenSpan;
        }
        var recordLength = HeaderSize + payload.Length;
        if (_data.WrittenCount + recordLength > MaxBytes)
        {
            return false;
        }
        var record = _data.GetSpan(recordLength);
        record[0] = 0;
        WriteU24(record[1..], payload.Length);
        record[4] = (byte)scheme;
        WriteU24(record[5..], chunk.Length);
        payload.CopyTo(record[HeaderSize..]);
        _chunks.Add(new XorbChunk(hash, chunk.Length, _data.WrittenCount, recordLength));
        _data.Advance(recordLength);
        return true;
    }

    /// <summary>The xorb of the chunks added; the builder is then empty again.</summary>
    public XorbObject Build()
    {
        var nodes = _chunks.Select(c => (c.Hash, (ulong)c.Length)).ToArray();
        var xorb = new XorbObject(XetHasher.MerkleRoot(nodes), _data.WrittenMemory.ToArray(), _chunks.ToArray());
        _data.Clear();
        _chunks.Clear();
        return xorb;
    }

    private static void WriteU24(Span<byte> destination, int value)
    {
        destination[0] = (byte)value;
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)(value >> 16);
    }
}

/// <summary>Reads chunk records of a xorb (a whole xorb, or the byte range of some of its chunks that a download fetches).</summary>
public static class XorbReader
{
    /// <summary>
    /// Decodes every chunk record in <paramref name="records"/>, in order, into <paramref name="output"/>,
    /// returning each chunk's uncompressed length. Throws <see cref="InvalidDataException"/> on anything
    /// malformed: an unknown version or scheme, a record running past the end, a decoded length other
    /// than the header's, a chunk over 128 KiB.
    /// </summary>
    public static List<int> Decode(ReadOnlySpan<byte> records, IBufferWriter<byte> output)
    {
        var lengths = new List<int>();
        var offset = 0;
        while (offset < records.Length)
        {
            if (records.Length - offset < XorbBuilder.HeaderSize)
            {
                throw new InvalidDataException($"xorb chunk header cut off at byte {offset}");
            }
            var header = records.Slice(offset, XorbBuilder.HeaderSize);
            if (header[0] != 0)
            {
                throw new InvalidDataException($"xorb chunk at byte {offset} has version {header[0]}, not 0");
            }
            var compressed = ReadU24(header[1..]);
            var scheme = (XorbCompression)header[4];
            var length = ReadU24(header[5..]);
            if (length is 0 or > XetChunker.MaxChunkSize)
            {
                throw new InvalidDataException($"xorb chunk at byte {offset} claims {length} bytes (1 to {XetChunker.MaxChunkSize} allowed)");
            }
            if (records.Length - offset - XorbBuilder.HeaderSize < compressed)
            {
                throw new InvalidDataException($"xorb chunk at byte {offset} is cut off");
            }
            var payload = records.Slice(offset + XorbBuilder.HeaderSize, compressed);
            var destination = output.GetSpan(length)[..length];
            var written = scheme switch
            {
                XorbCompression.None => Copy(payload, destination),
                XorbCompression.Lz4 => DecodeFrame(payload, destination),
                XorbCompression.ByteGrouping4Lz4 => DecodeGrouped(payload, destination),
                _ => throw new InvalidDataException($"xorb chunk at byte {offset} has unknown compression {(byte)scheme}"),
            };
            if (written != length)
            {
                throw new InvalidDataException($"xorb chunk at byte {offset} decodes to {written} bytes, not {length}");
            }
            output.Advance(length);
            lengths.Add(length);
            offset += XorbBuilder.HeaderSize + compressed;
        }
        return lengths;
    }

    private static int Copy(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (payload.Length != destination.Length)
        {
            return payload.Length;
        }
        payload.CopyTo(destination);
        return payload.Length;
    }

    private static int DecodeFrame(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        var decoded = new ArrayBufferWriter<byte>(destination.Length);
        try
        {
            LZ4Frame.Decode(payload, decoded);
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"a xorb chunk's LZ4 frame is malformed: {e.Message}", e);
        }
        if (decoded.WrittenCount == destination.Length)
        {
            decoded.WrittenSpan.CopyTo(destination);
        }
        return decoded.WrittenCount;
    }

    private static int DecodeGrouped(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        var grouped = ArrayPool<byte>.Shared.Rent(destination.Length);
        try
        {
            var written = DecodeFrame(payload, grouped.AsSpan(0, destination.Length));
            if (written == destination.Length)
            {
                ByteGrouping.Join(grouped.AsSpan(0, written), destination);
            }
            return written;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(grouped);
        }
    }

    private static int ReadU24(ReadOnlySpan<byte> source) => source[0] | (source[1] << 8) | (source[2] << 16);
}

/// <summary>
/// Xet's stride-4 byte grouping: group k holds the bytes at positions k, k+4, k+8, … and the groups are
/// concatenated, so the 1st to 3rd groups take one byte more when the length is not a multiple of 4.
/// </summary>
internal static class ByteGrouping
{
    public static void Split(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var n = source.Length;
        var position = 0;
        for (var group = 0; group < 4; group++)
        {
            for (var i = group; i < n; i += 4)
            {
                destination[position++] = source[i];
            }
        }
    }

    public static void Join(ReadOnlySpan<byte> grouped, Span<byte> destination)
    {
        var n = grouped.Length;
        var position = 0;
        for (var group = 0; group < 4; group++)
        {
            for (var i = group; i < n; i += 4)
            {
                destination[i] = grouped[position++];
            }
        }
    }
}
