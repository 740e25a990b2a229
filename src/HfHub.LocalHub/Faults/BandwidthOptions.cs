using System.Globalization;

namespace HfHub.LocalHub.Faults;

/// <summary>
/// A link speed for the whole hub (<c>hfctl local-hub serve --bandwidth</c>), so that benchmarks can
/// emulate a real network on loopback: response bodies and request bodies each flow at most
/// <see cref="BytesPerSecond"/>, summed over every connection, as on one full-duplex link.
/// </summary>
public sealed record BandwidthOptions
{
    /// <summary>Bytes per second in each direction.</summary>
    public required double BytesPerSecond { get; init; }

    /// <summary>The slowest and fastest links accepted: 1 KB/s and 100 GB/s.</summary>
    private const double Slowest = 1_000, Fastest = 100e9;

    /// <summary>
    /// Parses a rate: a positive number and a unit, optionally followed by <c>/s</c>. Units are decimal,
    /// as link speeds are: <c>bit</c>, <c>kbit</c>, <c>mbit</c>, <c>gbit</c> for bits, <c>B</c>, <c>KB</c>,
    /// <c>MB</c>, <c>GB</c> for bytes, and <c>KiB</c>, <c>MiB</c>, <c>GiB</c> for binary bytes; case does
    /// not matter, so bits are always spelled <c>bit</c> (<c>100mbit</c>, <c>12.5MB/s</c>). Throws
    /// <see cref="FormatException"/> with a one-line message.
    /// </summary>
    public static BandwidthOptions Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var text = spec.Trim();
        if (text.EndsWith("/s", StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^2];
        }
        var split = 0;
        while (split < text.Length && (char.IsAsciiDigit(text[split]) || text[split] == '.'))
        {
            split++;
        }
        var number = text[..split];
        var unit = text[split..].Trim().ToLowerInvariant();
        double? scale = unit switch
        {
            "bit" => 1 / 8.0,
            "kbit" => 1e3 / 8,
            "mbit" => 1e6 / 8,
            "gbit" => 1e9 / 8,
            "b" => 1,
            "kb" => 1e3,
            "mb" => 1e6,
            "gb" => 1e9,
            "kib" => 1024,
            "mib" => 1024 * 1024,
            "gib" => 1024 * 1024 * 1024,
            _ => null,
        };
        if (number.Length == 0 || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || scale is null)
        {
            throw new FormatException($"'{spec}' is not a rate: expected a number and a unit, e.g. 100mbit, 12.5MB/s or 512KiB (bit, kbit, mbit, gbit, B, KB, MB, GB, KiB, MiB, GiB)");
        }
        var rate = value * scale.Value;
        if (rate is < Slowest or > Fastest)
        {
            throw new FormatException($"'{spec}' is out of range: give between 1KB/s and 100GB/s");
        }
        return new BandwidthOptions { BytesPerSecond = rate };
    }
}
