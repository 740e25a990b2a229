using HfHub.LocalHub.Store;
using Microsoft.Data.Sqlite;

namespace HfHub.LocalHub.Cas;

/// <summary>A chunk of a stored xorb: its hash, decoded length, and where its record sits in the xorb as the hub serves it.</summary>
internal sealed record CasStoredChunk(string Hash, int Length, long RecordOffset, int RecordLength);

/// <summary>A registered Xet file: its hash, size, SHA-256 and terms.</summary>
internal sealed record CasFile(string Hash, long Size, string? Sha256, IReadOnlyList<CasTerm> Terms)
{
    /// <summary>The terms that hold some of bytes <c>[from, to]</c> (inclusive), each with the file offset it starts at.</summary>
    public IEnumerable<(CasTerm Term, long Offset)> TermsOverlapping(long from, long to)
    {
        long offset = 0;
        foreach (var term in Terms)
        {
            if (offset > to)
            {
                yield break;
            }
            if (offset + term.Bytes > from)
            {
                yield return (term, offset);
            }
            offset += term.Bytes;
        }
    }
}

/// <summary>
/// The CAS storage: every distinct chunk once, as one chunk record (header + data, as first
/// uploaded) in the pack file of the xorb that brought it (<c>blobs/xet/packs/{xorb}</c>: the new
/// records of that xorb, back to back; a hub written before packs keeps one file per chunk under
/// <c>blobs/xet/chunks/</c>, still read); where each chunk's record lies, xorbs, files and which repo
/// may read which file in SQLite. A xorb is its list of chunks, so a xorb made of
/// chunks already stored adds rows but no bytes on disk; the hub serves a xorb as the
/// concatenation of its stored records, and the byte ranges it hands out in reconstructions are
/// offsets into that.
/// </summary>
internal sealed partial class CasStore
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS cas_xorbs (
            hash TEXT PRIMARY KEY,
            chunk_count INTEGER NOT NULL,
            unpacked_bytes INTEGER NOT NULL,
            served_bytes INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS cas_xorb_chunks (
            xorb TEXT NOT NULL,
            idx INTEGER NOT NULL,
            chunk TEXT NOT NULL,
            length INTEGER NOT NULL,
            record_offset INTEGER NOT NULL,
            record_length INTEGER NOT NULL,
            PRIMARY KEY (xorb, idx)
        );
        CREATE INDEX IF NOT EXISTS cas_xorb_chunks_by_chunk ON cas_xorb_chunks (chunk);
        CREATE TABLE IF NOT EXISTS cas_chunks (
            chunk TEXT PRIMARY KEY,
            pack TEXT NOT NULL,
            offset INTEGER NOT NULL,
            length INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS cas_files (
            hash TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            sha256 TEXT
        );
        CREATE TABLE IF NOT EXISTS cas_file_terms (
            file TEXT NOT NULL,
            idx INTEGER NOT NULL,
            xorb TEXT NOT NULL,
            chunk_start INTEGER NOT NULL,
            chunk_end INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            PRIMARY KEY (file, idx)
        );
        CREATE TABLE IF NOT EXISTS cas_repo_files (
            repo_id TEXT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            sha256 TEXT NOT NULL,
            file TEXT NOT NULL,
            size INTEGER NOT NULL,
            PRIMARY KEY (repo_id, sha256)
        );
        CREATE INDEX IF NOT EXISTS cas_repo_files_by_file ON cas_repo_files (repo_id, file);
        CREATE TABLE IF NOT EXISTS cas_bucket_files (
            bucket_id TEXT NOT NULL REFERENCES buckets(id) ON DELETE CASCADE,
            file TEXT NOT NULL,
            PRIMARY KEY (bucket_id, file)
        );
        CREATE TABLE IF NOT EXISTS cas_repo_settings (
            repo_id TEXT PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE,
            xet_enabled INTEGER NOT NULL
        );
        """;

    private readonly HubDatabase _database;
    private readonly string _chunks;
    private readonly string _packs;
    private readonly string _temp;

    public CasStore(HubDatabase database, string root)
    {
        _database = database;
        _chunks = Path.Combine(root, "chunks");
        _packs = Path.Combine(root, "packs");
        _temp = Path.Combine(root, "tmp");
        Directory.CreateDirectory(_chunks);
        Directory.CreateDirectory(_packs);
        Directory.CreateDirectory(_temp);
    }

    /// <summary>What the CAS saw since start: the referee tests read these to know which path a client took.</summary>
    public CasCounters Counters { get; } = new();

    private string ChunkPath(string hash) => Path.Combine(_chunks, hash[..2], hash[2..]);

    /// <summary>Bytes of chunk records on disk (each distinct chunk once).</summary>
    public long ChunkBytesOnDisk() =>
        new DirectoryInfo(_chunks).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
        + new DirectoryInfo(_packs).EnumerateFiles().Sum(f => f.Length);

    /// <summary>
    /// Stores a validated xorb; false when it was stored already. Chunk records whose chunk is
    /// already stored are not written again; the new ones go, back to back, into the xorb's pack
    /// file, written under a temporary name and renamed into place before the rows that point into
    /// it are committed (one file per xorb: thousands of small files cost more than their bytes).
    /// </summary>
    public bool AddXorb(string hash, byte[] body, IReadOnlyList<CasChunkRecord> records)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(records);
        using var connection = _database.Open();
        // Immediate: what is known and what this xorb adds are decided under the write lock.
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var exists = connection.CreateCommand())
        {
            exists.Transaction = transaction;
            exists.CommandText = "SELECT 1 FROM cas_xorbs WHERE hash = $hash;";
            exists.Parameters.AddWithValue("$hash", hash);
            if (exists.ExecuteScalar() is not null)
            {
                return false;
            }
        }
        var lengths = new int[records.Count];
        var fresh = new List<(int Record, long Offset)>();
        var hashes = records.Select(r => CasHash.ToHex(r.Hash)).ToArray();
        using (var find = connection.CreateCommand())
        {
            find.Transaction = transaction;
            find.CommandText = "SELECT length FROM cas_chunks WHERE chunk = $chunk;";
            var parameter = find.Parameters.Add("$chunk", SqliteType.Text);
            var inThisXorb = new Dictionary<string, int>(StringComparer.Ordinal);
            long packed = 0;
            for (var i = 0; i < records.Count; i++)
            {
                parameter.Value = hashes[i];
                if (inThisXorb.TryGetValue(hashes[i], out var known) || find.ExecuteScalar() is long onDisk && (known = (int)onDisk) > 0)
                {
                    lengths[i] = known;
                    continue;
                }
                var legacy = ChunkPath(hashes[i]);
                if (File.Exists(legacy))
                {
                    lengths[i] = (int)new FileInfo(legacy).Length;
                    continue;
                }
                lengths[i] = records[i].RecordLength;
                inThisXorb[hashes[i]] = lengths[i];
                fresh.Add((i, packed));
                packed += lengths[i];
            }
        }
        if (fresh.Count > 0)
        {
            var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
            using (var pack = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                foreach (var (i, _) in fresh)
                {
                    pack.Write(body, records[i].Offset, records[i].RecordLength);
                }
            }
            File.Move(temp, Path.Combine(_packs, hash), overwrite: true);
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO cas_chunks (chunk, pack, offset, length) VALUES ($chunk, $pack, $offset, $length);";
            insert.Parameters.AddWithValue("$pack", hash);
            var chunk = insert.Parameters.Add("$chunk", SqliteType.Text);
            var offsetInPack = insert.Parameters.Add("$offset", SqliteType.Integer);
            var lengthInPack = insert.Parameters.Add("$length", SqliteType.Integer);
            foreach (var (i, at) in fresh)
            {
                chunk.Value = hashes[i];
                offsetInPack.Value = at;
                lengthInPack.Value = lengths[i];
                insert.ExecuteNonQuery();
            }
        }
        var stored = new List<CasStoredChunk>(records.Count);
        long offset = 0;
        for (var i = 0; i < records.Count; i++)
        {
            stored.Add(new CasStoredChunk(hashes[i], records[i].Length, offset, lengths[i]));
            offset += lengths[i];
        }
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR IGNORE INTO cas_xorbs (hash, chunk_count, unpacked_bytes, served_bytes) VALUES ($hash, $count, $unpacked, $served);";
            insert.Parameters.AddWithValue("$hash", hash);
            insert.Parameters.AddWithValue("$count", stored.Count);
            insert.Parameters.AddWithValue("$unpacked", stored.Sum(c => (long)c.Length));
            insert.Parameters.AddWithValue("$served", offset);
            if (insert.ExecuteNonQuery() == 0)
            {
                return false;
            }
        }
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO cas_xorb_chunks (xorb, idx, chunk, length, record_offset, record_length) VALUES ($xorb, $idx, $chunk, $length, $offset, $record);";
            insert.Parameters.AddWithValue("$xorb", hash);
            var idx = insert.Parameters.Add("$idx", SqliteType.Integer);
            var chunk = insert.Parameters.Add("$chunk", SqliteType.Text);
            var length = insert.Parameters.Add("$length", SqliteType.Integer);
            var recordOffset = insert.Parameters.Add("$offset", SqliteType.Integer);
            var recordLength = insert.Parameters.Add("$record", SqliteType.Integer);
            for (var i = 0; i < stored.Count; i++)
            {
                idx.Value = i;
                chunk.Value = stored[i].Hash;
                length.Value = stored[i].Length;
                recordOffset.Value = stored[i].RecordOffset;
                recordLength.Value = stored[i].RecordLength;
                insert.ExecuteNonQuery();
            }
        }
        transaction.Commit();
        return true;
    }

    /// <summary>The size of a stored xorb as the hub serves it, or null when unknown.</summary>
    public long? XorbSize(string hash)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT served_bytes FROM cas_xorbs WHERE hash = $hash;";
        command.Parameters.AddWithValue("$hash", hash);
        return command.ExecuteScalar() as long?;
    }

    /// <summary>
    /// Chunk lists read lately. A xorb is named by its content and never changes once stored, so its
    /// list can be kept; without this, every reconstruction of a small file packed with a thousand
    /// others into one xorb read the whole xorb's rows again (what made many-file downloads slow).
    /// Bounded by the chunks held: past the bound the cache starts over.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<CasStoredChunk>> _chunkLists = new(StringComparer.Ordinal);
    private long _cachedChunks;
    private const long MaxCachedChunks = 1 << 20;

    /// <summary>The chunks of a stored xorb in order, or null when it is unknown.</summary>
    public IReadOnlyList<CasStoredChunk>? XorbChunks(string hash)
    {
        if (_chunkLists.TryGetValue(hash, out var cached))
        {
            return cached;
        }
        var chunks = ReadXorbChunks(hash);
        if (chunks is not null)
        {
            if (Interlocked.Add(ref _cachedChunks, chunks.Count) > MaxCachedChunks)
            {
                _chunkLists.Clear();
                Interlocked.Exchange(ref _cachedChunks, chunks.Count);
            }
            _chunkLists[hash] = chunks;
        }
        return chunks;
    }

    private List<CasStoredChunk>? ReadXorbChunks(string hash)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT chunk, length, record_offset, record_length FROM cas_xorb_chunks WHERE xorb = $hash ORDER BY idx;";
        command.Parameters.AddWithValue("$hash", hash);
        using var reader = command.ExecuteReader();
        var chunks = new List<CasStoredChunk>();
        while (reader.Read())
        {
            chunks.Add(new CasStoredChunk(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt32(3)));
        }
        return chunks.Count == 0 ? null : chunks;
    }

    /// <summary>A xorb holding the chunk (the one stored first), or null.</summary>
    public string? XorbWithChunk(string chunk)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT xorb FROM cas_xorb_chunks WHERE chunk = $chunk LIMIT 1;";
        command.Parameters.AddWithValue("$chunk", chunk);
        return command.ExecuteScalar() as string;
    }

    /// <summary>The stored record of a chunk (header + data).</summary>
    public byte[] ReadRecord(string chunk)
    {
        string pack;
        long offset;
        int length;
        using (var connection = _database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT pack, offset, length FROM cas_chunks WHERE chunk = $chunk;";
            command.Parameters.AddWithValue("$chunk", chunk);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return File.ReadAllBytes(ChunkPath(chunk));
            }
            (pack, offset, length) = (reader.GetString(0), reader.GetInt64(1), reader.GetInt32(2));
        }
        var record = new byte[length];
        using var handle = File.OpenHandle(Path.Combine(_packs, pack));
        var read = RandomAccess.Read(handle, record, offset);
        return read == length ? record : throw new InvalidDataException($"the pack of chunk {chunk} is cut short");
    }
}
