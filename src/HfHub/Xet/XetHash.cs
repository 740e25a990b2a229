using System.Buffers.Binary;
using System.Globalization;

namespace HfHub.Xet;

/// <summary>
/// A 32-byte Xet hash (chunk, xorb, file or verification hash). Its text form is the Xet one: the
/// 32 bytes read as four little-endian u64 values, each printed as 16 hex digits, so it is not the
/// byte-wise hex of the raw bytes.
/// </summary>
public readonly struct XetHash : IEquatable<XetHash>
{
    /// <summary>The size of a hash in bytes.</summary>
    public const int Size = 32;

    // The four 8-byte groups read little-endian: the text form prints them in order, "hash % n"
    // uses the last one and the shard lookup tables truncate to the first.
    private readonly ulong _g0;
    private readonly ulong _g1;
    private readonly ulong _g2;
    private readonly ulong _g3;

    private XetHash(ulong g0, ulong g1, ulong g2, ulong g3)
    {
        _g0 = g0;
        _g1 = g1;
        _g2 = g2;
        _g3 = g3;
    }

    /// <summary>The all-zero hash (the file hash of an empty file).</summary>
    public static XetHash Zero => default;

    /// <summary>True for the all-zero hash.</summary>
    public bool IsZero => (_g0 | _g1 | _g2 | _g3) == 0;

    /// <summary>The hash whose raw bytes are <paramref name="bytes"/> (exactly 32).</summary>
    public static XetHash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a Xet hash is {Size} bytes, not {bytes.Length}", nameof(bytes));
        }
        return new XetHash(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]));
    }

    /// <summary>Writes the 32 raw bytes into <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _g0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _g1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _g2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _g3);
    }

    /// <summary>The 32 raw bytes.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Parses the Xet text form (64 hex digits, either case).</summary>
    public static XetHash Parse(string text) =>
        TryParse(text, out var hash) ? hash : throw new FormatException("a Xet hash is 64 hex digits");

    /// <summary>Parses the Xet text form (64 hex digits, either case).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out XetHash hash)
    {
        hash = default;
        if (text.Length != 64)
        {
            return false;
        }
        Span<ulong> groups = stackalloc ulong[4];
        for (var i = 0; i < 4; i++)
        {
            var group = text.Slice(i * 16, 16);
            // AllowHexSpecifier alone accepts exactly hex digits: no sign, no spaces, no "0x".
            if (!ulong.TryParse(group, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out groups[i]))
            {
                return false;
            }
        }
        hash = new XetHash(groups[0], groups[1], groups[2], groups[3]);
        return true;
    }

    /// <summary>The hash modulo <paramref name="divisor"/>, as Xet defines it: the last 8 bytes read little-endian.</summary>
    public ulong Modulo(ulong divisor) => _g3 % divisor;

    /// <summary>The first 8 bytes read little-endian (the key of a shard's lookup tables).</summary>
    public ulong Truncated => _g0;

    /// <summary>The Xet text form: 64 lower-case hex digits.</summary>
    public override string ToString() => string.Create(64, this, static (span, h) =>
    {
        h._g0.TryFormat(span, out _, "x16", CultureInfo.InvariantCulture);
        h._g1.TryFormat(span[16..], out _, "x16", CultureInfo.InvariantCulture);
        h._g2.TryFormat(span[32..], out _, "x16", CultureInfo.InvariantCulture);
        h._g3.TryFormat(span[48..], out _, "x16", CultureInfo.InvariantCulture);
    });

    /// <summary>Writes the Xet text form (64 characters) into <paramref name="destination"/>.</summary>
    internal void FormatTo(Span<byte> destination)
    {
        Span<char> text = stackalloc char[64];
        _g0.TryFormat(text, out _, "x16", CultureInfo.InvariantCulture);
        _g1.TryFormat(text[16..], out _, "x16", CultureInfo.InvariantCulture);
        _g2.TryFormat(text[32..], out _, "x16", CultureInfo.InvariantCulture);
        _g3.TryFormat(text[48..], out _, "x16", CultureInfo.InvariantCulture);
        for (var i = 0; i < 64; i++)
        {
            destination[i] = (byte)text[i];
        }
    }

    public bool Equals(XetHash other) => _g0 == other._g0 && _g1 == other._g1 && _g2 == other._g2 && _g3 == other._g3;

    public override bool Equals(object? obj) => obj is XetHash other && Equals(other);

    // The hash is uniformly distributed already: one group is as good a key as any mix.
    public override int GetHashCode() => (int)_g0 ^ (int)(_g0 >> 32);

    public static bool operator ==(XetHash left, XetHash right) => left.Equals(right);

    public static bool operator !=(XetHash left, XetHash right) => !left.Equals(right);
}
