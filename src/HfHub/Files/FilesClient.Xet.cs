using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using HfHub.Http;
using HfHub.Xet;

namespace HfHub.Files;

public sealed partial class FilesClient
{
    /// <summary>Xorb ranges fetched at once for one file: enough to hide latency, few enough to bound memory (one chunk record each).</summary>
    private const int XetParallelFetches = 4;

    /// <summary>The Python client's switch: <c>HF_HUB_DISABLE_XET=1</c> sends every transfer through plain LFS and <c>resolve</c>.</summary>
    internal bool XetDisabled => _options.Environment.IsTrue("HF_HUB_DISABLE_XET");

    /// <summary>
    /// Downloads a Xet-backed file by reconstruction from the CAS into <c>into <paramref name="incomplete"/>, checkslt;incompleteinto <paramref name="incomplete"/>, checksgt;.xet</c> (a partial <paramref name="incomplete"/> left by <c>resolve</c> is resumed there instead), checks
    /// every chunk against the file's Xet hash and the whole against its SHA-256, then moves it to
    /// <paramref name="destination"/>. Returns false (nothing kept) when the file is not in Xet, Xet is
    /// off, or the CAS cannot serve it, so the caller falls back to <c>resolve</c>; content that does not
    /// match its hashes is an error, never a fallback, and never reaches <paramref name="destination"/>.
    /// </summary>
    private async Task<bool> TryXetFetchAsync(FileMetadata meta, string incomplete, string destination, string displayPath, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        if (meta.XetHash is null || meta.XetTokenUrl is null || !meta.IsLfs)
        {
            Trace($"{displayPath}: transfer resolve");
            return false;
        }
        if (XetDisabled)
        {
            Trace($"{displayPath}: transfer resolve (HF_HUB_DISABLE_XET is set)");
            return false;
        }
        if (File.Exists(incomplete) && new FileInfo(incomplete).Length > 0)
        {
            Trace($"{displayPath}: transfer resolve (resuming a partial download)");
            return false;
        }
        var xetHash = XetHash.Parse(meta.XetHash);
        // Reconstruction writes chunks where they belong, in any order, so its partial file is not a
        // prefix that resolve could resume: it gets a name of its own.
        var partial = incomplete.EndsWith(".incomplete", StringComparison.Ordinal)
            ? incomplete[..^".incomplete".Length] + ".xet.incomplete"
            : incomplete + ".xet";
        try
        {
            var token = await GetXetTokenAsync(meta.XetTokenUrl, cancellationToken).ConfigureAwait(false);
            var (reconstruction, version) = await QueryReconstructionAsync(token, meta.XetHash, cancellationToken).ConfigureAwait(false);
            await ReconstructAsync(reconstruction, xetHash, meta.Size, meta.Etag, partial, displayPath, progress, cancellationToken).ConfigureAwait(false);
            File.Move(partial, destination, overwrite: true);
            Report(progress, displayPath, TransferStage.Completed, meta.Size, meta.Size);
            Trace($"{displayPath}: transfer xet ({version} reconstruction, {reconstruction.Terms.Count} terms)");
            return true;
        }
        catch (InvalidDataException e)
        {
            TryDelete(partial);
            throw new HubContentMismatchException($"the Xet download of {displayPath} is corrupt ({HubErrorReader.OneLine(e.Message)}); it was discarded, try again", meta.XetTokenUrl.GetLeftPart(UriPartial.Path));
        }
        catch (HubContentMismatchException)
        {
            TryDelete(partial);
            throw;
        }
        catch (LocalWriteException)
        {
            TryDelete(partial); // not resumable: a re-run starts over
            throw;
        }
        catch (Exception e) when (e is HubException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            TryDelete(partial);
            Trace($"{displayPath}: transfer resolve (Xet failed: {HubErrorReader.OneLine(e.Message)})");
            return false;
        }
    }

    private void Trace(string line) => _options.HttpTrace?.Invoke(line);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the next attempt, which starts over.
        }
    }

    /// <summary>A Xet token from the Hub (the Hub token goes only there, never to the CAS).</summary>
    internal async Task<XetToken> GetXetTokenAsync(Uri tokenUrl, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, tokenUrl);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var wire = await HubPipeline.ReadJsonAsync(response, XetJsonContext.Default.XetTokenWire, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(wire.AccessToken) || !Uri.TryCreate(wire.CasUrl?.TrimEnd('/'), UriKind.Absolute, out var cas))
        {
            throw new HubException($"{tokenUrl.AbsolutePath} answered without a Xet access token or CAS URL", (int)response.StatusCode);
        }
        return new XetToken(wire.AccessToken, cas, DateTimeOffset.FromUnixTimeSeconds(wire.Exp));
    }

    /// <summary><c>GET /v2/reconstructions/{file}</c>, and <c>/v1</c> when the CAS does not know v2 (404 or 501), as the spec advises.</summary>
    private async Task<(XetReconstruction Answer, string Version)> QueryReconstructionAsync(XetToken token, string fileHash, CancellationToken cancellationToken)
    {
        foreach (var version in new[] { "v2", "v1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, token.Cas($"{version}/reconstructions/{fileHash}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
            request.Options.Set(HubPipeline.NoRedirects, true);
            using var response = await _pipeline.SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (version == "v2" && response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.NotImplemented)
            {
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw await HubErrorReader.ReadAsync(response, cancellationToken).ConfigureAwait(false);
            }
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return (XetReconstruction.Parse(body), version);
        }
        throw new HubException($"the CAS has no reconstruction of {fileHash}", 404);
    }

    /// <summary>
    /// Fetches every xorb range of the answer (several at once), decodes its chunk records one at a time
    /// as they stream in, writes each chunk where its terms put it in the file, and keeps the chunk hashes;
    /// then checks the term lengths, the file's Xet hash (the Merkle root of its chunks) and its SHA-256.
    /// </summary>
    private async Task ReconstructAsync(XetReconstruction answer, XetHash fileHash, long size, string? sha256, string incomplete, string displayPath, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        if (answer.OffsetIntoFirstRange != 0)
        {
            throw new InvalidDataException("the reconstruction of a whole file starts inside its first term");
        }
        var termOffsets = new long[answer.Terms.Count];
        long total = 0;
        for (var i = 0; i < answer.Terms.Count; i++)
        {
            termOffsets[i] = total;
            total += answer.Terms[i].UnpackedLength;
        }
        if (total != size)
        {
            throw new InvalidDataException($"its terms add up to {total} bytes, the file has {size}");
        }

        // Each fetch range serves the terms of its xorb whose chunks it covers (a chunk used twice is fetched once).
        var units = answer.Fetches
            .SelectMany(x => x.Value.SelectMany(fetch => fetch.Ranges.Select(range => new XetFetchUnit(x.Key, fetch.Url, range))))
            .ToList();
        var termUnit = new int[answer.Terms.Count];
        for (var t = 0; t < answer.Terms.Count; t++)
        {
            var term = answer.Terms[t];
            termUnit[t] = units.FindIndex(u => u.Xorb == term.XorbHash && u.Range.Chunks.Start <= term.Chunks.Start && term.Chunks.End <= u.Range.Chunks.End);
            units[termUnit[t]].Terms.Add(t);
        }
        var termChunks = answer.Terms.Select(t => new XetChunk[t.Chunks.End - t.Chunks.Start]).ToArray();
        long written = 0;

        using (var file = File.OpenHandle(incomplete, FileMode.Create, FileAccess.ReadWrite, FileShare.None, FileOptions.Asynchronous))
        {
            RandomAccess.SetLength(file, size);
            await Parallel.ForEachAsync(
                units.Where(u => u.Terms.Count > 0),
                new ParallelOptions { MaxDegreeOfParallelism = XetParallelFetches, CancellationToken = cancellationToken },
                async (unit, token) =>
                {
                    var bytes = await FetchUnitWithRetriesAsync(unit, answer, termOffsets, termChunks, file, incomplete, token).ConfigureAwait(false);
                    Report(progress, displayPath, TransferStage.Downloading, Interlocked.Add(ref written, bytes), size);
                }).ConfigureAwait(false);
            RandomAccess.FlushToDisk(file);
        }

        var chunks = new List<XetChunk>();
        long position = 0;
        foreach (var chunk in termChunks.SelectMany(c => c))
        {
            chunks.Add(chunk with { Offset = position });
            position += chunk.Length;
        }
        var actualXet = XetHasher.FileHash(chunks);
        if (actualXet != fileHash)
        {
            throw new InvalidDataException($"its chunks hash to {actualXet}, not {fileHash}");
        }
        if (sha256 is null)
        {
            return; // a bucket file: its Xet hash, checked above, is its only digest
        }
        string actualSha;
        await using (var check = new FileStream(incomplete, FileMode.Open, FileAccess.Read, FileShare.Read, ContentHasher.BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            actualSha = Convert.ToHexStringLower(await SHA256.HashDataAsync(check, cancellationToken).ConfigureAwait(false));
        }
        if (!string.Equals(actualSha, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new HubContentMismatchException($"the Xet download of {displayPath} is corrupt: expected sha256 {sha256}, got {actualSha}; it was discarded, try again", null);
        }
    }

    /// <summary>
    /// Reconstructs a Xet file from the CAS into <paramref name="partial"/>, every chunk checked and the
    /// whole checked against <paramref name="fileHash"/> (no SHA-256: bucket files have none). Content
    /// that does not match raises <see cref="InvalidDataException"/>; the caller discards the file.
    /// </summary>
    internal async Task ReconstructToPathAsync(string fileHash, long size, Uri tokenUrl, string partial, string displayPath, IProgress<TransferProgress>? progress, CancellationToken cancellationToken) =>
        await ReconstructToPathAsync(fileHash, size, await GetXetTokenAsync(tokenUrl, cancellationToken).ConfigureAwait(false), partial, displayPath, progress, cancellationToken).ConfigureAwait(false);

    /// <summary>As above, with a read token the caller already holds (one for many files).</summary>
    internal async Task ReconstructToPathAsync(string fileHash, long size, XetToken token, string partial, string displayPath, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var (reconstruction, version) = await QueryReconstructionAsync(token, fileHash, cancellationToken).ConfigureAwait(false);
        await ReconstructAsync(reconstruction, XetHash.Parse(fileHash), size, null, partial, displayPath, progress, cancellationToken).ConfigureAwait(false);
        Trace($"{displayPath}: transfer xet ({version} reconstruction, {reconstruction.Terms.Count} terms)");
    }

    /// <summary>One xorb range, retried from its start when the stream breaks (writing the same bytes again is harmless).</summary>
    private async Task<long> FetchUnitWithRetriesAsync(XetFetchUnit unit, XetReconstruction answer, long[] termOffsets, XetChunk[][] termChunks, Microsoft.Win32.SafeHandles.SafeFileHandle file, string partialPath, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan? wait = null;
            try
            {
                return await FetchUnitAsync(unit, answer, termOffsets, termChunks, file, partialPath, cancellationToken).ConfigureAwait(false);
            }
            // The pipeline's budget, backoff and definition of transient (a full disk is not).
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && (wait = _pipeline.Retry.NextDelay(attempt, e)) is not null)
            {
                await Task.Delay(wait.Value, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<long> FetchUnitAsync(XetFetchUnit unit, XetReconstruction answer, long[] termOffsets, XetChunk[][] termChunks, Microsoft.Win32.SafeHandles.SafeFileHandle file, string partialPath, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, unit.Url);
        // The URL is signed: it carries its own authorization, and neither token may go with it.
        request.Options.Set(HubPipeline.Anonymous, true);
        request.Options.Set(HubPipeline.NoRedirects, true);
        request.Headers.Range = new RangeHeaderValue(unit.Range.ByteStart, unit.Range.ByteEndInclusive);
        request.Headers.AcceptEncoding.ParseAdd("identity");
        using var response = await _pipeline.SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.PartialContent)
        {
            if (response.IsSuccessStatusCode)
            {
                throw new HubException($"the CAS answered a xorb range with {(int)response.StatusCode}, not 206", (int)response.StatusCode);
            }
            throw await HubErrorReader.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var expected = unit.Range.ByteEndInclusive - unit.Range.ByteStart + 1;
        var record = ArrayPool<byte>.Shared.Rent(XorbBuilder.HeaderSize + XetChunker.MaxChunkSize * 2);
        var decoded = new ArrayBufferWriter<byte>(XetChunker.MaxChunkSize);
        var inTerm = new long[unit.Terms.Count];
        long read = 0;
        long bytesWritten = 0;
        try
        {
            for (var index = unit.Range.Chunks.Start; index < unit.Range.Chunks.End; index++)
            {
                if (expected - read < XorbBuilder.HeaderSize)
                {
                    throw new InvalidDataException($"xorb {unit.Xorb} range ends before chunk {index}");
                }
                await body.ReadExactlyAsync(record.AsMemory(0, XorbBuilder.HeaderSize), cancellationToken).ConfigureAwait(false);
                var compressed = record[1] | (record[2] << 8) | (record[3] << 16);
                if (XorbBuilder.HeaderSize + compressed > record.Length || read + XorbBuilder.HeaderSize + compressed > expected)
                {
                    throw new InvalidDataException($"chunk {index} of xorb {unit.Xorb} runs past its range");
                }
                await body.ReadExactlyAsync(record.AsMemory(XorbBuilder.HeaderSize, compressed), cancellationToken).ConfigureAwait(false);
                read += XorbBuilder.HeaderSize + compressed;
                decoded.ResetWrittenCount();
                XorbReader.Decode(record.AsSpan(0, XorbBuilder.HeaderSize + compressed), decoded);
                var chunk = decoded.WrittenMemory;
                var hash = XetHasher.ChunkHash(chunk.Span);
                for (var k = 0; k < unit.Terms.Count; k++)
                {
                    var t = unit.Terms[k];
                    var term = answer.Terms[t];
                    if (index < term.Chunks.Start || index >= term.Chunks.End)
                    {
                        continue;
                    }
                    if (inTerm[k] + chunk.Length > term.UnpackedLength)
                    {
                        throw new InvalidDataException($"a term of xorb {unit.Xorb} decodes to more than its {term.UnpackedLength} bytes");
                    }
                    try
                    {
                        await RandomAccess.WriteAsync(file, chunk, termOffsets[t] + inTerm[k], cancellationToken).ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        // A full disk is not a broken stream: no retry, no fallback to resolve.
                        throw LocalWriteException.From(e, partialPath.EndsWith(".xet.incomplete", StringComparison.Ordinal) ? partialPath[..^".xet.incomplete".Length] : partialPath);
                    }
                    termChunks[t][index - term.Chunks.Start] = new XetChunk(hash, 0, chunk.Length);
                    inTerm[k] += chunk.Length;
                    bytesWritten += chunk.Length;
                }
            }
            if (read != expected)
            {
                throw new InvalidDataException($"xorb {unit.Xorb} range holds {expected - read} bytes after its last chunk");
            }
            for (var k = 0; k < unit.Terms.Count; k++)
            {
                var term = answer.Terms[unit.Terms[k]];
                if (inTerm[k] != term.UnpackedLength)
                {
                    throw new InvalidDataException($"a term of xorb {unit.Xorb} decodes to {inTerm[k]} bytes, not {term.UnpackedLength}");
                }
            }
            return bytesWritten;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    /// <summary>One range request of a xorb and the terms (indices into the answer) it serves.</summary>
    private sealed record XetFetchUnit(XetHash Xorb, Uri Url, XetFetchRange Range)
    {
        public List<int> Terms { get; } = [];
    }
}

/// <summary>A Xet token: bearer for the CAS at <see cref="CasUrl"/>, valid until <see cref="Expires"/>.</summary>
internal sealed record XetToken(string AccessToken, Uri CasUrl, DateTimeOffset Expires)
{
    public Uri Cas(string path) => new(CasUrl.AbsoluteUri.TrimEnd('/') + "/" + path);

    public override string ToString() => $"XetToken(cas {CasUrl}, expires {Expires:O})";
}
