using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace HfHub.LocalHub.Store;

/// <summary>A commit of a repo's history.</summary>
internal sealed record GitCommit(string Oid, string Tree, string? Parent, string Author, string Title, string Message, string Date, long Depth);

/// <summary>
/// A file or folder at a commit. For files, <see cref="Oid"/> is the git blob id (of the content,
/// or of the LFS pointer for LFS files) and <see cref="Sha256"/> locates the content in the blob
/// store; for folders, <see cref="Oid"/> is the git tree id. <see cref="LastCommit"/> is the latest
/// commit that changed the entry.
/// </summary>
internal sealed record GitEntry(string Path, bool IsDirectory, string Oid, long Size, string? Sha256, bool Lfs, string LastCommit)
{
    /// <summary>The size of the LFS pointer git stores for an LFS file.</summary>
    public long PointerSize => Lfs ? GitObjects.Pointer(Sha256!, Size).Length : 0;
}

/// <summary>The state of one file in a new commit.</summary>
internal sealed record GitFile(string Path, string Oid, long Size, string Sha256, bool Lfs);

/// <summary>A named ref: <c>refs/heads/main</c>, <c>refs/tags/v1</c>, <c>refs/pr/1</c>.</summary>
internal sealed record StoredRef(string Name, string Target);

/// <summary>Settings kept beside the shared repo row.</summary>
internal sealed record RepoSettings(string Gated, bool Disabled);

/// <summary>Thrown when a branch moved between reading its head and committing.</summary>
internal sealed class StaleBranchException() : Exception("The branch was updated since you opened this page. Please refresh and try again.");

/// <summary>
/// Per-repo git history in SQLite: commits, a full snapshot of entries per commit (files and
/// folders, each with its last-changing commit, so tree listings with <c>expand</c> are one
/// query), refs, the LFS objects uploaded to the repo, and extra settings. Rows cascade away with
/// the repo row. Content lives in the <see cref="BlobStore"/> by SHA-256 and is never deleted
/// (blobs may be shared by several repos). Over 400 lines on purpose: every query over the git
/// tables sits beside the schema it depends on and the transaction that commits (tree ids are
/// computed in <see cref="GitObjects"/>).
/// </summary>
internal sealed class GitStore(HubDatabase database, TimeProvider clock)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS git_commits (
            repo_id TEXT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            oid TEXT NOT NULL,
            tree TEXT NOT NULL,
            parent TEXT,
            author TEXT NOT NULL,
            title TEXT NOT NULL,
            message TEXT NOT NULL,
            date TEXT NOT NULL,
            depth INTEGER NOT NULL,
            PRIMARY KEY (repo_id, oid)
        );
        CREATE TABLE IF NOT EXISTS git_entries (
            repo_id TEXT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            commit_oid TEXT NOT NULL,
            path TEXT NOT NULL,
            is_dir INTEGER NOT NULL,
            oid TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT,
            lfs INTEGER NOT NULL,
            last_commit TEXT NOT NULL,
            PRIMARY KEY (repo_id, commit_oid, path)
        );
        CREATE TABLE IF NOT EXISTS git_refs (
            repo_id TEXT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            target TEXT NOT NULL,
            PRIMARY KEY (repo_id, name)
        );
        CREATE TABLE IF NOT EXISTS lfs_objects (
            repo_id TEXT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
            oid TEXT NOT NULL,
            size INTEGER NOT NULL,
            PRIMARY KEY (repo_id, oid)
        );
        CREATE TABLE IF NOT EXISTS repo_settings (
            repo_id TEXT PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE,
            gated TEXT NOT NULL DEFAULT 'false',
            disabled INTEGER NOT NULL DEFAULT 0
        );
        """;

    public const string DefaultBranch = "main";

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    /// <summary>One writer per repo at a time in this process (the Hub also processes one commit per repo at a time).</summary>
    public SemaphoreSlim LockFor(string repoId) => _locks.GetOrAdd(repoId, _ => new SemaphoreSlim(1, 1));

    /// <summary>
    /// Resolves a revision: <c>HEAD</c>, a branch or tag name, a full ref (<c>refs/heads/x</c>,
    /// <c>refs/tags/x</c>, <c>refs/pr/N</c>), or a commit id (full, or a prefix of at least 7 hex digits).
    /// </summary>
    public string? ResolveRevision(string repoId, string revision)
    {
        if (revision is "HEAD" or "")
        {
            revision = DefaultBranch;
        }
        using var connection = database.Open();
        string[] candidates = revision.StartsWith("refs/", StringComparison.Ordinal)
            ? [revision]
            : ["refs/heads/" + revision, "refs/tags/" + revision];
        foreach (var name in candidates)
        {
            if (Scalar(connection, "SELECT target FROM git_refs WHERE repo_id = $repo AND name = $name;", ("$repo", repoId), ("$name", name)) is string target)
            {
                return target;
            }
        }
        if (revision.Length is >= 7 and <= 40 && revision.All(char.IsAsciiHexDigit))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT oid FROM git_commits WHERE repo_id = $repo AND oid >= $prefix AND oid < $end ORDER BY oid LIMIT 2;";
            var prefix = revision.ToLowerInvariant();
            command.Parameters.AddWithValue("$repo", repoId);
            command.Parameters.AddWithValue("$prefix", prefix);
            command.Parameters.AddWithValue("$end", prefix + "g");
            using var reader = command.ExecuteReader();
            var found = new List<string>();
            while (reader.Read())
            {
                found.Add(reader.GetString(0));
            }
            return found.Count == 1 ? found[0] : null;
        }
        return null;
    }

    /// <summary>The full ref name of a branch revision (<c>main</c>, <c>refs/heads/main</c>, <c>refs/pr/1</c>), or null when it is not a branch.</summary>
    public string? BranchRef(string repoId, string revision)
    {
        if (revision is "HEAD" or "")
        {
            revision = DefaultBranch;
        }
        var name = revision.StartsWith("refs/heads/", StringComparison.Ordinal) || revision.StartsWith("refs/pr/", StringComparison.Ordinal)
            ? revision
            : "refs/heads/" + revision;
        return GetRef(repoId, name) is null ? null : name;
    }

    public StoredRef? GetRef(string repoId, string name)
    {
        using var connection = database.Open();
        return Scalar(connection, "SELECT target FROM git_refs WHERE repo_id = $repo AND name = $name;", ("$repo", repoId), ("$name", name)) is string target
            ? new StoredRef(name, target)
            : null;
    }

    public IReadOnlyList<StoredRef> Refs(string repoId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, target FROM git_refs WHERE repo_id = $repo ORDER BY name;";
        command.Parameters.AddWithValue("$repo", repoId);
        using var reader = command.ExecuteReader();
        var result = new List<StoredRef>();
        while (reader.Read())
        {
            result.Add(new StoredRef(reader.GetString(0), reader.GetString(1)));
        }
        return result;
    }

    /// <summary>Creates a ref; false when it exists (unless <paramref name="overwrite"/>).</summary>
    public bool CreateRef(string repoId, string name, string target, bool overwrite = false)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = overwrite
            ? "INSERT INTO git_refs (repo_id, name, target) VALUES ($repo, $name, $target) ON CONFLICT(repo_id, name) DO UPDATE SET target = excluded.target;"
            : "INSERT INTO git_refs (repo_id, name, target) VALUES ($repo, $name, $target) ON CONFLICT DO NOTHING;";
        command.Parameters.AddWithValue("$repo", repoId);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$target", target);
        return command.ExecuteNonQuery() == 1;
    }

    public bool DeleteRef(string repoId, string name)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM git_refs WHERE repo_id = $repo AND name = $name;";
        command.Parameters.AddWithValue("$repo", repoId);
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>The next free pull-request number (<c>refs/pr/N</c>).</summary>
    public int NextPullRequestNumber(string repoId) =>
        Refs(repoId).Select(r => r.Name.StartsWith("refs/pr/", StringComparison.Ordinal) && int.TryParse(r.Name.AsSpan(8), CultureInfo.InvariantCulture, out var n) ? n : 0)
            .DefaultIfEmpty(0).Max() + 1;

    public GitCommit? GetCommit(string repoId, string oid)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT oid, tree, parent, author, title, message, date, depth FROM git_commits WHERE repo_id = $repo AND oid = $oid;";
        command.Parameters.AddWithValue("$repo", repoId);
        command.Parameters.AddWithValue("$oid", oid);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCommit(reader) : null;
    }

    /// <summary>The history from a commit back to the root, newest first.</summary>
    public IReadOnlyList<GitCommit> History(string repoId, string head, int offset, int limit)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            WITH RECURSIVE chain(oid, n) AS (
                SELECT $head, 0
                UNION ALL
                SELECT c.parent, chain.n + 1 FROM chain JOIN git_commits c ON c.repo_id = $repo AND c.oid = chain.oid
                WHERE c.parent IS NOT NULL AND chain.n < $end
            )
            SELECT c.oid, c.tree, c.parent, c.author, c.title, c.message, c.date, c.depth
            FROM chain JOIN git_commits c ON c.repo_id = $repo AND c.oid = chain.oid
            WHERE chain.n >= $offset AND chain.n < $end ORDER BY chain.n;
            """;
        command.Parameters.AddWithValue("$repo", repoId);
        command.Parameters.AddWithValue("$head", head);
        command.Parameters.AddWithValue("$offset", offset);
        command.Parameters.AddWithValue("$end", offset + limit);
        using var reader = command.ExecuteReader();
        var result = new List<GitCommit>();
        while (reader.Read())
        {
            result.Add(ReadCommit(reader));
        }
        return result;
    }

    /// <summary>One file or folder at a commit; null when missing.</summary>
    public GitEntry? GetEntry(string repoId, string commit, string path)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT path, is_dir, oid, size, sha256, lfs, last_commit FROM git_entries WHERE repo_id = $repo AND commit_oid = $commit AND path = $path;";
        command.Parameters.AddWithValue("$repo", repoId);
        command.Parameters.AddWithValue("$commit", commit);
        command.Parameters.AddWithValue("$path", path);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadEntry(reader) : null;
    }

    /// <summary>
    /// Entries at a commit under a folder (<c>""</c> = root), ordered by path; direct children only
    /// unless <paramref name="recursive"/>. <paramref name="after"/> continues a listing (cursor).
    /// </summary>
    public IReadOnlyList<GitEntry> ListEntries(string repoId, string commit, string folder, bool recursive, string? after, int limit, bool filesOnly = false)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        var prefix = folder.Length == 0 ? "" : folder + "/";
        command.CommandText = $"""
            SELECT path, is_dir, oid, size, sha256, lfs, last_commit FROM git_entries
            WHERE repo_id = $repo AND commit_oid = $commit
              AND substr(path, 1, length($prefix)) = $prefix AND path > $after
              {(recursive ? "" : "AND instr(substr(path, length($prefix) + 1), '/') = 0")}
              {(filesOnly ? "AND is_dir = 0" : "")}
            ORDER BY path LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$repo", repoId);
        command.Parameters.AddWithValue("$commit", commit);
        command.Parameters.AddWithValue("$prefix", prefix);
        command.Parameters.AddWithValue("$after", after ?? "");
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var result = new List<GitEntry>();
        while (reader.Read())
        {
            result.Add(ReadEntry(reader));
        }
        return result;
    }

    /// <summary>All files at a commit, by path.</summary>
    public Dictionary<string, GitEntry> Files(string repoId, string commit) =>
        ListEntries(repoId, commit, "", recursive: true, after: null, limit: int.MaxValue, filesOnly: true).ToDictionary(e => e.Path, StringComparer.Ordinal);

    /// <summary>
    /// Records a commit with the given complete file set on top of <paramref name="parent"/> and
    /// moves <paramref name="refName"/> to it, atomically: when the ref no longer points at
    /// <paramref name="expectedRefTarget"/> (null = the ref must not exist) nothing is written and
    /// <see cref="StaleBranchException"/> is thrown.
    /// </summary>
    public GitCommit Commit(string repoId, string refName, string? expectedRefTarget, string? parent, IReadOnlyCollection<GitFile> files,
        string author, string title, string description)
    {
        var now = clock.GetUtcNow();
        var date = HubIds.Timestamp(now);
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction(deferred: false);

        var parentEntries = new Dictionary<string, (string Oid, string LastCommit)>(StringComparer.Ordinal);
        long depth = 1;
        if (parent is not null)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT path, oid, last_commit FROM git_entries WHERE repo_id = $repo AND commit_oid = $commit;";
            command.Parameters.AddWithValue("$repo", repoId);
            command.Parameters.AddWithValue("$commit", parent);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    parentEntries[reader.GetString(0)] = (reader.GetString(1), reader.GetString(2));
                }
            }
            depth = 1 + (Scalar(connection, transaction, "SELECT depth FROM git_commits WHERE repo_id = $repo AND oid = $oid;", ("$repo", repoId), ("$oid", parent)) as long? ?? 0L);
        }

        var (tree, folders) = GitObjects.BuildTrees(files);
        var oid = GitObjects.CommitId(tree, parent, author, now, title, description);
        Scalar(connection, transaction,
            "INSERT OR IGNORE INTO git_commits (repo_id, oid, tree, parent, author, title, message, date, depth) VALUES ($repo, $oid, $tree, $parent, $author, $title, $message, $date, $depth);",
            ("$repo", repoId), ("$oid", oid), ("$tree", tree), ("$parent", parent), ("$author", author), ("$title", title),
            ("$message", description), ("$date", date), ("$depth", depth));

        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR IGNORE INTO git_entries (repo_id, commit_oid, path, is_dir, oid, size, sha256, lfs, last_commit) VALUES ($repo, $commit, $path, $dir, $oid, $size, $sha, $lfs, $last);";
            var pRepo = insert.Parameters.Add("$repo", SqliteType.Text);
            var pCommit = insert.Parameters.Add("$commit", SqliteType.Text);
            var pPath = insert.Parameters.Add("$path", SqliteType.Text);
            var pDir = insert.Parameters.Add("$dir", SqliteType.Integer);
            var pOid = insert.Parameters.Add("$oid", SqliteType.Text);
            var pSize = insert.Parameters.Add("$size", SqliteType.Integer);
            var pSha = insert.Parameters.Add("$sha", SqliteType.Text);
            var pLfs = insert.Parameters.Add("$lfs", SqliteType.Integer);
            var pLast = insert.Parameters.Add("$last", SqliteType.Text);
            pRepo.Value = repoId;
            pCommit.Value = oid;
            void Add(string path, bool isDir, string entryOid, long size, string? sha, bool lfs)
            {
                pPath.Value = path;
                pDir.Value = isDir ? 1 : 0;
                pOid.Value = entryOid;
                pSize.Value = size;
                pSha.Value = (object?)sha ?? DBNull.Value;
                pLfs.Value = lfs ? 1 : 0;
                // An entry whose id did not change keeps the commit that last changed it.
                pLast.Value = parentEntries.TryGetValue(path, out var previous) && previous.Oid == entryOid ? previous.LastCommit : oid;
                insert.ExecuteNonQuery();
            }
            foreach (var file in files)
            {
                Add(file.Path, false, file.Oid, file.Size, file.Sha256, file.Lfs);
            }
            foreach (var (path, treeOid) in folders)
            {
                Add(path, true, treeOid, 0, null, false);
            }
        }

        using (var move = connection.CreateCommand())
        {
            move.Transaction = transaction;
            move.CommandText = expectedRefTarget is null
                ? "INSERT INTO git_refs (repo_id, name, target) VALUES ($repo, $name, $new) ON CONFLICT DO NOTHING;"
                : "UPDATE git_refs SET target = $new WHERE repo_id = $repo AND name = $name AND target = $old;";
            move.Parameters.AddWithValue("$repo", repoId);
            move.Parameters.AddWithValue("$name", refName);
            move.Parameters.AddWithValue("$new", oid);
            move.Parameters.AddWithValue("$old", (object?)expectedRefTarget ?? DBNull.Value);
            if (move.ExecuteNonQuery() != 1)
            {
                transaction.Rollback();
                throw new StaleBranchException();
            }
        }
        transaction.Commit();
        return new GitCommit(oid, tree, parent, author, title, description, date, depth);
    }

    /// <summary>True when the repo holds this LFS object (uploaded to it, or committed to it).</summary>
    public long? LfsObjectSize(string repoId, string oid)
    {
        using var connection = database.Open();
        return Scalar(connection, "SELECT size FROM lfs_objects WHERE repo_id = $repo AND oid = $oid;", ("$repo", repoId), ("$oid", oid)) as long?;
    }

    public void AddLfsObject(string repoId, string oid, long size)
    {
        using var connection = database.Open();
        HubDatabase.Execute(connection, "INSERT OR IGNORE INTO lfs_objects (repo_id, oid, size) VALUES ($repo, $oid, $size);",
            ("$repo", repoId), ("$oid", oid), ("$size", size));
    }

    /// <summary>The bytes of all distinct files ever committed to the repo (LFS and regular).</summary>
    public long UsedStorage(string repoId)
    {
        using var connection = database.Open();
        return Scalar(connection, "SELECT COALESCE(SUM(size), 0) FROM (SELECT DISTINCT sha256, size FROM git_entries WHERE repo_id = $repo AND is_dir = 0);", ("$repo", repoId)) as long? ?? 0;
    }

    public RepoSettings Settings(string repoId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT gated, disabled FROM repo_settings WHERE repo_id = $repo;";
        command.Parameters.AddWithValue("$repo", repoId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new RepoSettings(reader.GetString(0), reader.GetInt64(1) != 0) : new RepoSettings("false", false);
    }

    public void SetGated(string repoId, string gated)
    {
        using var connection = database.Open();
        HubDatabase.Execute(connection, "INSERT INTO repo_settings (repo_id, gated) VALUES ($repo, $gated) ON CONFLICT(repo_id) DO UPDATE SET gated = excluded.gated;",
            ("$repo", repoId), ("$gated", gated));
    }

    private static object? Scalar(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        Scalar(connection, null, sql, parameters);

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command.ExecuteScalar();
    }

    private static GitCommit ReadCommit(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
            reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetInt64(7));

    private static GitEntry ReadEntry(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetInt64(1) != 0, reader.GetString(2), reader.GetInt64(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5) != 0, reader.GetString(6));
}
