using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace HfHub.LocalHub.Cas;

/// <summary>One chunk record of a xorb: where it sits in the body, its length, its hash and its decoded size.</summary>
internal sealed record CasChunkRecord(int Offset, int RecordLength, byte[] Hash, int Length);

/// <summary>Thrown when uploaded Xet data is malformed; the message is the one-line 400 answer.</summary>
internal sealed class CasFormatException(string message) : Exception(message);

/// <summary>
/// The xorb format (xet.md §4): chunk records <c>version(1)=0 ‖ compressed_size(u24) ‖
/// scheme(1) ‖ uncompressed_size(u24) ‖ data</c>, schemes none, LZ4 frame, byte-grouping-4 +
/// LZ4 frame; at most 8192 chunks and 64 MiB; an optional trailing <c>XETBLOB</c> footer that
/// clients do not send but xet-core can write.
/// </summary>
internal static class CasXorb
{
    public const int HeaderSize = 8;
    public const int MaxChunkSize = 128 * 1024;
    public const int MaxChunks = 8192;
    public const int MaxBytes = 64 * 1024 * 1024;

    private static ReadOnlySpan<byte> FooterMagic => "XETBLOB"u8;

    /// <summary>Parses and decodes every chunk record, recomputing each chunk's hash; throws <see cref="CasFormatException"/> on anything malformed.</summary>
    public static List<CasChunkRecord> Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length == 0)
        {
            throw new CasFormatException("The xorb is empty");
        }
        if (body.Length > MaxBytes)
        {
            throw new CasFormatException($"The xorb is {body.Length} bytes, more than the {MaxBytes}-byte limit");
        }
        var records = new List<CasChunkRecord>();
        var offset = 0;
        while (offset < body.Length)
        {
            var rest = body[offset..];
            if (rest.StartsWith(FooterMagic))
            {
                CheckFooter(body, offset);
                break;
            }
            if (rest.Length < HeaderSize)
            {
                throw new CasFormatException($"The xorb is truncated: {rest.Length} bytes at offset {offset} are not a whole chunk header");
            }
            if (records.Count == MaxChunks)
            {
                throw new CasFormatException($"The xorb has more than {MaxChunks} chunks");
            }
            var data = Decode(rest, out var recordLength, records.Count);
            records.Add(new CasChunkRecord(offset, recordLength, CasHash.Chunk(data), data.Length));
            offset += recordLength;
        }
        if (records.Count == 0)
        {
            throw new CasFormatException("The xorb has no chunks");
        }
        return records;
    }

    /// <summary>Decodes the chunk record at the start of <paramref name="record"/>; returns the raw chunk.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> record, out int recordLength, int index = 0)
    {
        if (record.Length < HeaderSize)
        {
            throw new CasFormatException($"Chunk {index}: truncated header");
        }
        if (record[0] != 0)
        {
            throw new CasFormatException($"Chunk {index}: unknown chunk header version {record[0]}");
        }
        var compressed = record[1] | (record[2] << 8) | (record[3] << 16);
        var scheme = record[4];
        var length = record[5] | (record[6] << 8) | (record[7] << 16);
        if (length > MaxChunkSize)
        {
            throw new CasFormatException($"Chunk {index}: {length} bytes, more than the {MaxChunkSize}-byte chunk limit");
        }
        if (record.Length < HeaderSize + compressed)
        {
            throw new CasFormatException($"Chunk {index}: truncated, {compressed} data bytes declared, {record.Length - HeaderSize} present");
        }
        recordLength = HeaderSize + compressed;
        var data = record.Slice(HeaderSize, compressed);
        var raw = scheme switch
        {
            0 => data.ToArray(),
            1 => Lz4Frame(data, length, index),
            2 => Regroup(Lz4Frame(data, length, index)),
            _ => throw new CasFormatException($"Chunk {index}: unknown compression scheme {scheme}"),
        };
        if (raw.Length != length)
        {
            throw new CasFormatException($"Chunk {index}: decodes to {raw.Length} bytes, its header says {length}");
        }
        return raw;
    }

    /// <summary>A footer is accepted only when its trailing <c>info_length</c> spans exactly from the magic to the end.</summary>
    private static void CheckFooter(ReadOnlySpan<byte> body, int start)
    {
        var length = body.Length - start;
        if (length < 4 + FooterMagic.Length || BinaryPrimitives.ReadUInt32LittleEndian(body[^4..]) != (uint)(length - 4))
        {
            throw new CasFormatException($"The xorb has {length} trailing bytes at offset {start} that are neither chunks nor a valid footer");
        }
    }

    /// <summary>
    /// Decodes one LZ4 frame (xet.md §4.2: the frame format, not raw blocks): header with
    /// optional content size and dictionary id, blocks (independent or linked, optionally
    /// checksummed, or stored uncompressed), end mark, optional content checksum. Checksums are
    /// skipped: the chunk hash already proves the content.
    /// </summary>
    private static byte[] Lz4Frame(ReadOnlySpan<byte> frame, int expected, int index)
    {
        var bad = new CasFormatException($"Chunk {index}: not a valid LZ4 frame");
        if (frame.Length < 7 || BinaryPrimitives.ReadUInt32LittleEndian(frame) != 0x184D2204)
        {
            throw bad;
        }
        var flags = frame[4];
        if ((flags >> 6) != 1)
        {
            throw bad;
        }
        var linked = (flags & 0x20) == 0;
        var blockChecksum = (flags & 0x10) != 0;
        var position = 6 + ((flags & 0x08) != 0 ? 8 : 0) + ((flags & 0x01) != 0 ? 4 : 0) + 1; // FLG, BD, [size], [dict id], HC
        var output = new byte[expected];
        var written = 0;
        while (true)
        {
            if (position + 4 > frame.Length)
            {
                throw bad;
            }
            var blockHeader = BinaryPrimitives.ReadUInt32LittleEndian(frame[position..]);
            position += 4;
            if (blockHeader == 0)
            {
                break;
            }
            var size = (int)(blockHeader & 0x7FFFFFFF);
            if (size > frame.Length - position)
            {
                throw bad;
            }
            var block = frame.Slice(position, size);
            if ((blockHeader & 0x80000000) != 0)
            {
                if (size > expected - written)
                {
                    throw new CasFormatException($"Chunk {index}: decodes to more bytes than its header says ({expected})");
                }
                block.CopyTo(output.AsSpan(written));
                written += size;
            }
            else
            {
                var target = output.AsSpan(written);
                var dictionary = linked ? output.AsSpan(Math.Max(0, written - 65536), Math.Min(written, 65536)) : [];
                var decoded = dictionary.IsEmpty ? LZ4Codec.Decode(block, target) : LZ4Codec.Decode(block, target, dictionary);
                if (decoded < 0)
                {
                    throw new CasFormatException($"Chunk {index}: the LZ4 data is corrupt or decodes to more bytes than its header says ({expected})");
                }
                written += decoded;
            }
            position += size + (blockChecksum ? 4 : 0);
        }
        return written == expected ? output : output[..written];
    }

    /// <summary>Undoes the byte grouping: the input is group0 ‖ group1 ‖ group2 ‖ group3, group k holding the bytes at k, k+4, …</summary>
    private static byte[] Regroup(byte[] grouped)
    {
        var n = grouped.Length;
        var output = new byte[n];
        var q = n / 4;
        var r = n % 4;
        var start = 0;
        for (var k = 0; k < 4; k++)
        {
            var size = q + (k < r ? 1 : 0);
            for (var j = 0; j < size; j++)
            {
                output[(j * 4) + k] = grouped[start + j];
            }
            start += size;
        }
        return output;
    }
}
