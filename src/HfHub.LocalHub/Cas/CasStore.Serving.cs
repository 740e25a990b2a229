using System.Security.Cryptography;

namespace HfHub.LocalHub.Cas;

/// <summary>The CAS storage serving bytes: a file's reconstructed range, its SHA-256, a xorb's range.</summary>
internal sealed partial class CasStore
{
    /// <summary>
    /// Writes bytes <c>[from, to]</c> (inclusive) of a file's reconstruction: every needed chunk
    /// is read from its record and decoded, one at a time, so memory stays at one chunk.
    /// </summary>
    public async Task WriteFileAsync(CasFile file, long from, long to, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var (term, offset) in file.TermsOverlapping(from, to))
        {
            var position = offset;
            var chunks = XorbChunks(term.Xorb) ?? throw new InvalidDataException($"xorb {term.Xorb} of file {file.Hash} is missing");
            for (var i = term.Start; i < term.End && position <= to; i++)
            {
                var chunk = chunks[i];
                if (position + chunk.Length > from)
                {
                    var data = CasXorb.Decode(ReadRecord(chunk.Hash), out _, i);
                    var start = (int)Math.Max(0, from - position);
                    var end = (int)Math.Min(data.Length, to - position + 1);
                    await output.WriteAsync(data.AsMemory(start, end - start), cancellationToken).ConfigureAwait(false);
                }
                position += chunk.Length;
            }
        }
    }

    /// <summary>
    /// The SHA-256 of a file's reconstruction (hex), to check the digest a shard claims for it. The
    /// chunk records are read and decoded a few ahead on the thread pool while the hash runs over the
    /// ones before, in file order: reading thousands of small files is the slow part.
    /// </summary>
    public async Task<string> Sha256Async(CasFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        const int ReadAhead = 16;
        var order = new List<string>();
        foreach (var term in file.Terms)
        {
            var chunks = XorbChunks(term.Xorb) ?? throw new InvalidDataException($"xorb {term.Xorb} of file {file.Hash} is missing");
            for (var i = term.Start; i < term.End; i++)
            {
                order.Add(chunks[i].Hash);
            }
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var reads = new Queue<Task<byte[]>>();
        var next = 0;
        try
        {
            while (next < order.Count || reads.Count > 0)
            {
                while (next < order.Count && reads.Count < ReadAhead)
                {
                    var chunk = order[next++];
                    reads.Enqueue(Task.Run(() => CasXorb.Decode(ReadRecord(chunk), out _), cancellationToken));
                }
                hash.AppendData(await reads.Dequeue().ConfigureAwait(false));
            }
        }
        finally
        {
            while (reads.Count > 0)
            {
                await ((Task)reads.Dequeue()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Writes bytes <c>[from, to]</c> (inclusive) of a stored xorb as the hub serves it: the concatenated stored records.</summary>
    public async Task WriteXorbRangeAsync(IReadOnlyList<CasStoredChunk> chunks, long from, long to, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var chunk in chunks)
        {
            var end = chunk.RecordOffset + chunk.RecordLength - 1;
            if (end < from || chunk.RecordOffset > to)
            {
                continue;
            }
            var record = ReadRecord(chunk.Hash);
            var start = (int)Math.Max(0, from - chunk.RecordOffset);
            var stop = (int)Math.Min(record.Length - 1, to - chunk.RecordOffset);
            await output.WriteAsync(record.AsMemory(start, stop - start + 1), cancellationToken).ConfigureAwait(false);
        }
    }
}
