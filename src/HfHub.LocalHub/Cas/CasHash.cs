using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace HfHub.LocalHub.Cas;

/// <summary>
/// The Xet hashes the CAS recomputes to validate uploads (hub-api xet.md §1, §3): keyed BLAKE3
/// chunk hashes, the Merkle root of a chunk list (xorb hash, and under the zero key the file
/// hash), term verification hashes, the dedupe "HMAC", and the hash string form (each 8-byte
/// group printed as a little-endian u64). The local hub has its own copy on purpose: it must not
/// share code with the client it referees.
/// </summary>
internal static class CasHash
{
    public const int Size = 32;

    private static readonly byte[] DataKey =
        [102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28, 157, 228, 33, 16, 155, 235, 43, 88, 180, 208, 176, 75, 147, 173, 242, 41];

    private static readonly byte[] InternalNodeKey =
        [1, 126, 197, 199, 165, 71, 41, 150, 253, 148, 102, 102, 180, 138, 2, 230, 93, 221, 83, 111, 55, 199, 109, 210, 248, 99, 82, 230, 74, 83, 113, 63];

    private static readonly byte[] VerificationKey =
        [127, 24, 87, 214, 206, 86, 237, 102, 18, 127, 249, 19, 231, 165, 195, 243, 164, 205, 38, 213, 181, 219, 73, 230, 65, 36, 152, 127, 40, 251, 148, 195];

    private static readonly byte[] ZeroKey = new byte[Size];

    /// <summary>The 32 zero bytes: the hash of an empty xorb or file.</summary>
    public static byte[] Zero => new byte[Size];

    public static byte[] Keyed(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        using var hasher = Blake3.Hasher.NewKeyed(key);
        hasher.Update(data);
        var output = new byte[Size];
        hasher.Finalize(output);
        return output;
    }

    public static byte[] Chunk(ReadOnlySpan<byte> data) => Keyed(DataKey, data);

    /// <summary>hmac(h, key) of the spec: keyed BLAKE3 of the raw hash (not RFC 2104).</summary>
    public static byte[] Hmac(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> key) => Keyed(key, hash);

    /// <summary>The verification hash of a term: the raw chunk hashes concatenated, under the verification key.</summary>
    public static byte[] Verification(IEnumerable<byte[]> chunkHashes)
    {
        using var hasher = Blake3.Hasher.NewKeyed(VerificationKey);
        foreach (var hash in chunkHashes)
        {
            hasher.Update(hash);
        }
        var output = new byte[Size];
        hasher.Finalize(output);
        return output;
    }

    /// <summary>The file hash: the Merkle root of all its chunks under the zero key; 32 zero bytes for an empty file.</summary>
    public static byte[] File(IReadOnlyList<(byte[] Hash, long Length)> chunks) =>
        chunks.Count == 0 ? Zero : Keyed(ZeroKey, MerkleRoot(chunks));

    /// <summary>
    /// The Merkle root of an ordered chunk list (xet.md §3.2): levels are built left to right in
    /// groups of 3 to 9 nodes, a group ending at the first node from the third on whose hash is
    /// 0 mod 4 (a final group may have 1 or 2); each group's node hashes the text
    /// <c>"{hex} : {length}\n"</c> of its children under the internal-node key.
    /// </summary>
    public static byte[] MerkleRoot(IReadOnlyList<(byte[] Hash, long Length)> chunks)
    {
        if (chunks.Count == 0)
        {
            return Zero;
        }
        var level = chunks.ToList();
        var text = new StringBuilder();
        while (level.Count > 1)
        {
            var next = new List<(byte[] Hash, long Length)>((level.Count / 3) + 1);
            var position = 0;
            while (position < level.Count)
            {
                var rest = level.Count - position;
                var cut = rest;
                if (rest > 2)
                {
                    cut = Math.Min(9, rest);
                    for (var i = 2; i < Math.Min(9, rest); i++)
                    {
                        if (Mod(level[position + i].Hash, 4) == 0)
                        {
                            cut = i + 1;
                            break;
                        }
                    }
                }
                text.Clear();
                long total = 0;
                for (var i = position; i < position + cut; i++)
                {
                    text.Append(ToHex(level[i].Hash)).Append(" : ").Append(level[i].Length.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    total += level[i].Length;
                }
                next.Add((Keyed(InternalNodeKey, Encoding.ASCII.GetBytes(text.ToString())), total));
                position += cut;
            }
            level = next;
        }
        return level[0].Hash;
    }

    /// <summary><c>hash % n</c> of the spec: the last 8 bytes read as a little-endian u64.</summary>
    public static ulong Mod(ReadOnlySpan<byte> hash, ulong n) => BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]) % n;

    /// <summary>The first 8 bytes as a little-endian u64: the key of shard lookup tables.</summary>
    public static ulong Truncated(ReadOnlySpan<byte> hash) => BinaryPrimitives.ReadUInt64LittleEndian(hash);

    /// <summary>The hash string: four little-endian u64 groups printed as 16 hex digits each.</summary>
    public static string ToHex(ReadOnlySpan<byte> hash)
    {
        Span<byte> swapped = stackalloc byte[Size];
        for (var group = 0; group < 4; group++)
        {
            for (var i = 0; i < 8; i++)
            {
                swapped[(group * 8) + i] = hash[(group * 8) + 7 - i];
            }
        }
        return Convert.ToHexStringLower(swapped);
    }

    /// <summary>Parses a hash string (64 hex digits, either case); null when it is not one.</summary>
    public static byte[]? FromHex(string? text)
    {
        if (text is not { Length: 64 } || !text.All(char.IsAsciiHexDigit))
        {
            return null;
        }
        var bytes = Convert.FromHexString(text);
        for (var group = 0; group < 4; group++)
        {
            Array.Reverse(bytes, group * 8, 8);
        }
        return bytes;
    }

    /// <summary>A hash string in its canonical lower-case spelling, or null when the text is not one.</summary>
    public static string? Normalize(string? text) => FromHex(text) is { } bytes ? ToHex(bytes) : null;
}
