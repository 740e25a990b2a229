using System.Security.Cryptography;
using HfHub.LocalHub.Api;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Cas;

/// <summary>The CAS write routes: xorb and shard uploads, validated before anything is stored, and the global dedupe query.</summary>
internal static partial class CasRoutes
{
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
}
