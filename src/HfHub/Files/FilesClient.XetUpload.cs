using System.Buffers.Binary;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using HfHub.Http;
using HfHub.Xet;

namespace HfHub.Files;

public sealed partial class FilesClient
{
    /// <summary>
    /// Uploads the files the LFS batch answered with <c>transfer: "xet"</c>: each is chunked as it
    /// streams; chunks this session or the local index (<c>$HF_HOME/xet</c>) already placed in a xorb
    /// are referenced, the others are packed into xorbs (32 MiB; one is POSTed while the next fills, so
    /// two at most are in memory); then one shard describes every file and the new xorbs.
    /// The commit follows as for LFS (<c>lfsFile</c> with the SHA-256). Nothing is committed if any
    /// step fails.
    /// </summary>
    private Task UploadXetAsync(List<(AdditionPlan Plan, LfsBatchObject Object)> work, CommitOptions options, CancellationToken cancellationToken)
    {
        if (work.Count == 0)
        {
            return Task.CompletedTask;
        }
        var first = work[0].Object.Actions!.Upload!;
        var refreshUrl = Uri.TryCreate(first.Href, UriKind.Absolute, out var href) ? href : null;
        var items = work.Select(w => new XetUploadItem(w.Plan.Path, w.Plan.Content, w.Plan.Digest.Size, w.Plan.Digest.Sha256)).ToList();
        return UploadXetFilesAsync(items, refreshUrl, TokenFromHeaders(first.Header), options.Progress, cancellationToken);
    }

    /// <summary>
    /// Uploads files to the CAS as one Xet session and returns their Xet file hashes, in order: each
    /// is chunked as it streams; chunks this session or the local index (<c>$HF_HOME/xet</c>) already
    /// placed in a xorb are referenced, the others are packed into xorbs (32 MiB; one is POSTed while
    /// the next fills, so two at most are in memory); then one shard describes every file and the new
    /// xorbs. A file without a SHA-256 (bucket uploads) goes into the shard without the metadata
    /// extension. Repos commit afterwards; buckets add the files with their batch.
    /// </summary>
    internal async Task<IReadOnlyList<XetHash>> UploadXetFilesAsync(IReadOnlyList<XetUploadItem> items, Uri? refreshUrl, XetToken? token, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        async Task<XetToken> FreshTokenAsync()
        {
            // xet-core refreshes 30 s before expiry; a token handed over with the request is used while it is fresh.
            if (token is null || token.Expires - TimeSpan.FromSeconds(30) < DateTimeOffset.UtcNow)
            {
                token = await GetXetTokenAsync(refreshUrl ?? throw new HubException("the Hub answered transfer xet without a token URL"), cancellationToken).ConfigureAwait(false);
            }
            return token;
        }
        var index = new XetLocalIndex(Path.Combine(_options.Environment.HfHome, "xet"), (await FreshTokenAsync().ConfigureAwait(false)).CasUrl);
        try
        {
            return await UploadXetSessionAsync(items, index, FreshTokenAsync, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (HubException e) when (e.Status == 400 && index.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            // The CAS refused the shard and the local index took part: it may name xorbs this CAS no
            // longer has (a reset hub). Forget it and upload every chunk; a second refusal is real.
            Trace($"the CAS refused the upload ({HubErrorReader.OneLine(e.Message)}); retrying without the local dedupe index");
            index.Clear();
            return await UploadXetSessionAsync(items, index, FreshTokenAsync, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<XetHash>> UploadXetSessionAsync(IReadOnlyList<XetUploadItem> items, XetLocalIndex index, Func<Task<XetToken>> freshToken, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var session = new XetUploadSession(this, index, freshToken, progress);
        var files = new List<ShardFile>();
        try
        {
            foreach (var item in items)
            {
                files.Add(await session.AddFileAsync(item, cancellationToken).ConfigureAwait(false));
            }
            await session.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await session.AbandonAsync().ConfigureAwait(false);
        }
        {
            var shard = ShardFormat.WriteUploadShard(files, session.NewXorbs);
            var current = await freshToken().ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, current.Cas("v1/shards")) { Content = new ByteArrayContent(shard) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", current.AccessToken);
            request.Options.Set(HubPipeline.NoRedirects, true);
            request.Options.Set(RetryHandler.Retryable, true);
            using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        index.Save(session.NewIndexEntries);
        foreach (var item in items)
        {
            var stats = session.Stats[item.Path];
            Trace($"{item.Path}: transfer xet ({stats.NewBytes} new bytes sent in xorbs, {stats.DedupedBytes} bytes deduplicated)");
            progress?.Report(new TransferProgress(item.Path, TransferStage.Completed, item.Size, item.Size));
        }
        return [.. files.Select(f => f.FileHash)];
    }

    /// <summary>One file of a Xet upload: its path (for progress), content, size and SHA-256 (null for buckets).</summary>
    internal sealed record XetUploadItem(string Path, ContentSource Content, long Size, string? Sha256);

    private static XetToken? TokenFromHeaders(Dictionary<string, System.Text.Json.JsonElement>? header)
    {
        string? Get(string name) => header is not null && header.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)) is { Key: not null } h
            && h.Value.ValueKind == System.Text.Json.JsonValueKind.String ? h.Value.GetString() : null;
        return Get("X-Xet-Access-Token") is { Length: > 0 } access
            && Uri.TryCreate(Get("X-Xet-Cas-Url")?.TrimEnd('/'), UriKind.Absolute, out var cas)
            && long.TryParse(Get("X-Xet-Token-Expiration"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp)
            ? new XetToken(access, cas, DateTimeOffset.FromUnixTimeSeconds(exp))
            : null;
    }

    private sealed record XetFileStats(long NewBytes, long DedupedBytes);

    /// <summary>Where a chunk already lives: a xorb and the chunk's position in it.</summary>
    private readonly record struct XetChunkPlace(XetHash Xorb, int Index);

    /// <summary>
    /// One upload's state: the xorb being filled, the chunks placed so far (this session and the local
    /// index), and the new xorbs for the shard.
    /// </summary>
    private sealed class XetUploadSession(FilesClient client, XetLocalIndex index, Func<Task<XetToken>> token, IProgress<TransferProgress>? progress)
    {
        /// <summary>
        /// Xorbs of 32 MiB, not the CAS's 64 MiB maximum: with one POSTed while the next fills, an upload
        /// then holds 64 MiB of xorbs (peak memory under 200 MiB), and the last POST, which nothing
        /// overlaps, is half as long.
        /// </summary>
        private const int XorbCapacity = 32 * 1024 * 1024;

        private readonly XorbBuilder _builder = new(XorbCapacity);
        private readonly Dictionary<XetHash, XetChunkPlace> _session = [];
        private readonly List<PendingChunk> _pending = [];

        public List<ShardXorb> NewXorbs { get; } = [];

        public List<(XetHash Chunk, XetChunkPlace Place)> NewIndexEntries { get; } = [];

        public Dictionary<string, XetFileStats> Stats { get; } = [];

        private sealed class PendingTerm
        {
            public XetHash? Xorb { get; set; }
            public int Start { get; set; }
            public int End { get; set; }
            public long Bytes { get; set; }
            public List<XetHash> Hashes { get; } = [];
        }

        private sealed record PendingChunk(string Path, long Length, long FileSize);

        private readonly Dictionary<XetHash, int> _pendingPositions = [];
        private readonly List<PendingTerm> _pendingTerms = [];

        /// <summary>The file's open term on the xorb being filled if it ends just before <paramref name="position"/>, else a new one.</summary>
        private PendingTerm PendingTermFor(List<PendingTerm> terms, PendingTerm? last, int position)
        {
            if (last is { Xorb: null } open && open.End == position)
            {
                open.End++;
                return open;
            }
            var term = new PendingTerm { Start = position, End = position + 1 };
            terms.Add(term);
            _pendingTerms.Add(term);
            return term;
        }

        private readonly Dictionary<string, long> _sent = [];

        public async Task<ShardFile> AddFileAsync(XetUploadItem plan, CancellationToken cancellationToken)
        {
            var terms = new List<PendingTerm>();
            long fresh = 0, deduped = 0;
            _sent[plan.Path] = 0;
            await using var stream = await plan.Content.OpenAsync(cancellationToken).ConfigureAwait(false);
            var chunks = await XetChunker.ChunkAsync(stream, async (chunk, data, ct) =>
            {
                var last = terms.Count > 0 ? terms[^1] : null;
                if (_session.TryGetValue(chunk.Hash, out var place) || index.TryGet(chunk.Hash, out place))
                {
                    deduped += chunk.Length;
                    Sent(plan.Path, chunk.Length, plan.Size);
                    if (last is { Xorb: { } xorb } && xorb == place.Xorb && last.End == place.Index)
                    {
                        last.End++;
                    }
                    else
                    {
                        last = new PendingTerm { Xorb = place.Xorb, Start = place.Index, End = place.Index + 1 };
                        terms.Add(last);
                    }
                    last.Bytes += chunk.Length;
                    last.Hashes.Add(chunk.Hash);
                    return;
                }
                if (_pendingPositions.TryGetValue(chunk.Hash, out var pendingPosition))
                {
                    // Already in the xorb being filled: referenced, not stored twice.
                    deduped += chunk.Length;
                    Sent(plan.Path, chunk.Length, plan.Size);
                    last = PendingTermFor(terms, last, pendingPosition);
                    last.Bytes += chunk.Length;
                    last.Hashes.Add(chunk.Hash);
                    return;
                }
                if (!_builder.TryAdd(chunk.Hash, data.Span))
                {
                    await FlushXorbAsync(ct).ConfigureAwait(false);
                    last = null;
                    if (!_builder.TryAdd(chunk.Hash, data.Span))
                    {
                        throw new InvalidOperationException("a chunk does not fit in an empty xorb");
                    }
                }
                var position = _builder.Count - 1;
                fresh += chunk.Length;
                last = PendingTermFor(terms, last, position);
                last.Bytes += chunk.Length;
                last.Hashes.Add(chunk.Hash);
                _pending.Add(new PendingChunk(plan.Path, chunk.Length, plan.Size));
                _pendingPositions[chunk.Hash] = position;
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
            // Any term still open on the current xorb is completed when that xorb is flushed.
            Stats[plan.Path] = new XetFileStats(fresh, deduped);
            return new ShardFile(chunks.FileHash, new DeferredTerms(terms), plan.Sha256);
        }

        /// <summary>
        /// Closes the xorb being filled (its terms and session entries get its hash) and starts its POST,
        /// once the previous xorb's POST is done: one xorb goes out while the next is chunked and
        /// compressed, so at most two are in memory.
        /// </summary>
        public async Task FlushXorbAsync(CancellationToken cancellationToken)
        {
            if (_builder.Count == 0)
            {
                return;
            }
            var xorb = _builder.Build();
            NewXorbs.Add(ShardXorb.From(xorb));
            foreach (var term in _pendingTerms)
            {
                term.Xorb = xorb.Hash;
            }
            _pendingTerms.Clear();
            _pendingPositions.Clear();
            for (var i = 0; i < xorb.Chunks.Count; i++)
            {
                var place = new XetChunkPlace(xorb.Hash, i);
                _session[xorb.Chunks[i].Hash] = place;
                NewIndexEntries.Add((xorb.Chunks[i].Hash, place));
            }
            var chunks = _pending.ToArray();
            _pending.Clear();
            await WaitForSendAsync().ConfigureAwait(false);
            // On the thread pool: the chunker goes on while the request body is written.
            _sending = (Task.Run(() => SendXorbAsync(xorb, cancellationToken), cancellationToken), xorb, chunks);
        }

        /// <summary>Sends the last xorb and waits until every xorb is stored.</summary>
        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            await FlushXorbAsync(cancellationToken).ConfigureAwait(false);
            await WaitForSendAsync().ConfigureAwait(false);
        }

        /// <summary>After a failure: lets a POST still running end before its buffer goes away (its outcome no longer matters).</summary>
        public async Task AbandonAsync()
        {
            if (_sending is { } sending)
            {
                _sending = null;
                await sending.Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        private (Task Task, XorbObject Xorb, PendingChunk[] Chunks)? _sending;

        private async Task WaitForSendAsync()
        {
            if (_sending is not { } sending)
            {
                return;
            }
            _sending = null;
            await sending.Task.ConfigureAwait(false);
            _builder.Recycle(sending.Xorb);
            foreach (var chunk in sending.Chunks)
            {
                Sent(chunk.Path, chunk.Length, chunk.FileSize);
            }
        }

        private async Task SendXorbAsync(XorbObject xorb, CancellationToken cancellationToken)
        {
            var current = await token().ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, current.Cas($"v1/xorbs/default/{xorb.Hash}")) { Content = new ReadOnlyMemoryContent(xorb.Data) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", current.AccessToken);
            request.Options.Set(HubPipeline.NoRedirects, true);
            request.Options.Set(RetryHandler.Retryable, true);
            using var response = await client._pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        private void Sent(string path, long bytes, long size)
        {
            var done = _sent[path] += bytes;
            progress?.Report(new TransferProgress(path, TransferStage.Uploading, done, size));
        }

        /// <summary>The terms of a file, read when the shard is written (after every xorb has its hash).</summary>
        private sealed class DeferredTerms(List<PendingTerm> terms) : IReadOnlyList<ShardTerm>
        {
            public ShardTerm this[int index] => Make(terms[index]);

            public int Count => terms.Count;

            public IEnumerator<ShardTerm> GetEnumerator() => terms.Select(Make).GetEnumerator();

            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

            private static ShardTerm Make(PendingTerm term) => new(
                term.Xorb ?? throw new InvalidOperationException("a term's xorb was never uploaded"),
                term.Start,
                term.End,
                (uint)term.Bytes,
                XetHasher.VerificationHash(term.Hashes.ToArray()));
        }
    }

    /// <summary>
    /// The local dedupe index under <c>$HF_HOME/xet</c>: per CAS, every chunk this machine uploaded
    /// (chunk hash, xorb hash, position), appended after each successful upload, so a second upload
    /// of a mostly-unchanged file sends only its new chunks.
    /// </summary>
    private sealed class XetLocalIndex
    {
        private const int EntrySize = XetHash.Size * 2 + 4;
        private readonly string _path;
        private readonly Dictionary<XetHash, XetChunkPlace> _entries = [];

        public XetLocalIndex(string folder, Uri cas)
        {
            var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cas.AbsoluteUri.TrimEnd('/'))))[..16];
            _path = Path.Combine(folder, "chunk-index", key + ".bin");
            try
            {
                var bytes = File.ReadAllBytes(_path);
                for (var offset = 0; offset + EntrySize <= bytes.Length; offset += EntrySize)
                {
                    var span = bytes.AsSpan(offset, EntrySize);
                    _entries[XetHash.FromBytes(span[..32])] = new XetChunkPlace(XetHash.FromBytes(span[32..64]), BinaryPrimitives.ReadInt32LittleEndian(span[64..]));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // No index yet (or unreadable): every chunk is new, which is always correct.
            }
        }

        public bool TryGet(XetHash chunk, out XetChunkPlace place) => _entries.TryGetValue(chunk, out place);

        public int Count => _entries.Count;

        public void Clear()
        {
            _entries.Clear();
            try
            {
                File.Delete(_path);
            }
            catch (IOException)
            {
                // Rewritten by the next successful upload anyway.
            }
        }

        public void Save(List<(XetHash Chunk, XetChunkPlace Place)> added)
        {
            if (added.Count == 0)
            {
                return;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var buffer = new byte[EntrySize * added.Count];
            for (var i = 0; i < added.Count; i++)
            {
                var span = buffer.AsSpan(i * EntrySize, EntrySize);
                added[i].Chunk.WriteTo(span[..32]);
                added[i].Place.Xorb.WriteTo(span[32..64]);
                BinaryPrimitives.WriteInt32LittleEndian(span[64..], added[i].Place.Index);
            }
            using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
            file.Write(buffer);
        }
    }
}
