using System.Buffers;
using System.Globalization;
using Blake3;

namespace HfHub.Xet;

/// <summary>One chunk of a file: its hash, where it starts in the file and its length.</summary>
public readonly record struct XetChunk(XetHash Hash, long Offset, int Length);

/// <summary>
/// The hashes of the Xet protocol, all BLAKE3 in keyed mode: chunk hashes, the Merkle root of a
/// chunk list (the xorb hash), the file hash, term verification hashes and the keyed ("HMAC")
/// form used by global dedupe answers.
/// </summary>
public static class XetHasher
{
    private static ReadOnlySpan<byte> DataKey =>
    [
        102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28,
        157, 228, 33, 16, 155, 235, 43, 88, 180, 208, 176, 75, 147, 173, 242, 41,
    ];

    private static ReadOnlySpan<byte> InternalNodeKey =>
    [
        1, 126, 197, 199, 165, 71, 41, 150, 253, 148, 102, 102, 180, 138, 2, 230,
        93, 221, 83, 111, 55, 199, 109, 210, 248, 99, 82, 230, 74, 83, 113, 63,
    ];

    private static ReadOnlySpan<byte> VerificationKey =>
    [
        127, 24, 87, 214, 206, 86, 237, 102, 18, 127, 249, 19, 231, 165, 195, 243,
        164, 205, 38, 213, 181, 219, 73, 230, 65, 36, 152, 127, 40, 251, 148, 195,
    ];

    /// <summary>Chunks whose hash modulo this are offered to the global dedupe query (besides each file's first chunk).</summary>
    public const ulong GlobalDedupeModulus = 1024;

    /// <summary>The hash of one chunk's raw (uncompressed) bytes.</summary>
    public static XetHash ChunkHash(ReadOnlySpan<byte> chunk) => KeyedHash(DataKey, chunk);

    /// <summary>
    /// The Merkle root of a chunk list, as the xorb hash defines it: nodes are merged in groups of
    /// 3 to 9, a group ending early (from its third node on) at a node whose hash is 0 modulo 4.
    /// Empty list: the zero hash; one chunk: that chunk's hash.
    /// </summary>
    public static XetHash MerkleRoot(IReadOnlyList<XetChunk> chunks)
    {
        if (chunks.Count == 0)
        {
            return XetHash.Zero;
        }
        var level = new (XetHash Hash, ulong Length)[chunks.Count];
        for (var i = 0; i < level.Length; i++)
        {
            level[i] = (chunks[i].Hash, (ulong)chunks[i].Length);
        }
        return MerkleRoot(level);
    }

    /// <summary>The Merkle root of (hash, length) nodes; see <see cref="MerkleRoot(IReadOnlyList{XetChunk})"/>.</summary>
    public static XetHash MerkleRoot(ReadOnlySpan<(XetHash Hash, ulong Length)> nodes)
    {
        if (nodes.IsEmpty)
        {
            return XetHash.Zero;
        }
        var current = nodes.ToArray();
        var count = current.Length;
        while (count > 1)
        {
            var next = 0;
            var position = 0;
            while (position < count)
            {
                var cut = NextMergeCut(current.AsSpan(position, count - position));
                // Writing in place is safe: the node written (index next) is never after the group read.
                current[next++] = MergeNodes(current.AsSpan(position, cut));
                position += cut;
            }
            count = next;
        }
        return current[0].Hash;
    }

    private static int NextMergeCut(ReadOnlySpan<(XetHash Hash, ulong Length)> rest)
    {
        if (rest.Length <= 2)
        {
            return rest.Length;
        }
        var end = Math.Min(9, rest.Length);
        for (var i = 2; i < end; i++)
        {
            if (rest[i].Hash.Modulo(4) == 0)
            {
                return i + 1;
            }
        }
        return end;
    }

    // An internal node hashes the text "<child hash> : <child length>\n" of each child, in order.
    private static (XetHash Hash, ulong Length) MergeNodes(ReadOnlySpan<(XetHash Hash, ulong Length)> group)
    {
        // 9 children x (64 hex + " : " + up to 20 digits + "\n") fits easily.
        Span<byte> text = stackalloc byte[9 * 88];
        var written = 0;
        ulong total = 0;
        foreach (var (hash, length) in group)
        {
            hash.FormatTo(text[written..]);
            written += 64;
            " : "u8.CopyTo(text[written..]);
            written += 3;
            length.TryFormat(text[written..], out var digits, default, CultureInfo.InvariantCulture);
            written += digits;
            text[written++] = (byte)'\n';
            total += length;
        }
        return (KeyedHash(InternalNodeKey, text[..written]), total);
    }

    /// <summary>The file hash (the Xet file id): the keyed hash, under a zero key, of the Merkle root of all its chunks. Empty file: the zero hash.</summary>
    public static XetHash FileHash(IReadOnlyList<XetChunk> chunks)
    {
        if (chunks.Count == 0)
        {
            return XetHash.Zero;
        }
        Span<byte> zeroKey = stackalloc byte[32];
        zeroKey.Clear();
        Span<byte> root = stackalloc byte[32];
        MerkleRoot(chunks).WriteTo(root);
        return KeyedHash(zeroKey, root);
    }

    /// <summary>The verification hash of a term: the keyed hash of the concatenated raw hashes of its chunks.</summary>
    public static XetHash VerificationHash(ReadOnlySpan<XetHash> chunkHashes)
    {
        var length = chunkHashes.Length * XetHash.Size;
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            for (var i = 0; i < chunkHashes.Length; i++)
            {
                chunkHashes[i].WriteTo(rented.AsSpan(i * XetHash.Size, XetHash.Size));
            }
            return KeyedHash(VerificationKey, rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The keyed form of a chunk hash found in global dedupe answers: BLAKE3 keyed by <paramref name="key"/> over the hash's raw bytes (not RFC 2104).</summary>
    public static XetHash Hmac(XetHash hash, XetHash key)
    {
        Span<byte> keyBytes = stackalloc byte[32];
        key.WriteTo(keyBytes);
        Span<byte> message = stackalloc byte[32];
        hash.WriteTo(message);
        return KeyedHash(keyBytes, message);
    }

    /// <summary>Whether a chunk may be offered to the global dedupe query: a file's first chunk, or a hash that is 0 modulo 1024.</summary>
    public static bool IsGlobalDedupeEligible(XetHash chunkHash, bool isFirstChunkOfFile) =>
        isFirstChunkOfFile || chunkHash.Modulo(GlobalDedupeModulus) == 0;

    private static XetHash KeyedHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        using var hasher = Hasher.NewKeyed(key);
        hasher.Update(message);
        Span<byte> output = stackalloc byte[32];
        hasher.Finalize(output);
        return XetHash.FromBytes(output);
    }
}
