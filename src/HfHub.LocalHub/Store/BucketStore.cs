using Microsoft.Data.Sqlite;

namespace HfHub.LocalHub.Store;

/// <summary>An object of a bucket: where its bytes are in the CAS (its Xet file hash) and what the batch said of it.</summary>
internal sealed record BucketObject(string Path, string XetHash, long Size, long? Mtime, string? ContentType, string UploadedAt);

/// <summary>
/// Storage Buckets (buckets.md §8.1): a bucket is a row shaped like a repo (type <c>bucket</c>, so
/// the repo access rules and Xet token grants apply unchanged) and a flat map
/// <c>path → object</c>; folders are only prefixes. Non-versioned: a put replaces, a delete forgets.
/// The bytes stay in the CAS, where a copy is one more reference to the same Xet file.
/// </summary>
internal sealed class BucketStore(HubDatabase database, TimeProvider clock)
{
    public const string Type = "bucket";

    public const string Schema = """
        CREATE TABLE IF NOT EXISTS buckets (
            id TEXT PRIMARY KEY,
            namespace TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL COLLATE NOCASE,
            private INTEGER NOT NULL DEFAULT 0,
            region TEXT NOT NULL DEFAULT 'us',
            created_at TEXT NOT NULL,
            last_modified TEXT NOT NULL,
            owner_id TEXT NOT NULL,
            UNIQUE (namespace, name)
        );
        CREATE TABLE IF NOT EXISTS bucket_objects (
            bucket_id TEXT NOT NULL REFERENCES buckets(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            xet_hash TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime INTEGER,
            content_type TEXT,
            uploaded_at TEXT NOT NULL,
            PRIMARY KEY (bucket_id, path)
        );
        """;

    private const string Columns = "id, namespace, name, private, created_at, last_modified, owner_id";

    /// <summary>Creates a bucket; null when the namespace already has one of that name.</summary>
    public Repo? Create(string ns, string name, bool isPrivate, string region, Account owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var now = HubIds.Timestamp(clock.GetUtcNow());
        var bucket = new Repo(HubIds.NewObjectId(), Type, ns, name, isPrivate, null, now, now, owner.Id);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO buckets (id, namespace, name, private, region, created_at, last_modified, owner_id) VALUES ($id, $ns, $name, $private, $region, $now, $now, $owner) ON CONFLICT DO NOTHING;";
        command.Parameters.AddWithValue("$id", bucket.Id);
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$private", isPrivate ? 1 : 0);
        command.Parameters.AddWithValue("$region", region);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$owner", owner.Id);
        return command.ExecuteNonQuery() == 1 ? bucket : null;
    }

    public Repo? Find(string ns, string name) =>
        One($"SELECT {Columns} FROM buckets WHERE namespace = $a AND name = $b;", ns, name);

    public Repo? FindById(string id) => One($"SELECT {Columns} FROM buckets WHERE id = $a;", id, null);

    /// <summary>Deletes a bucket and every object in it (the CAS keeps the bytes other holders reference).</summary>
    public bool Delete(Repo bucket)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM buckets WHERE id = $id;";
        command.Parameters.AddWithValue("$id", bucket.Id);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Renames or moves a bucket to another namespace; false when the target exists.</summary>
    public bool Move(Repo bucket, string ns, string name)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE OR IGNORE buckets SET namespace = $ns, name = $name WHERE id = $id;";
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$id", bucket.Id);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>The buckets of one namespace, oldest first, with an optional case-insensitive substring search.</summary>
    public IReadOnlyList<Repo> List(string ns, string? search)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM buckets WHERE namespace = $ns
              AND ($search IS NULL OR instr(lower(namespace || '/' || name), lower($search)) > 0)
            ORDER BY created_at, id;
            """;
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$search", (object?)search ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var result = new List<Repo>();
        while (reader.Read())
        {
            result.Add(ReadBucket(reader));
        }
        return result;
    }

    /// <summary>Total bytes and number of objects (what info reports as <c>size</c> and <c>totalFiles</c>).</summary>
    public (long Size, long Files) Usage(Repo bucket)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(sum(size), 0), count(*) FROM bucket_objects WHERE bucket_id = $id;";
        command.Parameters.AddWithValue("$id", bucket.Id);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public BucketObject? Object(Repo bucket, string path)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT path, xet_hash, size, mtime, content_type, uploaded_at FROM bucket_objects WHERE bucket_id = $id AND path = $path;";
        command.Parameters.AddWithValue("$id", bucket.Id);
        command.Parameters.AddWithValue("$path", path);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadObject(reader) : null;
    }

    /// <summary>True when some object of the bucket has this Xet hash (a copy source must hold it).</summary>
    public bool HoldsHash(Repo bucket, string xetHash)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM bucket_objects WHERE bucket_id = $id AND xet_hash = $hash LIMIT 1;";
        command.Parameters.AddWithValue("$id", bucket.Id);
        command.Parameters.AddWithValue("$hash", xetHash);
        return command.ExecuteScalar() is not null;
    }

    /// <summary>The objects under <paramref name="prefix"/> (a folder, "" for the root), in path order (ordinal, as SQLite's BINARY collation compares UTF-8).</summary>
    public IReadOnlyList<BucketObject> Objects(Repo bucket, string prefix)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        ArgumentNullException.ThrowIfNull(prefix);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT path, xet_hash, size, mtime, content_type, uploaded_at FROM bucket_objects WHERE bucket_id = $id AND ($prefix = '' OR substr(path, 1, length($prefix)) = $prefix) ORDER BY path;";
        command.Parameters.AddWithValue("$id", bucket.Id);
        command.Parameters.AddWithValue("$prefix", prefix.Length == 0 ? "" : prefix + "/");
        using var reader = command.ExecuteReader();
        var result = new List<BucketObject>();
        while (reader.Read())
        {
            result.Add(ReadObject(reader));
        }
        return result;
    }

    /// <summary>Puts (or replaces) an object.</summary>
    public void Put(Repo bucket, string path, string xetHash, long size, long? mtime, string? contentType)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var now = HubIds.Timestamp(clock.GetUtcNow());
        using var connection = database.Open();
        HubDatabase.Execute(connection, """
            INSERT INTO bucket_objects (bucket_id, path, xet_hash, size, mtime, content_type, uploaded_at)
            VALUES ($id, $path, $hash, $size, $mtime, $type, $now)
            ON CONFLICT(bucket_id, path) DO UPDATE SET xet_hash = excluded.xet_hash, size = excluded.size,
                mtime = excluded.mtime, content_type = excluded.content_type, uploaded_at = excluded.uploaded_at;
            UPDATE buckets SET last_modified = $now WHERE id = $id;
            """,
            ("$id", bucket.Id), ("$path", path), ("$hash", xetHash), ("$size", size), ("$mtime", mtime), ("$type", contentType), ("$now", now));
    }

    /// <summary>Forgets an object; false when there was none.</summary>
    public bool Remove(Repo bucket, string path)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM bucket_objects WHERE bucket_id = $id AND path = $path;";
        command.Parameters.AddWithValue("$id", bucket.Id);
        command.Parameters.AddWithValue("$path", path);
        return command.ExecuteNonQuery() == 1;
    }

    private Repo? One(string sql, string a, string? b)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$a", a);
        command.Parameters.AddWithValue("$b", (object?)b ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadBucket(reader) : null;
    }

    private static Repo ReadBucket(SqliteDataReader reader) =>
        new(reader.GetString(0), Type, reader.GetString(1), reader.GetString(2), reader.GetInt64(3) != 0, null,
            reader.GetString(4), reader.GetString(5), reader.GetString(6));

    private static BucketObject ReadObject(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5));
}
