using HfHub.Xet;

// Chunks a file and computes every Xet hash the way an upload would: chunk hashes while reading,
// the chunks grouped into xorbs (64 MiB or 8 192 chunks), each xorb's hash and the verification
// hash of the term covering it, and the file hash. Prints "<file hash> <chunks> <xorbs>", which
// run.sh records beside xetchunk-wasm's line for the same file. With --pack, every chunk is also
// compressed into xorbs as an upload does, and the line ends with the serialized xorb bytes.
if (args.Length is not (1 or 2) || (args.Length == 2 && args[1] != "--pack"))
{
    Console.Error.WriteLine("usage: XetHashBench <file> [--pack]");
    return 2;
}
await using var stream = new FileStream(args[0], FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
var builder = new XorbBuilder();
long packed = 0;
XetChunkSink? pack = args.Length == 2
    ? (chunk, data, _) =>
    {
        if (!builder.TryAdd(chunk.Hash, data.Span))
        {
            packed += builder.Build().Data.Length;
            builder.TryAdd(chunk.Hash, data.Span);
        }
        return ValueTask.CompletedTask;
    }
    : null;
var file = await XetChunker.ChunkAsync(stream, pack);
if (builder.Count > 0)
{
    packed += builder.Build().Data.Length;
}
var xorbs = 0;
var verification = default(XetHash);
var chunks = file.Chunks;
for (var start = 0; start < chunks.Count;)
{
    var end = start;
    long bytes = 0;
    while (end < chunks.Count && end - start < 8192 && bytes + chunks[end].Length <= 64L * 1024 * 1024)
    {
        bytes += chunks[end++].Length;
    }
    var xorb = chunks.Skip(start).Take(end - start).ToList();
    var xorbHash = XetHasher.MerkleRoot(xorb);
    verification = XetHasher.VerificationHash(xorb.Select(c => c.Hash).ToArray());
    GC.KeepAlive(xorbHash);
    xorbs++;
    start = end;
}
GC.KeepAlive(verification);
Console.WriteLine(pack is null ? $"{file.FileHash} {chunks.Count} {xorbs}" : $"{file.FileHash} {chunks.Count} {xorbs} {packed}");
return 0;
