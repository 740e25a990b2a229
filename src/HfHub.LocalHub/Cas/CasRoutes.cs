using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Cas;

/// <summary>
/// The CAS service (xet.md §8), under <c>{hub}/cas</c> (the <c>casUrl</c> the token routes hand
/// out): xorb and shard uploads, validated before anything is stored; the global dedupe query;
/// reconstructions v1 and v2; and two kinds of signed URLs the hub serves itself, like the LFS
/// storage URLs: xorb byte ranges (<c>/cas/fetch/…</c>, one signed range set each, as production
/// signs <c>X-Xet-Signed-Range</c>) and the resolve bridge (<c>/cas/bridge/…</c>, a file's
/// reconstructed bytes for clients that do not speak Xet). Every API route needs
/// <c>Authorization: Bearer &lt;Xet token&gt;</c> of the repo: 401 unknown or expired, 403 read
/// token on a write route.
/// </summary>
internal static class CasRoutes
{
    public const string ReadKind = "xet-read";
    public const string WriteKind = "xet-write";
    private const string FetchKind = "xet-fetch";
    private const string BridgeKind = "xet-bridge";

    /// <summary>How long a dedupe answer's keys stay usable (xet.md §5.7: the emulator picks now + 7 days).</summary>
    private static readonly TimeSpan DedupeKeyLifetime = TimeSpan.FromDays(7);

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        app.MapPost("/cas/v1/xorbs/{prefix}/{hash}", context => UploadXorb(context, state));
        app.MapMethods("/cas/v1/xorbs/{prefix}/{hash}", ["HEAD"], context => XorbInfo(context, state));
        app.MapPost("/cas/v1/shards", context => UploadShard(context, state));
        app.MapGet("/cas/v1/chunks/{prefix}/{hash}", context => Dedupe(context, state));
        app.MapGet("/cas/v1/reconstructions/{id}", context => Reconstruction(context, state, v2: false));
        app.MapGet("/cas/v2/reconstructions/{id}", context => Reconstruction(context, state, v2: true));
        app.MapMethods("/cas/v1/files/{id}", ["HEAD"], context => FileInfo(context, state));
        app.MapMethods("/cas/fetch/{token}", ["GET"], context => Fetch(context, state));
        app.MapMethods("/cas/bridge/{token}", ["GET", "HEAD"], context => Bridge(context, state));
        app.MapFallback("/cas/{**rest}", context => HubResponses.Error(context, StatusCodes.Status404NotFound, "No such CAS route"));
    }

    /// <summary>A signed URL that streams a Xet file's reconstructed bytes (what the Hub's <c>cas-bridge</c> host does).</summary>
    public static string BridgeUrl(HubState state, string repoId, string fileHash, long size) =>
        $"{XetHubRoutes.CasUrl(state)}/bridge/{state.Lfs.Sign(BridgeKind, repoId, fileHash, size, state.Options.XetUrlLifetime)}";

    private static async Task<LfsGrant?> AuthorizeAsync(HttpContext context, HubState state, bool write)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        var grant = state.Lfs.Verify(token, WriteKind) ?? state.Lfs.Verify(token, ReadKind);
        if (grant is null || (state.Repos.FindById(grant.RepoId) is null && state.Buckets.FindById(grant.RepoId) is null))
        {
            await HubResponses.Error(context, StatusCodes.Status401Unauthorized, "Missing, invalid or expired Xet token: ask the Hub's xet-read-token or xet-write-token route for a new one").ConfigureAwait(false);
            return null;
        }
        if (write && grant.Kind != WriteKind)
        {
            await HubResponses.Forbidden(context, "This Xet token is read-only: uploads need a token from the xet-write-token route").ConfigureAwait(false);
            return null;
        }
        return grant;
    }

    /// <summary>The whole request body, refused (400, null) above <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, int limit, string what)
    {
        if (context.Request.ContentLength is { } declared)
        {
            if (declared > limit)
            {
                await HubResponses.BadRequest(context, $"The {what} is larger than the {limit}-byte limit").ConfigureAwait(false);
                return null;
            }
            // Read into one buffer of the declared size (a 64 MiB xorb otherwise costs a growing copy and a final one).
            var body = GC.AllocateUninitializedArray<byte>((int)declared);
            var received = await context.Request.Body.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, context.RequestAborted).ConfigureAwait(false);
            return received == body.Length ? body : throw new IOException($"the {what} ended after {received} of its {declared} bytes");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                await HubResponses.BadRequest(context, $"The {what} is larger than the {limit}-byte limit").ConfigureAwait(false);
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static async Task<string?> HashRouteAsync(HttpContext context, string name, string what)
    {
        if (CasHash.Normalize(RepoLookup.Route(context, name)) is { } hash)
        {
            return hash;
        }
        await HubResponses.BadRequest(context, $"Invalid {what}: expected 64 hex digits, got \"{RepoLookup.Route(context, name)}\"").ConfigureAwait(false);
        return null;
    }

    private static async Task<bool> PrefixAsync(HttpContext context, params string[] allowed)
    {
        var prefix = RepoLookup.Route(context, "prefix");
        if (allowed.Contains(prefix, StringComparer.Ordinal))
        {
            return true;
        }
        await HubResponses.BadRequest(context, $"Unknown prefix \"{prefix}\" (expected {string.Join(" or ", allowed)})").ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// <c>POST /v1/xorbs/default/{hash}</c>: every chunk record is decoded and hashed, the Merkle
    /// root must equal <c>{hash}</c>; a xorb stored already answers <c>was_inserted: false</c>.
    /// </summary>
    private static async Task UploadXorb(HttpContext context, HubState state)
    {
        if (await AuthorizeAsync(context, state, write: true).ConfigureAwait(false) is null
            || !await PrefixAsync(context, "default").ConfigureAwait(false)
            || await HashRouteAsync(context, "hash", "xorb hash").ConfigureAwait(false) is not { } hash
            || await ReadBodyAsync(context, CasXorb.MaxBytes + 4096, "xorb").ConfigureAwait(false) is not { } body)
        {
            return;
        }
        bool inserted;
        if (state.Cas.XorbSize(hash) is not null)
        {
            inserted = false;
        }
        else
        {
            List<CasChunkRecord> records;
            try
            {
                records = CasXorb.Parse(body);
            }
            catch (CasFormatException e)
            {
                await HubResponses.BadRequest(context, $"Invalid xorb {hash}: {e.Message}").ConfigureAwait(false);
                return;
            }
            var root = CasHash.ToHex(CasHash.MerkleRoot([.. records.Select(r => (r.Hash, (long)r.Length))]));
            if (root != hash)
            {
                await HubResponses.BadRequest(context, $"Invalid xorb: its chunks hash to {root}, not {hash}").ConfigureAwait(false);
                return;
            }
            inserted = state.Cas.AddXorb(hash, body, records);
        }
        state.Cas.Counters.XorbUploaded(inserted);
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("was_inserted", inserted);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task XorbInfo(HttpContext context, HubState state)
    {
        if (await AuthorizeAsync(context, state, write: false).ConfigureAwait(false) is null
            || await HashRouteAsync(context, "hash", "xorb hash").ConfigureAwait(false) is not { } hash)
        {
            return;
        }
        if (state.Cas.XorbSize(hash) is not { } size)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.ContentLength = size;
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>
    /// <c>POST /v1/shards</c>: the whole shard is checked before anything is registered. Every xorb
    /// of the CAS section must be stored with the same chunks; for every file, every term's xorb
    /// must be stored and hold its chunk range, term sizes and verification hashes must match the
    /// stored chunks, the file hash must be the Merkle hash of its chunks, and the SHA-256 of the
    /// metadata extension (required: a git repo's commit ties the path to the file through it)
    /// must be the digest of the reconstructed bytes.
    /// </summary>
    private static async Task UploadShard(HttpContext context, HubState state)
    {
        if (await AuthorizeAsync(context, state, write: true).ConfigureAwait(false) is not { } grant
            || await ReadBodyAsync(context, CasShard.MaxBytes, "shard").ConfigureAwait(false) is not { } body)
        {
            return;
        }
        List<CasFile> files;
        var bucket = state.Buckets.FindById(grant.RepoId) is not null;
        try
        {
            files = await ValidateShardAsync(state, body, context.RequestAborted, requireSha256: !bucket).ConfigureAwait(false);
        }
        catch (CasFormatException e)
        {
            await HubResponses.BadRequest(context, $"Invalid shard: {e.Message}").ConfigureAwait(false);
            return;
        }
        var added = files.Count(file => state.Cas.AddFile(grant.RepoId, file, bucket));
        state.Cas.Counters.ShardUploaded(added);
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("result", added > 0 || files.Count == 0 ? 1 : 0);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks a shard against the stored xorbs; <paramref name="requireSha256"/> is false for a bucket's
    /// write token, whose clients send no <c>FileMetadataExt</c> (buckets.md §4, xet.md §5.2).
    /// </summary>
    internal static async Task<List<CasFile>> ValidateShardAsync(HubState state, byte[] body, CancellationToken cancellationToken, bool requireSha256 = true)
    {
        var (files, xorbs) = CasShard.Parse(body);
        var cache = new Dictionary<string, IReadOnlyList<CasStoredChunk>?>(StringComparer.Ordinal);
        IReadOnlyList<CasStoredChunk>? Chunks(string xorb)
        {
            if (!cache.TryGetValue(xorb, out var chunks))
            {
                chunks = state.Cas.XorbChunks(xorb);
                cache[xorb] = chunks;
            }
            return chunks;
        }
        foreach (var xorb in xorbs)
        {
            var stored = Chunks(xorb.Hash) ?? throw new CasFormatException($"it lists xorb {xorb.Hash}, which was not uploaded");
            if (stored.Count != xorb.Chunks.Count
                || stored.Where((c, i) => c.Hash != CasHash.ToHex(xorb.Chunks[i].Hash) || c.Length != xorb.Chunks[i].Length).Any())
            {
                throw new CasFormatException($"its chunk list of xorb {xorb.Hash} does not match the uploaded xorb");
            }
        }
        var result = new List<CasFile>();
        foreach (var file in files)
        {
            if (file.Verification is null)
            {
                throw new CasFormatException($"file {file.Hash} has no verification entries");
            }
            if (file.Sha256 is null && requireSha256)
            {
                throw new CasFormatException($"file {file.Hash} has no SHA-256 (metadata extension), which a repo needs to commit it");
            }
            var chunks = new List<(byte[] Hash, long Length)>();
            for (var i = 0; i < file.Terms.Count; i++)
            {
                var term = file.Terms[i];
                var stored = Chunks(term.Xorb) ?? throw new CasFormatException($"file {file.Hash} references xorb {term.Xorb}, which was not uploaded");
                if (term.End > stored.Count)
                {
                    throw new CasFormatException($"file {file.Hash}, term {i}: chunks [{term.Start}, {term.End}) of xorb {term.Xorb}, which has {stored.Count}");
                }
                var range = stored.Skip(term.Start).Take(term.End - term.Start).ToList();
                var bytes = range.Sum(c => (long)c.Length);
                if (bytes != term.Bytes)
                {
                    throw new CasFormatException($"file {file.Hash}, term {i}: {term.Bytes} bytes declared, the chunks hold {bytes}");
                }
                var hashes = range.Select(c => CasHash.FromHex(c.Hash)!).ToList();
                if (!CasHash.Verification(hashes).AsSpan().SequenceEqual(file.Verification[i]))
                {
                    throw new CasFormatException($"file {file.Hash}, term {i}: the verification hash does not match the chunks of xorb {term.Xorb}");
                }
                chunks.AddRange(hashes.Zip(range, (h, c) => (h, (long)c.Length)));
            }
            var fileHash = CasHash.ToHex(CasHash.File(chunks));
            if (fileHash != file.Hash)
            {
                throw new CasFormatException($"file {file.Hash}: its chunks hash to {fileHash}");
            }
            var candidate = new CasFile(file.Hash, chunks.Sum(c => c.Length), file.Sha256, file.Terms);
            var sha256 = file.Sha256 is null ? null : await state.Cas.Sha256Async(candidate, cancellationToken).ConfigureAwait(false);
            if (sha256 != file.Sha256)
            {
                throw new CasFormatException($"file {file.Hash}: its SHA-256 is {sha256}, not {file.Sha256} as the shard says");
            }
            result.Add(candidate);
        }
        return result;
    }

    /// <summary>
    /// <c>GET /v1/chunks/{default|default-merkledb}/{hash}</c> (the clients send <c>default</c>, the spec says
    /// <c>default-merkledb</c>): 404 when no stored xorb holds the chunk, else a shard with that xorb's
    /// chunks keyed by a fresh random key (xet.md §3.5; both clients apply it). Every chunk is indexed,
    /// a superset of what production promises (xet.md §9.2), so a file's first chunk always dedupes.
    /// </summary>
    private static async Task Dedupe(HttpContext context, HubState state)
    {
        if (await AuthorizeAsync(context, state, write: false).ConfigureAwait(false) is null
            || !await PrefixAsync(context, "default", "default-merkledb").ConfigureAwait(false)
            || await HashRouteAsync(context, "hash", "chunk hash").ConfigureAwait(false) is not { } hash)
        {
            return;
        }
        state.Cas.Counters.DedupeQueried();
        if (state.Cas.XorbWithChunk(hash) is not { } xorb || state.Cas.XorbChunks(xorb) is not { } chunks)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "Chunk not found").ConfigureAwait(false);
            return;
        }
        var info = new CasShardXorb(xorb, [.. chunks.Select(c => (CasHash.FromHex(c.Hash)!, c.Length))], chunks.Sum(c => (long)c.Length), state.Cas.XorbSize(xorb) ?? 0);
        var shard = CasShard.DedupeAnswer(info, RandomNumberGenerator.GetBytes(CasHash.Size), state.Clock.GetUtcNow(), DedupeKeyLifetime);
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = shard.Length;
        await context.Response.Body.WriteAsync(shard, context.RequestAborted).ConfigureAwait(false);
    }

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
        long position = 0;
        foreach (var term in file.Terms)
        {
            if (position > to)
            {
                break;
            }
            if (position + term.Bytes <= from)
            {
                position += term.Bytes;
                continue;
            }
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
            position += term.Bytes;
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
