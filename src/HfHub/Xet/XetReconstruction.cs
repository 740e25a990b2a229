using System.Text.Json;
using System.Text.Json.Serialization;

namespace HfHub.Xet;

/// <summary>A range of chunk indices in a xorb, end exclusive.</summary>
public readonly record struct XetChunkRange(int Start, int End);

/// <summary>One term of a file's reconstruction: chunks of a xorb, and the length they decode to.</summary>
public sealed record XetReconstructionTerm(XetHash XorbHash, XetChunkRange Chunks, long UnpackedLength);

/// <summary>One range to fetch from a xorb: its chunks, and the inclusive byte range of their records in the serialized xorb.</summary>
public sealed record XetFetchRange(XetChunkRange Chunks, long ByteStart, long ByteEndInclusive);

/// <summary>One signed URL of a xorb and the ranges to ask it for (one request, several ranges).</summary>
public sealed record XetXorbFetch(Uri Url, IReadOnlyList<XetFetchRange> Ranges);

/// <summary>
/// The CAS's answer to "how is this file (or this byte range of it) rebuilt": the terms in order, the
/// bytes of the first term's output to skip, and where to fetch each xorb's chunks. Read from either the
/// v2 answer (<c>xorbs</c>, several ranges per URL) or the deprecated v1 answer (<c>fetch_info</c>, one
/// range per URL), which <see cref="Parse"/> turns into the same shape.
/// </summary>
public sealed record XetReconstruction(long OffsetIntoFirstRange, IReadOnlyList<XetReconstructionTerm> Terms, IReadOnlyDictionary<XetHash, IReadOnlyList<XetXorbFetch>> Fetches)
{
    /// <summary>Parses a v1 or v2 reconstruction answer; <see cref="InvalidDataException"/> when it is malformed or incomplete.</summary>
    public static XetReconstruction Parse(ReadOnlySpan<byte> json)
    {
        ReconstructionWire wire;
        try
        {
            wire = JsonSerializer.Deserialize(json, XetJsonContext.Default.ReconstructionWire)
                ?? throw new InvalidDataException("the reconstruction answer is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the reconstruction answer is not valid JSON: {e.Message}", e);
        }
        if (wire.Terms is null)
        {
            throw new InvalidDataException("the reconstruction answer has no terms");
        }
        if (wire.OffsetIntoFirstRange < 0)
        {
            throw new InvalidDataException("the reconstruction answer has a negative offset_into_first_range");
        }
        var terms = wire.Terms.Select(t => new XetReconstructionTerm(
            Hash(t.Hash),
            Range(t.Range, "term"),
            t.UnpackedLength >= 0 ? t.UnpackedLength : throw new InvalidDataException("a term has a negative unpacked_length"))).ToArray();

        var fetches = new Dictionary<XetHash, IReadOnlyList<XetXorbFetch>>();
        if (wire.Xorbs is not null)
        {
            foreach (var (xorb, entries) in wire.Xorbs)
            {
                fetches[Hash(xorb)] = entries.Select(e => new XetXorbFetch(
                    Url(e.Url),
                    (e.Ranges ?? throw new InvalidDataException($"a fetch entry of xorb {xorb} has no ranges"))
                        .Select(r => new XetFetchRange(Range(r.Chunks, "fetch"), Bytes(r.Bytes).Start, Bytes(r.Bytes).End)).ToArray())).ToArray();
            }
        }
        else if (wire.FetchInfo is not null)
        {
            foreach (var (xorb, entries) in wire.FetchInfo)
            {
                fetches[Hash(xorb)] = entries.Select(e => new XetXorbFetch(
                    Url(e.Url),
                    [new XetFetchRange(Range(e.Range, "fetch"), Bytes(e.UrlRange).Start, Bytes(e.UrlRange).End)])).ToArray();
            }
        }
        else if (terms.Length > 0)
        {
            throw new InvalidDataException("the reconstruction answer says where to fetch nothing (no xorbs or fetch_info)");
        }

        // Every chunk a term needs must be covered by a fetch range of its xorb.
        foreach (var term in terms)
        {
            if (!fetches.TryGetValue(term.XorbHash, out var entries)
                || !entries.SelectMany(e => e.Ranges).Any(r => r.Chunks.Start <= term.Chunks.Start && term.Chunks.End <= r.Chunks.End))
            {
                throw new InvalidDataException($"the reconstruction answer does not say where to fetch chunks [{term.Chunks.Start}, {term.Chunks.End}) of xorb {term.XorbHash}");
            }
        }
        return new XetReconstruction(wire.OffsetIntoFirstRange, terms, fetches);
    }

    private static XetHash Hash(string? text) =>
        XetHash.TryParse(text, out var hash) ? hash : throw new InvalidDataException($"'{text}' is not a Xet hash");

    private static XetChunkRange Range(RangeWire? range, string what) =>
        range is { Start: >= 0 } r && r.End > r.Start
            ? new XetChunkRange((int)r.Start, (int)r.End)
            : throw new InvalidDataException($"a {what} has an empty or negative chunk range");

    private static (long Start, long End) Bytes(RangeWire? range) =>
        range is { Start: >= 0 } r && r.End >= r.Start
            ? (r.Start, r.End)
            : throw new InvalidDataException("a fetch has an empty or negative byte range");

    private static Uri Url(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? url
            : throw new InvalidDataException("a fetch has no absolute http(s) URL");
}

internal sealed record RangeWire(
    [property: JsonPropertyName("start")] long Start,
    [property: JsonPropertyName("end")] long End);

internal sealed record ReconstructionTermWire(
    [property: JsonPropertyName("hash")] string? Hash,
    [property: JsonPropertyName("unpacked_length")] long UnpackedLength,
    [property: JsonPropertyName("range")] RangeWire? Range);

internal sealed record FetchRangeWire(
    [property: JsonPropertyName("chunks")] RangeWire? Chunks,
    [property: JsonPropertyName("bytes")] RangeWire? Bytes);

internal sealed record XorbFetchWire(
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("ranges")] List<FetchRangeWire>? Ranges);

internal sealed record FetchInfoWire(
    [property: JsonPropertyName("range")] RangeWire? Range,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("url_range")] RangeWire? UrlRange);

internal sealed record ReconstructionWire(
    [property: JsonPropertyName("offset_into_first_range")] long OffsetIntoFirstRange,
    [property: JsonPropertyName("terms")] List<ReconstructionTermWire>? Terms,
    [property: JsonPropertyName("xorbs")] Dictionary<string, List<XorbFetchWire>>? Xorbs,
    [property: JsonPropertyName("fetch_info")] Dictionary<string, List<FetchInfoWire>>? FetchInfo);

/// <summary>The Hub's Xet token answer (<c>xet-read-token</c> / <c>xet-write-token</c>).</summary>
internal sealed record XetTokenWire(
    [property: JsonPropertyName("accessToken")] string? AccessToken,
    [property: JsonPropertyName("exp")] long Exp,
    [property: JsonPropertyName("casUrl")] string? CasUrl);

/// <summary>Source-generated JSON of the CAS answers (Native AOT ready).</summary>
[JsonSerializable(typeof(ReconstructionWire))]
[JsonSerializable(typeof(XetTokenWire))]
internal sealed partial class XetJsonContext : JsonSerializerContext;
