using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HfHub.LocalHub.Api;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Cas;

/// <summary>The signed URLs the hub serves itself: xorb byte ranges (<c>/cas/fetch/…</c>) and the resolve bridge (<c>/cas/bridge/…</c>).</summary>
internal static partial class CasRoutes
{
    /// <summary>A parsed single <c>Range</c> header: null when absent or not a byte range; <c>Valid</c> false when unsatisfiable.</summary>
    internal readonly record struct ByteRange(long From, long To, bool Valid);

    internal static ByteRange? ParseRange(string header, long size)
    {
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }
        var spec = header[6..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }
        var left = spec[..dash].Trim();
        var right = spec[(dash + 1)..].Trim();
        if (left.Length == 0)
        {
            if (!long.TryParse(right, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix) || suffix == 0 || size == 0)
            {
                return new ByteRange(0, 0, false);
            }
            return new ByteRange(Math.Max(0, size - suffix), size - 1, true);
        }
        if (!long.TryParse(left, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
        {
            return null;
        }
        var to = size - 1;
        if (right.Length > 0 && (!long.TryParse(right, NumberStyles.None, CultureInfo.InvariantCulture, out to) || to < from))
        {
            return null;
        }
        return from >= size ? new ByteRange(from, to, false) : new ByteRange(from, Math.Min(to, size - 1), true);
    }

    /// <summary>
    /// A signed xorb URL: the <c>Range</c> header may ask for the signed ranges or parts of them
    /// (several → <c>multipart/byteranges</c> in request order); anything outside them, a tampered
    /// or an expired URL is refused with 403, after which JS reloads the reconstruction once.
    /// </summary>
    private static async Task Fetch(HttpContext context, HubState state)
    {
        var grant = state.Lfs.Verify(RepoLookup.Route(context, "token"), FetchKind);
        if (grant is null || state.Cas.XorbChunks(grant.Oid) is not { } chunks)
        {
            await HubResponses.Error(context, StatusCodes.Status403Forbidden, "Request has expired or its signature does not match").ConfigureAwait(false);
            return;
        }
        var signed = grant.Extra.Split(',').Select(ParsePair).ToList();
        var header = context.Request.Headers.Range.ToString();
        List<(long From, long To)> ranges;
        if (header.Length == 0)
        {
            ranges = signed;
        }
        else if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            await HubResponses.BadRequest(context, "Only byte ranges are served").ConfigureAwait(false);
            return;
        }
        else
        {
            try
            {
                ranges = [.. header[6..].Split(',').Select(ParsePair)];
            }
            catch (FormatException)
            {
                await HubResponses.BadRequest(context, $"Malformed Range header \"{header}\"").ConfigureAwait(false);
                return;
            }
            if (ranges.Any(r => r.From > r.To || !signed.Any(s => s.From <= r.From && r.To <= s.To)))
            {
                await HubResponses.Error(context, StatusCodes.Status403Forbidden, "The requested range is not one this URL was signed for").ConfigureAwait(false);
                return;
            }
        }
        state.Cas.Counters.XorbRangeServed();
        var total = grant.Size;
        context.Response.Headers.AcceptRanges = "bytes";
        if (ranges.Count == 1)
        {
            var (from, to) = ranges[0];
            context.Response.StatusCode = header.Length == 0 ? StatusCodes.Status200OK : StatusCodes.Status206PartialContent;
            if (header.Length > 0)
            {
                context.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {from}-{to}/{total}");
            }
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = to - from + 1;
            await state.Cas.WriteXorbRangeAsync(chunks, from, to, context.Response.Body, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        var boundary = "xet_" + RandomNumberGenerator.GetHexString(24, lowercase: true);
        var heads = ranges.Select(r => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes {r.From}-{r.To}/{total}\r\n\r\n"))).ToList();
        var tail = Encoding.ASCII.GetBytes($"--{boundary}--\r\n");
        context.Response.StatusCode = StatusCodes.Status206PartialContent;
        context.Response.ContentType = $"multipart/byteranges; boundary={boundary}";
        context.Response.ContentLength = heads.Sum(h => (long)h.Length) + ranges.Sum(r => r.To - r.From + 1 + 2) + tail.Length;
        for (var i = 0; i < ranges.Count; i++)
        {
            await context.Response.Body.WriteAsync(heads[i], context.RequestAborted).ConfigureAwait(false);
            await state.Cas.WriteXorbRangeAsync(chunks, ranges[i].From, ranges[i].To, context.Response.Body, context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.WriteAsync("\r\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
        }
        await context.Response.Body.WriteAsync(tail, context.RequestAborted).ConfigureAwait(false);
    }

    private static (long From, long To) ParsePair(string text)
    {
        var parts = text.Trim().Split('-');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
            ? (from, to)
            : throw new FormatException($"not a byte range: {text}");
    }

    /// <summary>The resolve bridge: a Xet file's bytes, reassembled as they stream, with single-range support.</summary>
    private static async Task Bridge(HttpContext context, HubState state)
    {
        var grant = state.Lfs.Verify(RepoLookup.Route(context, "token"), BridgeKind);
        if (grant is null || state.Cas.FindFile(grant.Oid) is not { } file)
        {
            await HubResponses.Error(context, StatusCodes.Status403Forbidden, "Request has expired or its signature does not match").ConfigureAwait(false);
            return;
        }
        var response = context.Response;
        response.Headers.AcceptRanges = "bytes";
        if (file.Sha256 is not null)
        {
            response.Headers.ETag = $"\"{file.Sha256}\"";
        }
        response.ContentType = "application/octet-stream";
        var range = ParseRange(context.Request.Headers.Range.ToString(), file.Size);
        if (range is { Valid: false })
        {
            response.Headers.ContentRange = $"bytes */{file.Size}";
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            return;
        }
        var (from, to) = range is { } r ? (r.From, r.To) : (0L, file.Size - 1);
        if (range is not null)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {from}-{to}/{file.Size}");
        }
        response.ContentLength = Math.Max(0, to - from + 1);
        if (HttpMethods.IsHead(context.Request.Method) || file.Size == 0)
        {
            return;
        }
        state.Cas.Counters.Bridged();
        await state.Cas.WriteFileAsync(file, from, to, response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
