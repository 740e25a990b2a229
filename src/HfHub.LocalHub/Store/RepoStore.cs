using Microsoft.Data.Sqlite;

namespace HfHub.LocalHub.Store;

/// <summary>A repository's row: identity, visibility and, for Spaces, the SDK.</summary>
internal sealed record Repo(
    string Id, string Type, string Namespace, string Name, bool Private, string? Sdk,
    string CreatedAt, string LastModified, string OwnerId)
{
    /// <summary><c>namespace/name</c>, or only the name for a canonical repo (no namespace, like <c>gpt2</c>).</summary>
    public string FullName => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";

    /// <summary>The API segment: <c>models</c>, <c>datasets</c>, <c>spaces</c>.</summary>
    public string Segment => Type + "s";

    /// <summary>The web/file URL prefix: empty for models, <c>datasets/</c> or <c>spaces/</c>.</summary>
    public string UrlPrefix => Type == "model" ? "" : Segment + "/";
}

/// <summary>Repositories of all three types. Git history lives in the commit store, keyed by <see cref="Repo.Id"/>.</summary>
internal sealed class RepoStore(HubDatabase database, TimeProvider clock)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS repos (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL CHECK (type IN ('model', 'dataset', 'space')),
            namespace TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL COLLATE NOCASE,
            private INTEGER NOT NULL DEFAULT 0,
            sdk TEXT,
            created_at TEXT NOT NULL,
            last_modified TEXT NOT NULL,
            owner_id TEXT NOT NULL,
            UNIQUE (type, namespace, name)
        );
        CREATE INDEX IF NOT EXISTS repos_by_type_modified ON repos (type, last_modified DESC);
        CREATE TABLE IF NOT EXISTS repo_redirects (
            type TEXT NOT NULL,
            namespace TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL COLLATE NOCASE,
            repo_id TEXT NOT NULL,
            PRIMARY KEY (type, namespace, name)
        );
        """;

    private const string Columns = "id, type, namespace, name, private, sdk, created_at, last_modified, owner_id";

    /// <summary>Creates a repo; null when one of that type and id exists already.</summary>
    public Repo? Create(string type, string ns, string name, bool isPrivate, string? sdk, Account owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var now = HubIds.Timestamp(clock.GetUtcNow());
        var repo = new Repo(HubIds.NewObjectId(), type, ns, name, isPrivate, sdk, now, now, owner.Id);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO repos ({Columns}) VALUES ($id, $type, $ns, $name, $private, $sdk, $now, $now, $owner) ON CONFLICT DO NOTHING;";
        command.Parameters.AddWithValue("$id", repo.Id);
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$private", isPrivate ? 1 : 0);
        command.Parameters.AddWithValue("$sdk", (object?)sdk ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$owner", owner.Id);
        if (command.ExecuteNonQuery() != 1)
        {
            return null;
        }
        // A new repo takes its name back from a repo that was moved away from it.
        HubDatabase.Execute(connection, "DELETE FROM repo_redirects WHERE type = $type AND namespace = $ns AND name = $name;",
            ("$type", type), ("$ns", ns), ("$name", name));
        return repo;
    }

    public Repo? Find(string type, string ns, string name)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM repos WHERE type = $type AND namespace = $ns AND name = $name;";
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$name", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public Repo? FindById(string id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM repos WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public bool Delete(Repo repo)
    {
        ArgumentNullException.ThrowIfNull(repo);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM repos WHERE id = $id;";
        command.Parameters.AddWithValue("$id", repo.Id);
        return command.ExecuteNonQuery() == 1;
    }

    public void SetPrivate(Repo repo, bool isPrivate) =>
        Update(repo, "UPDATE repos SET private = $value WHERE id = $id;", isPrivate ? 1 : 0);

    public void SetSdk(Repo repo, string? sdk) =>
        Update(repo, "UPDATE repos SET sdk = $value WHERE id = $id;", sdk);

    /// <summary>Marks a repo as modified now (after a commit or a settings change).</summary>
    public void Touch(Repo repo) =>
        Update(repo, "UPDATE repos SET last_modified = $value WHERE id = $id;", HubIds.Timestamp(clock.GetUtcNow()));

    /// <summary>Renames or moves a repo to another namespace; false when the target exists.</summary>
    public bool Move(Repo repo, string ns, string name)
    {
        ArgumentNullException.ThrowIfNull(repo);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE OR IGNORE repos SET namespace = $ns, name = $name WHERE id = $id;";
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$id", repo.Id);
        if (command.ExecuteNonQuery() != 1)
        {
            return false;
        }
        // The old id keeps pointing at the repo, so the Hub's redirect from a renamed repo can be answered.
        HubDatabase.Execute(connection, "INSERT OR REPLACE INTO repo_redirects (type, namespace, name, repo_id) VALUES ($type, $ns, $name, $id);",
            ("$type", repo.Type), ("$ns", repo.Namespace), ("$name", repo.Name), ("$id", repo.Id));
        HubDatabase.Execute(connection, "DELETE FROM repo_redirects WHERE type = $type AND namespace = $ns AND name = $name;",
            ("$type", repo.Type), ("$ns", ns), ("$name", name));
        return true;
    }

    /// <summary>The repo that was moved away from <paramref name="ns"/>/<paramref name="name"/>, if one was and still exists.</summary>
    public Repo? FindMoved(string type, string ns, string name)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT repo_id FROM repo_redirects WHERE type = $type AND namespace = $ns AND name = $name;";
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteScalar() is string id ? FindById(id) : null;
    }

    /// <summary>Every repo of a namespace, of all types, newest modification first.</summary>
    public IReadOnlyList<Repo> InNamespace(string ns)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM repos WHERE namespace = $ns ORDER BY last_modified DESC, id DESC;";
        command.Parameters.AddWithValue("$ns", ns);
        using var reader = command.ExecuteReader();
        var result = new List<Repo>();
        while (reader.Read())
        {
            result.Add(Read(reader));
        }
        return result;
    }

    /// <summary>
    /// Repos of one type visible to a viewer (public ones, plus private ones in the namespaces the
    /// viewer may read: their own and their organisations'),
    /// newest modification first, with optional author and case-insensitive substring search.
    /// </summary>
    public IReadOnlyList<Repo> List(string type, string? author, string? search, IReadOnlyCollection<string> viewerNamespaces, int offset, int limit)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        var namespaces = viewerNamespaces.Select((n, i) => ($"$vn{i}", n)).ToList();
        var visible = namespaces.Count == 0 ? "private = 0" : $"(private = 0 OR namespace IN ({string.Join(", ", namespaces.Select(n => n.Item1))}))";
        command.CommandText = $"""
            SELECT {Columns} FROM repos
            WHERE type = $type AND {visible}
              AND ($author IS NULL OR namespace = $author)
              AND ($search IS NULL OR instr(lower(namespace || '/' || name), lower($search)) > 0)
            ORDER BY last_modified DESC, id DESC
            LIMIT $limit OFFSET $offset;
            """;
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$author", (object?)author ?? DBNull.Value);
        command.Parameters.AddWithValue("$search", (object?)search ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        command.Parameters.AddWithValue("$offset", offset);
        foreach (var (parameter, value) in namespaces)
        {
            command.Parameters.AddWithValue(parameter, value);
        }
        using var reader = command.ExecuteReader();
        var result = new List<Repo>();
        while (reader.Read())
        {
            result.Add(Read(reader));
        }
        return result;
    }

    private void Update(Repo repo, string sql, object? value)
    {
        ArgumentNullException.ThrowIfNull(repo);
        using var connection = database.Open();
        HubDatabase.Execute(connection, sql, ("$value", value), ("$id", repo.Id));
    }

    private static Repo Read(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4) != 0,
            reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8));
}
