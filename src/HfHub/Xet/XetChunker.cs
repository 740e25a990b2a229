namespace HfHub.Xet;

/// <summary>Receives each chunk of a file, in order, with its bytes (valid only during the call).</summary>
public delegate ValueTask XetChunkSink(XetChunk chunk, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

/// <summary>The chunks of a file, in order, and its size.</summary>
public sealed record XetFileChunks(long Size, IReadOnlyList<XetChunk> Chunks)
{
    /// <summary>The file hash (Xet file id) over these chunks.</summary>
    public XetHash FileHash => XetHasher.FileHash(Chunks);
}

/// <summary>How <see cref="XetChunker"/> reads and how many cores it uses.</summary>
public sealed record XetChunkerOptions
{
    /// <summary>Bytes read per block; two blocks (plus one maximum chunk each) are all the memory a file costs.</summary>
    public int BlockSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>Threads that scan and hash a block together.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// Xet's content-defined chunker (gearhash, 8 KiB to 128 KiB chunks around a 64 KiB target) with the
/// chunk hashes, over a stream: a block is read while the previous one is scanned and hashed, the
/// partial chunk at the end of a block carries over into the next, and no more than two blocks are
/// held, whatever the file's size.
/// </summary>
public static class XetChunker
{
    public const int MinChunkSize = 8 * 1024;
    public const int TargetChunkSize = 64 * 1024;
    public const int MaxChunkSize = 128 * 1024;

    // Below this a block is scanned on one thread: splitting costs more than it saves.
    private const int ParallelScanThreshold = 1024 * 1024;

    /// <summary>Chunks and hashes <paramref name="stream"/> to its end, handing each chunk to <paramref name="sink"/> if given.</summary>
    public static async Task<XetFileChunks> ChunkAsync(Stream stream, XetChunkSink? sink = null, XetChunkerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new XetChunkerOptions();
        var blockSize = options.BlockSize > 0 ? options.BlockSize : throw new ArgumentOutOfRangeException(nameof(options), "BlockSize must be positive");
        var parallelism = Math.Max(1, options.Parallelism);
        // Layout of a buffer: [room for a carried partial chunk (< MaxChunkSize)][one block read].
        var current = new byte[MaxChunkSize + blockSize];
        var next = new byte[MaxChunkSize + blockSize];
        var chunks = new List<XetChunk>();
        var candidates = new List<int>();
        var hashes = Array.Empty<XetHash>();
        var boundaries = new List<int>();
        long offsetOfDataStart = 0;
        var dataStart = MaxChunkSize;
        var read = await ReadBlockAsync(stream, current, blockSize, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var endOfStream = read < blockSize;
            var nextRead = endOfStream ? null : ReadBlockAsync(stream, next, blockSize, cancellationToken);
            var end = MaxChunkSize + read;

            ScanBlock(current, dataStart, end, candidates, parallelism);
            var chunkEnd = SelectBoundaries(candidates, dataStart, end, endOfStream, boundaries);

            if (hashes.Length < boundaries.Count)
            {
                hashes = new XetHash[Math.Max(boundaries.Count, 2 * hashes.Length)];
            }
            HashChunks(current, dataStart, boundaries, hashes, parallelism);
            var start = dataStart;
            for (var i = 0; i < boundaries.Count; i++)
            {
                var chunk = new XetChunk(hashes[i], offsetOfDataStart + (start - dataStart), boundaries[i] - start);
                chunks.Add(chunk);
                if (sink is not null)
                {
                    await sink(chunk, current.AsMemory(start, chunk.Length), cancellationToken).ConfigureAwait(false);
                }
                start = boundaries[i];
            }

            if (nextRead is null)
            {
                return new XetFileChunks(offsetOfDataStart + (end - dataStart), chunks);
            }
            read = await nextRead.ConfigureAwait(false);
            // The partial chunk [chunkEnd, end) moves in front of the next block, with its candidates.
            var carry = end - chunkEnd;
            var nextDataStart = MaxChunkSize - carry;
            current.AsSpan(chunkEnd, carry).CopyTo(next.AsSpan(nextDataStart));
            var shift = nextDataStart - chunkEnd;
            candidates.RemoveAll(c => c <= chunkEnd);
            for (var i = 0; i < candidates.Count; i++)
            {
                candidates[i] += shift;
            }
            offsetOfDataStart += chunkEnd - dataStart;
            dataStart = nextDataStart;
            (current, next) = (next, current);
        }
    }

    /// <summary>Chunks and hashes bytes already in memory (tests and small inputs).</summary>
    public static XetFileChunks Chunk(ReadOnlyMemory<byte> data, XetChunkerOptions? options = null)
    {
        using var stream = new MemoryStream(data.ToArray(), writable: false);
        return ChunkAsync(stream, null, options).GetAwaiter().GetResult();
    }

    private static async Task<int> ReadBlockAsync(Stream stream, byte[] buffer, int blockSize, CancellationToken cancellationToken) =>
        await stream.ReadAtLeastAsync(buffer.AsMemory(MaxChunkSize, blockSize), blockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);

    // Adds the candidates of the newly read bytes [MaxChunkSize, end) to those carried over.
    private static void ScanBlock(byte[] buffer, int dataStart, int end, List<int> candidates, int parallelism)
    {
        var from = MaxChunkSize;
        var length = end - from;
        if (parallelism == 1 || length < ParallelScanThreshold)
        {
            GearHash.FindCandidates(buffer, dataStart, from, end, candidates);
            return;
        }
        var parts = new List<int>[parallelism];
        var part = length / parallelism;
        Parallel.For(0, parallelism, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, p =>
        {
            var partFrom = from + (p * part);
            var partTo = p == parallelism - 1 ? end : partFrom + part;
            parts[p] = [];
            GearHash.FindCandidates(buffer, dataStart, partFrom, partTo, parts[p]);
        });
        foreach (var found in parts)
        {
            candidates.AddRange(found);
        }
    }

    // The boundary rule: the first candidate at least MinChunkSize into the chunk, or MaxChunkSize
    // when none comes first. Returns where the complete chunks end (the rest carries over).
    private static int SelectBoundaries(List<int> candidates, int dataStart, int end, bool endOfStream, List<int> boundaries)
    {
        boundaries.Clear();
        var position = dataStart;
        var index = 0;
        while (true)
        {
            var minimum = position + MinChunkSize;
            while (index < candidates.Count && candidates[index] < minimum)
            {
                index++;
            }
            var limit = position + MaxChunkSize;
            if (index < candidates.Count && candidates[index] <= limit)
            {
                position = candidates[index];
            }
            else if (limit <= end)
            {
                position = limit;
            }
            else
            {
                break;
            }
            boundaries.Add(position);
        }
        if (endOfStream && position < end)
        {
            boundaries.Add(end);
            position = end;
        }
        return position;
    }

    private static void HashChunks(byte[] buffer, int dataStart, List<int> boundaries, XetHash[] hashes, int parallelism)
    {
        if (parallelism == 1 || boundaries.Count < 4)
        {
            var start = dataStart;
            for (var i = 0; i < boundaries.Count; i++)
            {
                hashes[i] = XetHasher.ChunkHash(buffer.AsSpan(start, boundaries[i] - start));
                start = boundaries[i];
            }
            return;
        }
        Parallel.For(0, boundaries.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i =>
        {
            var start = i == 0 ? dataStart : boundaries[i - 1];
            hashes[i] = XetHasher.ChunkHash(buffer.AsSpan(start, boundaries[i] - start));
        });
    }
}
