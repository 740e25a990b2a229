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
        // Two stages: this loop reads a block, finds its boundaries and carries the partial chunk
        // over, while the blocks before it are hashed on the thread pool. Three buffers: one being
        // read and scanned, one whose hashing may still run and whose tail is being carried, one
        // more hashing. A buffer is [room for a carried partial chunk (< MaxChunkSize)][one block].
        var free = new Stack<byte[]>();
        var pending = new Queue<PendingBlock>();
        var chunks = new List<XetChunk>();
        var candidates = new List<int>();
        long offsetOfDataStart = 0;
        byte[]? previous = null;
        int carryFrom = 0, carry = 0;
        try
        {
            while (true)
            {
                if (pending.Count == 2)
                {
                    free.Push(await DeliverAsync(pending.Dequeue(), chunks, sink, cancellationToken).ConfigureAwait(false));
                }
                var buffer = free.Count > 0 ? free.Pop() : new byte[MaxChunkSize + blockSize];
                var read = await stream.ReadAtLeastAsync(buffer.AsMemory(MaxChunkSize, blockSize), blockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                var endOfStream = read < blockSize;
                // The partial chunk of the previous block moves in front of this one, with its candidates.
                var dataStart = MaxChunkSize - carry;
                if (previous is not null)
                {
                    previous.AsSpan(carryFrom, carry).CopyTo(buffer.AsSpan(dataStart));
                    var shift = dataStart - carryFrom;
                    candidates.RemoveAll(c => c <= carryFrom);
                    for (var i = 0; i < candidates.Count; i++)
                    {
                        candidates[i] += shift;
                    }
                }
                var end = MaxChunkSize + read;
                ScanBlock(buffer, dataStart, end, candidates, parallelism);
                var boundaries = new List<int>();
                var chunkEnd = SelectBoundaries(candidates, dataStart, end, endOfStream, boundaries);
                var block = new PendingBlock(buffer, dataStart, offsetOfDataStart, boundaries, new XetHash[boundaries.Count]);
                block.Hashing = boundaries.Count == 0
                    ? Task.CompletedTask
                    : Task.Run(() => HashChunks(block, parallelism), cancellationToken);
                pending.Enqueue(block);
                if (endOfStream)
                {
                    while (pending.Count > 0)
                    {
                        await DeliverAsync(pending.Dequeue(), chunks, sink, cancellationToken).ConfigureAwait(false);
                    }
                    return new XetFileChunks(offsetOfDataStart + (end - dataStart), chunks);
                }
                offsetOfDataStart += chunkEnd - dataStart;
                previous = buffer;
                carryFrom = chunkEnd;
                carry = end - chunkEnd;
            }
        }
        finally
        {
            // On failure, let running hash tasks finish before their buffers go out of reach.
            foreach (var block in pending)
            {
                await block.Hashing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private sealed class PendingBlock(byte[] buffer, int dataStart, long fileOffset, List<int> boundaries, XetHash[] hashes)
    {
        public byte[] Buffer { get; } = buffer;
        public int DataStart { get; } = dataStart;
        public long FileOffset { get; } = fileOffset;
        public List<int> Boundaries { get; } = boundaries;
        public XetHash[] Hashes { get; } = hashes;
        public Task Hashing { get; set; } = Task.CompletedTask;
    }

    private static async Task<byte[]> DeliverAsync(PendingBlock block, List<XetChunk> chunks, XetChunkSink? sink, CancellationToken cancellationToken)
    {
        await block.Hashing.ConfigureAwait(false);
        var start = block.DataStart;
        for (var i = 0; i < block.Boundaries.Count; i++)
        {
            var chunk = new XetChunk(block.Hashes[i], block.FileOffset + (start - block.DataStart), block.Boundaries[i] - start);
            chunks.Add(chunk);
            if (sink is not null)
            {
                await sink(chunk, block.Buffer.AsMemory(start, chunk.Length), cancellationToken).ConfigureAwait(false);
            }
            start = block.Boundaries[i];
        }
        return block.Buffer;
    }

    /// <summary>Chunks and hashes bytes already in memory (tests and small inputs).</summary>
    public static XetFileChunks Chunk(ReadOnlyMemory<byte> data, XetChunkerOptions? options = null)
    {
        using var stream = new MemoryStream(data.ToArray(), writable: false);
        return ChunkAsync(stream, null, options).GetAwaiter().GetResult();
    }

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

    private static void HashChunks(PendingBlock block, int parallelism)
    {
        var buffer = block.Buffer;
        var boundaries = block.Boundaries;
        if (parallelism == 1 || boundaries.Count < 4)
        {
            var start = block.DataStart;
            for (var i = 0; i < boundaries.Count; i++)
            {
                block.Hashes[i] = XetHasher.ChunkHash(buffer.AsSpan(start, boundaries[i] - start));
                start = boundaries[i];
            }
            return;
        }
        Parallel.For(0, boundaries.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i =>
        {
            var start = i == 0 ? block.DataStart : boundaries[i - 1];
            block.Hashes[i] = XetHasher.ChunkHash(buffer.AsSpan(start, boundaries[i] - start));
        });
    }
}
