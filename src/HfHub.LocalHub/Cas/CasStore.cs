using System.Security.Cryptography;
using HfHub.LocalHub.Store;
using Microsoft.Data.Sqlite;

namespace HfHub.LocalHub.Cas;

/// <summary>A chunk of a stored xorb: its hash, decoded length, and where its record sits in the xorb as the hub serves it.</summary>
internal sealed record CasStoredChunk(string Hash, int Length, long RecordOffset, int RecordLength);

/// <summary>A registered Xet file: its hash, size, SHA-256 and terms.</summary>
internal sealed record CasFile(string Hash, long Size, string? Sha256, IReadOnlyList<CasTerm> Terms);

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
internal sealed class CasStore
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

    /// <summary>
    /// Registers a file (idempotent) and lets <paramref name="repoId"/> read it: a repo under its
    /// SHA-256, a bucket (<paramref name="bucket"/>) by its Xet hash alone, since bucket uploads carry
    /// no SHA-256 (buckets.md §4). False when the file was known already.
    /// </summary>
    public bool AddFile(string repoId, CasFile file, bool bucket = false)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        bool inserted;
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR IGNORE INTO cas_files (hash, size, sha256) VALUES ($hash, $size, $sha);";
            insert.Parameters.AddWithValue("$hash", file.Hash);
            insert.Parameters.AddWithValue("$size", file.Size);
            insert.Parameters.AddWithValue("$sha", (object?)file.Sha256 ?? DBNull.Value);
            inserted = insert.ExecuteNonQuery() == 1;
        }
        if (inserted)
        {
            using var terms = connection.CreateCommand();
            terms.Transaction = transaction;
            terms.CommandText = "INSERT INTO cas_file_terms (file, idx, xorb, chunk_start, chunk_end, bytes) VALUES ($file, $idx, $xorb, $start, $end, $bytes);";
            terms.Parameters.AddWithValue("$file", file.Hash);
            var idx = terms.Parameters.Add("$idx", SqliteType.Integer);
            var xorb = terms.Parameters.Add("$xorb", SqliteType.Text);
            var start = terms.Parameters.Add("$start", SqliteType.Integer);
            var end = terms.Parameters.Add("$end", SqliteType.Integer);
            var bytes = terms.Parameters.Add("$bytes", SqliteType.Integer);
            for (var i = 0; i < file.Terms.Count; i++)
            {
                idx.Value = i;
                xorb.Value = file.Terms[i].Xorb;
                start.Value = file.Terms[i].Start;
                end.Value = file.Terms[i].End;
                bytes.Value = file.Terms[i].Bytes;
                terms.ExecuteNonQuery();
            }
        }
        if (bucket)
        {
            using var grant = connection.CreateCommand();
            grant.Transaction = transaction;
            grant.CommandText = "INSERT OR IGNORE INTO cas_bucket_files (bucket_id, file) VALUES ($bucket, $file);";
            grant.Parameters.AddWithValue("$bucket", repoId);
            grant.Parameters.AddWithValue("$file", file.Hash);
            grant.ExecuteNonQuery();
        }
        else if (file.Sha256 is not null)
        {
            using var link = connection.CreateCommand();
            link.Transaction = transaction;
            link.CommandText = "INSERT INTO cas_repo_files (repo_id, sha256, file, size) VALUES ($repo, $sha, $file, $size) ON CONFLICT(repo_id, sha256) DO UPDATE SET file = excluded.file, size = excluded.size;";
            link.Parameters.AddWithValue("$repo", repoId);
            link.Parameters.AddWithValue("$sha", file.Sha256);
            link.Parameters.AddWithValue("$file", file.Hash);
            link.Parameters.AddWithValue("$size", file.Size);
            link.ExecuteNonQuery();
        }
        transaction.Commit();
        return inserted;
    }

    public CasFile? FindFile(string hash)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT size, sha256 FROM cas_files WHERE hash = $hash;";
        command.Parameters.AddWithValue("$hash", hash);
        long size;
        string? sha;
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }
            size = reader.GetInt64(0);
            sha = reader.IsDBNull(1) ? null : reader.GetString(1);
        }
        using var terms = connection.CreateCommand();
        terms.CommandText = "SELECT xorb, chunk_start, chunk_end, bytes FROM cas_file_terms WHERE file = $hash ORDER BY idx;";
        terms.Parameters.AddWithValue("$hash", hash);
        using var termReader = terms.ExecuteReader();
        var list = new List<CasTerm>();
        while (termReader.Read())
        {
            list.Add(new CasTerm(termReader.GetString(0), termReader.GetInt32(1), termReader.GetInt32(2), termReader.GetInt64(3)));
        }
        return new CasFile(hash, size, sha, list);
    }

    /// <summary>The Xet file a repo holds under this SHA-256 (from a shard uploaded with a token of that repo), or null.</summary>
    public (string File, long Size)? RepoFile(string repoId, string sha256)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT file, size FROM cas_repo_files WHERE repo_id = $repo AND sha256 = $sha;";
        command.Parameters.AddWithValue("$repo", repoId);
        command.Parameters.AddWithValue("$sha", sha256);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetInt64(1)) : null;
    }

    /// <summary>Lets a bucket read a Xet file it did not upload (a server-side copy into it).</summary>
    public void GrantBucket(string bucketId, string file)
    {
        using var connection = _database.Open();
        HubDatabase.Execute(connection, "INSERT OR IGNORE INTO cas_bucket_files (bucket_id, file) VALUES ($bucket, $file);", ("$bucket", bucketId), ("$file", file));
    }

    /// <summary>True when a repo or bucket may read this Xet file (Xet tokens are repo-scoped).</summary>
    public bool RepoCanRead(string repoId, string file)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM cas_repo_files WHERE repo_id = $repo AND file = $file UNION ALL SELECT 1 FROM cas_bucket_files WHERE bucket_id = $repo AND file = $file LIMIT 1;";
        command.Parameters.AddWithValue("$repo", repoId);
        command.Parameters.AddWithValue("$file", file);
        return command.ExecuteScalar() is not null;
    }

    /// <summary>Whether a repo answers Xet: its own setting, else the hub's default.</summary>
    public bool XetEnabled(string repoId, bool byDefault)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT xet_enabled FROM cas_repo_settings WHERE repo_id = $repo;";
        command.Parameters.AddWithValue("$repo", repoId);
        return command.ExecuteScalar() is long value ? value != 0 : byDefault;
    }

    public void SetXetEnabled(string repoId, bool enabled)
    {
        using var connection = _database.Open();
        HubDatabase.Execute(connection,
            "INSERT INTO cas_repo_settings (repo_id, xet_enabled) VALUES ($repo, $value) ON CONFLICT(repo_id) DO UPDATE SET xet_enabled = excluded.xet_enabled;",
            ("$repo", repoId), ("$value", enabled ? 1 : 0));
    }

    /// <summary>
    /// Writes bytes <c>[from, to]</c> (inclusive) of a file's reconstruction: every needed chunk
    /// is read from its record and decoded, one at a time, so memory stays at one chunk.
    /// </summary>
    public async Task WriteFileAsync(CasFile file, long from, long to, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(output);
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

/// <summary>Counts of what the CAS and the LFS storage received, for tests and <c>GET /_localhub/xet</c>.</summary>
public sealed class CasCounters
{
    private long _xorbUploads;
    private long _xorbsStored;
    private long _shardUploads;
    private long _filesRegistered;
    private long _dedupeQueries;
    private long _reconstructions;
    private long _xorbRangeRequests;
    private long _bridgeDownloads;
    private long _lfsUploads;

    /// <summary>Xorb POSTs accepted (new or already stored).</summary>
    public long XorbUploads => Interlocked.Read(ref _xorbUploads);
    public long XorbsStored => Interlocked.Read(ref _xorbsStored);
    public long ShardUploads => Interlocked.Read(ref _shardUploads);
    public long FilesRegistered => Interlocked.Read(ref _filesRegistered);
    public long DedupeQueries => Interlocked.Read(ref _dedupeQueries);
    public long Reconstructions => Interlocked.Read(ref _reconstructions);
    /// <summary>GETs of signed xorb range URLs (a Xet download's data).</summary>
    public long XorbRangeRequests => Interlocked.Read(ref _xorbRangeRequests);
    /// <summary>Downloads of reconstructed bytes through the resolve bridge (clients that do not speak Xet).</summary>
    public long BridgeDownloads => Interlocked.Read(ref _bridgeDownloads);
    /// <summary>LFS basic PUTs and multipart part PUTs that stored data.</summary>
    public long LfsUploads => Interlocked.Read(ref _lfsUploads);

    internal void XorbUploaded(bool stored)
    {
        Interlocked.Increment(ref _xorbUploads);
        if (stored)
        {
            Interlocked.Increment(ref _xorbsStored);
        }
    }

    internal void ShardUploaded(int newFiles)
    {
        Interlocked.Increment(ref _shardUploads);
        Interlocked.Add(ref _filesRegistered, newFiles);
    }

    internal void DedupeQueried() => Interlocked.Increment(ref _dedupeQueries);
    internal void Reconstructed() => Interlocked.Increment(ref _reconstructions);
    internal void XorbRangeServed() => Interlocked.Increment(ref _xorbRangeRequests);
    internal void Bridged() => Interlocked.Increment(ref _bridgeDownloads);
    internal void LfsUploaded() => Interlocked.Increment(ref _lfsUploads);
}
