using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
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
/// scheme, uncompressed size u24, little-endian) and its data, written straight into the xorb's one
/// buffer. The scheme is predicted, not tried both ways: byte grouping + LZ4 when the bytes at the four
/// positions modulo 4 have clearly different bit-count distributions (xet-core's rule), plain LZ4
/// otherwise, and the raw bytes whenever the compressed form would not be smaller. A xorb holds at most
/// 8 192 chunks and 64 MiB serialized, the limits the CAS enforces (or a smaller capacity);
/// <see cref="TryAdd"/> says when the next chunk does not fit. Clients send xorbs without the optional footer.
/// </summary>
public sealed class XorbBuilder
{
    public const int MaxChunks = 8 * 1024;
    public const int MaxBytes = 64 * 1024 * 1024;
    internal const int HeaderSize = 8;

    // Room past the last record for a compressed frame that turns out larger than the raw chunk
    // (it is then overwritten by the raw bytes).
    private const int Slack = 64;

    private readonly List<XorbChunk> _chunks = [];
    private readonly Stack<byte[]> _spare = new();
    private readonly byte[] _regroup = new byte[XetChunker.MaxChunkSize];
    private readonly int _capacity;
    private byte[]? _buffer;
    private int _length;

    /// <summary>A builder of xorbs of up to <paramref name="capacity"/> serialized bytes (at most the CAS's 64 MiB; smaller xorbs cost less memory per xorb in flight).</summary>
    public XorbBuilder(int capacity = MaxBytes)
    {
        _capacity = capacity is > HeaderSize + XetChunker.MaxChunkSize and <= MaxBytes
            ? capacity
            : throw new ArgumentOutOfRangeException(nameof(capacity), $"a xorb holds {HeaderSize + XetChunker.MaxChunkSize + 1} to {MaxBytes} bytes");
    }

    /// <summary>Chunks added so far.</summary>
    public int Count => _chunks.Count;

    /// <summary>Serialized bytes so far.</summary>
    public int Length => _length;

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
        // Every chunk record is at most the raw chunk plus its header, so one that fits raw always fits.
        var worst = HeaderSize + chunk.Length;
        var buffer = _buffer ??= _spare.Count > 0 ? _spare.Pop() : GC.AllocateUninitializedArray<byte>(_capacity + Slack);
        var record = buffer.AsSpan(_length, Math.Min(worst + Slack, buffer.Length - _length));
        var payload = record[HeaderSize..];
        var scheme = BytePrediction.PrefersByteGrouping(chunk) ? XorbCompression.ByteGrouping4Lz4 : XorbCompression.Lz4;
        var source = chunk;
        if (scheme == XorbCompression.ByteGrouping4Lz4)
        {
            var grouped = _regroup.AsSpan(0, chunk.Length);
            ByteGrouping.Split(chunk, grouped);
            source = grouped;
        }
        var compressed = Lz4FrameWriter.TryWrite(source, payload, chunk.Length - 1);
        if (compressed < 0)
        {
            scheme = XorbCompression.None;
            compressed = chunk.Length;
        }
        var recordLength = HeaderSize + compressed;
        if (_length + recordLength > _capacity)
        {
            return false;
        }
        if (scheme == XorbCompression.None)
        {
            chunk.CopyTo(payload);
        }
        record[0] = 0;
        WriteU24(record[1..], compressed);
        record[4] = (byte)scheme;
        WriteU24(record[5..], chunk.Length);
        _chunks.Add(new XorbChunk(hash, chunk.Length, _length, recordLength));
        _length += recordLength;
        return true;
    }

    /// <summary>
    /// The xorb of the chunks added; the builder is then empty again. The xorb's data is the builder's
    /// buffer itself, handed over without a copy: give it back with <see cref="Recycle"/> once sent, and
    /// the next xorb reuses it instead of allocating 64 MiB.
    /// </summary>
    public XorbObject Build()
    {
        var nodes = _chunks.Select(c => (c.Hash, (ulong)c.Length)).ToArray();
        var data = _buffer is null ? ReadOnlyMemory<byte>.Empty : new ReadOnlyMemory<byte>(_buffer, 0, _length);
        var xorb = new XorbObject(XetHasher.MerkleRoot(nodes), data, _chunks.ToArray());
        _buffer = null;
        _length = 0;
        _chunks.Clear();
        return xorb;
    }

    /// <summary>Takes back the buffer of a xorb this builder built, once nothing reads its data any more.</summary>
    public void Recycle(XorbObject xorb)
    {
        ArgumentNullException.ThrowIfNull(xorb);
        if (MemoryMarshal.TryGetArray(xorb.Data, out var segment) && segment.Array is { } array && array.Length == _capacity + Slack && _spare.Count < 2 && !_spare.Contains(array))
        {
            _spare.Push(array);
        }
    }

    private static void WriteU24(Span<byte> destination, int value)
    {
        destination[0] = (byte)value;
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)(value >> 16);
    }
}

/// <summary>
/// Writes the LZ4 frame of a chunk: a plain frame (independent 64 KiB blocks, no checksums, no content
/// size, no dictionary) that any standard decoder reads, around blocks compressed by
/// <see cref="LZ4Codec"/>. Written here rather than with the package's frame encoder, which allocates an
/// encoder per call: per 64 KiB chunk that cost more than compressing it.
/// </summary>
internal static class Lz4FrameWriter
{
    private const int BlockSize = 64 * 1024;
    private const int EndMarkSize = 4;
    private const int BlockHeaderSize = 4;
    private const uint UncompressedBlock = 0x8000_0000;

    // Magic, FLG, BD and the header checksum as the package's own encoder writes them for these
    // settings (the checksum is an xxHash32 of FLG and BD, the same for every frame).
    private static readonly byte[] Header = MakeHeader();

    private static byte[] MakeHeader()
    {
        var settings = new LZ4EncoderSettings
        {
            ChainBlocks = false,
            BlockSize = BlockSize,
            ContentChecksum = false,
            BlockChecksum = false,
            CompressionLevel = LZ4Level.L00_FAST,
        };
        var frame = new ArrayBufferWriter<byte>(64);
        LZ4Frame.Encode(ReadOnlySpan<byte>.Empty, frame, settings);
        // An empty frame is the 7-byte header and the end mark.
        return frame.WrittenSpan[..^EndMarkSize].ToArray();
    }

    /// <summary>
    /// Writes the frame of <paramref name="source"/> into <paramref name="destination"/> and returns its
    /// length, or -1 when it would be longer than <paramref name="limit"/> (or not fit).
    /// </summary>
    public static int TryWrite(ReadOnlySpan<byte> source, Span<byte> destination, int limit)
    {
        limit = Math.Min(limit, destination.Length);
        var header = Header.AsSpan();
        if (limit < header.Length + EndMarkSize)
        {
            return -1;
        }
        header.CopyTo(destination);
        var written = header.Length;
        for (var offset = 0; offset < source.Length; offset += BlockSize)
        {
            var block = source.Slice(offset, Math.Min(BlockSize, source.Length - offset));
            var room = limit - written - BlockHeaderSize - EndMarkSize;
            if (room <= 0)
            {
                return -1;
            }
            // A block that does not compress below its size is stored as is (the size's top bit says so).
            var target = destination.Slice(written + BlockHeaderSize, Math.Min(room, block.Length - 1));
            var encoded = target.Length > 0 ? LZ4Codec.Encode(block, target, LZ4Level.L00_FAST) : -1;
            if (encoded > 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination[written..], (uint)encoded);
                written += BlockHeaderSize + encoded;
                continue;
            }
            if (block.Length > room)
            {
                return -1;
            }
            BinaryPrimitives.WriteUInt32LittleEndian(destination[written..], UncompressedBlock | (uint)block.Length);
            block.CopyTo(destination[(written + BlockHeaderSize)..]);
            written += BlockHeaderSize + block.Length;
        }
        if (written + EndMarkSize > limit)
        {
            return -1;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(destination[written..], 0);
        return written + EndMarkSize;
    }
}

/// <summary>
/// Predicts whether byte grouping helps LZ4 on a chunk, as xet-core does: a histogram of the bit count
/// of each byte, one per position modulo 4; grouping is worth it when one position's distribution
/// diverges from the mean (Kullback-Leibler divergence above 0.02), as the exponent bytes of an array
/// of floats do. One cheap pass instead of compressing every chunk twice.
/// </summary>
internal static class BytePrediction
{
    private const double Threshold = 0.02;

    public static bool PrefersByteGrouping(ReadOnlySpan<byte> data)
    {
        Span<int> histograms = stackalloc int[4 * 9];
        histograms.Clear();
        Count(data, histograms);
        Span<double> baseCounts = stackalloc double[9];
        Span<double> totals = stackalloc double[4];
        baseCounts.Fill(1); // never a zero probability
        totals.Clear();
        for (var lane = 0; lane < 4; lane++)
        {
            for (var bits = 0; bits < 9; bits++)
            {
                baseCounts[bits] += histograms[(lane * 9) + bits];
                totals[lane] += histograms[(lane * 9) + bits];
            }
        }
        var baseTotal = totals[0] + totals[1] + totals[2] + totals[3];
        for (var lane = 0; lane < 4; lane++)
        {
            if (totals[lane] == 0)
            {
                continue;
            }
            double divergence = 0;
            for (var bits = 0; bits < 9; bits++)
            {
                var count = histograms[(lane * 9) + bits];
                if (count == 0)
                {
                    continue;
                }
                var p = count / totals[lane];
                var q = baseCounts[bits] / baseTotal;
                divergence += p * Math.Log(p / q);
            }
            if (divergence > Threshold)
            {
                return true;
            }
        }
        return false;
    }

    // Bit counts of 8 bytes at a time (the classic SWAR reduction, per byte), then one histogram
    // increment per byte into the histogram of its position modulo 4.
    private static void Count(ReadOnlySpan<byte> data, Span<int> histograms)
    {
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            var v = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v -= (v >> 1) & 0x5555_5555_5555_5555UL;
            v = (v & 0x3333_3333_3333_3333UL) + ((v >> 2) & 0x3333_3333_3333_3333UL);
            v = (v + (v >> 4)) & 0x0F0F_0F0F_0F0F_0F0FUL;
            histograms[(int)(v & 0xFF)]++;
            histograms[9 + (int)((v >> 8) & 0xFF)]++;
            histograms[18 + (int)((v >> 16) & 0xFF)]++;
            histograms[27 + (int)((v >> 24) & 0xFF)]++;
            histograms[(int)((v >> 32) & 0xFF)]++;
            histograms[9 + (int)((v >> 40) & 0xFF)]++;
            histograms[18 + (int)((v >> 48) & 0xFF)]++;
            histograms[27 + (int)(v >> 56)]++;
        }
        for (; i < data.Length; i++)
        {
            histograms[((i & 3) * 9) + BitOperations.PopCount(data[i])]++;
        }
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
