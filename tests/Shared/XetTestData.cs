using System.Buffers.Binary;

namespace HfCtl.Testing;

/// <summary>Inputs of the Xet reference tests and the chunking rule written the plain way, byte by byte.</summary>
internal static class XetTestData
{
    /// <summary>The SplitMix64 stream of the reference implementation's chunking tests, cut to <paramref name="length"/> bytes.</summary>
    public static byte[] SplitMix64(int length)
    {
        var data = new byte[(length + 7) / 8 * 8];
        ulong state = 0;
        for (var i = 0; i < data.Length; i += 8)
        {
            state += 0x9E3779B97F4A7C15;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            z ^= z >> 31;
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(i), z);
        }
        return data[..length];
    }

    /// <summary>The xorshift32 input of huggingface.js issue 2421 (low byte of each state).</summary>
    public static byte[] XorShift32(int length)
    {
        var data = new byte[length];
        var state = 0x9e3779b9u;
        for (var i = 0; i < length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            data[i] = (byte)state;
        }
        return data;
    }

    /// <summary>Chunk end offsets by the specification's per-byte rule, with no skipping and no lanes.</summary>
    public static List<int> PlainBoundaries(ReadOnlySpan<byte> data, ReadOnlySpan<ulong> table)
    {
        var ends = new List<int>();
        ulong h = 0;
        var start = 0;
        for (var i = 0; i < data.Length; i++)
        {
            h = (h << 1) + table[data[i]];
            var size = i + 1 - start;
            if (size < 8192)
            {
                continue;
            }
            if (size >= 131072 || (h & 0xFFFF000000000000) == 0)
            {
                ends.Add(i + 1);
                start = i + 1;
                h = 0;
            }
        }
        if (start < data.Length)
        {
            ends.Add(data.Length);
        }
        return ends;
    }
}
