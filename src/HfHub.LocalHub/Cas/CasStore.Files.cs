using HfHub.LocalHub.Store;
using Microsoft.Data.Sqlite;

namespace HfHub.LocalHub.Cas;

/// <summary>The CAS storage of files: registration, which repo or bucket may read them, and Xet per repo.</summary>
internal sealed partial class CasStore
{
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
}
