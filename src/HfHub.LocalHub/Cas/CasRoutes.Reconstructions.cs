using System.Globalization;
using System.Text.Json;
using HfHub.LocalHub.Api;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Cas;

/// <summary>The CAS read routes: file info and reconstructions v1 and v2.</summary>
internal static partial class CasRoutes
{
    private static async Task FileInfo(HttpContext context, HubState state)
    {
        if (await AuthorizeAsync(context, state, write: false).ConfigureAwait(false) is not { } grant
            || await HashRouteAsync(context, "id", "file id").ConfigureAwait(false) is not { } id)
        {
            return;
        }
        if (!state.Cas.RepoCanRead(grant.RepoId, id) || state.Cas.FindFile(id) is not { } file)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.ContentLength = file.Size;
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>A planned term: the chunk range of a xorb the client needs, and how many bytes it decodes to.</summary>
    private sealed record PlannedTerm(string Xorb, int Start, int End, long Bytes);

    /// <summary>
    /// <c>GET /v{1,2}/reconstructions/{file}</c> with an optional <c>Range</c> (inclusive; also
    /// <c>a-</c> and <c>-n</c>): the file's terms trimmed to the chunks the range touches,
    /// <c>offset_into_first_range</c> the bytes to skip in the first; per xorb, the needed chunk
    /// ranges merged into ascending, non-overlapping descriptors with the exact byte ranges of their
    /// records, behind one signed URL (v2) or one per descriptor (v1). 416 when the range starts at
    /// or after the end. A file is found only if the token's repo holds it.
    /// </summary>
    private static async Task Reconstruction(HttpContext context, HubState state, bool v2)
    {
        if (await AuthorizeAsync(context, state, write: false).ConfigureAwait(false) is not { } grant
            || await HashRouteAsync(context, "id", "file id").ConfigureAwait(false) is not { } id)
        {
            return;
        }
        if (!state.Cas.RepoCanRead(grant.RepoId, id) || state.Cas.FindFile(id) is not { } file)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"File {id} not found").ConfigureAwait(false);
            return;
        }
        var requested = ParseRange(context.Request.Headers.Range.ToString(), file.Size);
        if (requested is { Valid: false })
        {
            context.Response.Headers.ContentRange = $"bytes */{file.Size}";
            await HubResponses.Error(context, StatusCodes.Status416RangeNotSatisfiable, $"Range not satisfiable for a file of {file.Size} bytes").ConfigureAwait(false);
            return;
        }
        state.Cas.Counters.Reconstructed();
        var (from, to) = requested is { } r ? (r.From, r.To) : (0L, file.Size - 1);
        var chunksOf = new Dictionary<string, IReadOnlyList<CasStoredChunk>>(StringComparer.Ordinal);
        var plan = new List<PlannedTerm>();
        long skip = 0;
        foreach (var (term, position) in file.TermsOverlapping(from, to))
        {
            if (!chunksOf.TryGetValue(term.Xorb, out var chunks))
            {
                chunks = state.Cas.XorbChunks(term.Xorb)!;
                chunksOf[term.Xorb] = chunks;
            }
            var start = term.Start;
            var at = position;
            while (at + chunks[start].Length <= from)
            {
                at += chunks[start].Length;
                start++;
            }
            if (plan.Count == 0)
            {
                skip = from - at;
            }
            var end = start;
            long bytes = 0;
            while (end < term.End && at + bytes <= to)
            {
                bytes += chunks[end].Length;
                end++;
            }
            plan.Add(new PlannedTerm(term.Xorb, start, end, bytes));
        }
        var descriptors = plan.GroupBy(t => t.Xorb, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Merge(g.Select(t => (t.Start, t.End))), StringComparer.Ordinal);
        string Url(string xorb, IEnumerable<(int Start, int End)> ranges)
        {
            var chunks = chunksOf[xorb];
            var signed = string.Join(',', ranges.Select(x => string.Create(CultureInfo.InvariantCulture, $"{chunks[x.Start].RecordOffset}-{chunks[x.End - 1].RecordOffset + chunks[x.End - 1].RecordLength - 1}")));
            return $"{XetHubRoutes.CasUrl(state)}/fetch/{state.Lfs.Sign(FetchKind, grant.RepoId, xorb, state.Cas.XorbSize(xorb) ?? 0, state.Options.XetUrlLifetime, signed)}";
        }
        void WriteBytes(Utf8JsonWriter w, string name, string xorb, (int Start, int End) range)
        {
            var chunks = chunksOf[xorb];
            w.WriteStartObject(name);
            w.WriteNumber("start", chunks[range.Start].RecordOffset);
            w.WriteNumber("end", chunks[range.End - 1].RecordOffset + chunks[range.End - 1].RecordLength - 1);
            w.WriteEndObject();
        }
        void WriteChunks(Utf8JsonWriter w, string name, (int Start, int End) range)
        {
            w.WriteStartObject(name);
            w.WriteNumber("start", range.Start);
            w.WriteNumber("end", range.End);
            w.WriteEndObject();
        }
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("offset_into_first_range", skip);
            w.WriteStartArray("terms");
            foreach (var term in plan)
            {
                w.WriteStartObject();
                w.WriteString("hash", term.Xorb);
                w.WriteNumber("unpacked_length", term.Bytes);
                WriteChunks(w, "range", (term.Start, term.End));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject(v2 ? "xorbs" : "fetch_info");
            foreach (var (xorb, ranges) in descriptors)
            {
                w.WriteStartArray(xorb);
                if (v2)
                {
                    w.WriteStartObject();
                    w.WriteString("url", Url(xorb, ranges));
                    w.WriteStartArray("ranges");
                    foreach (var range in ranges)
                    {
                        w.WriteStartObject();
                        WriteChunks(w, "chunks", range);
                        WriteBytes(w, "bytes", xorb, range);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                else
                {
                    foreach (var range in ranges)
                    {
                        w.WriteStartObject();
                        WriteChunks(w, "range", range);
                        w.WriteString("url", Url(xorb, [range]));
                        WriteBytes(w, "url_range", xorb, range);
                        w.WriteEndObject();
                    }
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>Chunk ranges sorted and merged where they overlap or touch, so each chunk is fetched once.</summary>
    private static List<(int Start, int End)> Merge(IEnumerable<(int Start, int End)> ranges)
    {
        var merged = new List<(int Start, int End)>();
        foreach (var range in ranges.OrderBy(r => r.Start))
        {
            if (merged.Count > 0 && range.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, range.End));
            }
            else
            {
                merged.Add(range);
            }
        }
        return merged;
    }
}
