using System.Globalization;

namespace HfHub.LocalHub.Store;

/// <summary>A discussion or pull request of a repo. A pull request's changes live on <c>refs/pr/{Num}</c>.</summary>
internal sealed record Discussion(string RepoId, int Num, string Title, string Status, bool IsPullRequest, string Author, string CreatedAt,
    string? BaseRef, string? BaseCommit, string? MergeCommit);

/// <summary>
/// One entry of a discussion's timeline. <see cref="Data"/> is the event's <c>data</c> object as JSON,
/// stored as written (its shape depends on <see cref="Type"/>: comment, status-change, title-change, commit).
/// </summary>
internal sealed record DiscussionEvent(string Id, int Num, string Type, string Author, string CreatedAt, string Data);

/// <summary>Discussions, pull requests and their timelines. Discussions and pull requests share one numbering per repo.</summary>
internal sealed class DiscussionStore(HubDatabase database, TimeProvider clock)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS discussions (
            repo_id TEXT NOT NULL,
            num INTEGER NOT NULL,
            title TEXT NOT NULL,
            status TEXT NOT NULL,
            is_pr INTEGER NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            base_ref TEXT,
            base_commit TEXT,
            merge_commit TEXT,
            PRIMARY KEY (repo_id, num)
        );
        CREATE TABLE IF NOT EXISTS discussion_events (
            id TEXT PRIMARY KEY,
            repo_id TEXT NOT NULL,
            num INTEGER NOT NULL,
            type TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS discussion_events_by_discussion ON discussion_events (repo_id, num, created_at);
        """;

    private const string Columns = "repo_id, num, title, status, is_pr, author, created_at, base_ref, base_commit, merge_commit";

    /// <summary>The highest number a discussion of the repo has, 0 when none.</summary>
    public int MaxNumber(string repoId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(num), 0) FROM discussions WHERE repo_id = $repo;";
        command.Parameters.AddWithValue("$repo", repoId);
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public Discussion Create(string repoId, int num, string title, string status, bool isPullRequest, string author, string? baseRef, string? baseCommit)
    {
        var now = HubIds.Timestamp(clock.GetUtcNow());
        using var connection = database.Open();
        HubDatabase.Execute(connection, $"INSERT INTO discussions ({Columns}) VALUES ($repo, $num, $title, $status, $pr, $author, $now, $baseRef, $baseCommit, NULL);",
            ("$repo", repoId), ("$num", num), ("$title", title), ("$status", status), ("$pr", isPullRequest ? 1 : 0), ("$author", author), ("$now", now),
            ("$baseRef", baseRef), ("$baseCommit", baseCommit));
        return new Discussion(repoId, num, title, status, isPullRequest, author, now, baseRef, baseCommit, null);
    }

    public Discussion? Find(string repoId, int num) =>
        Query("WHERE repo_id = $repo AND num = $num", ("$repo", repoId), ("$num", num)).FirstOrDefault();

    /// <summary>The repo's discussions, newest first.</summary>
    public IReadOnlyList<Discussion> List(string repoId) =>
        Query("WHERE repo_id = $repo ORDER BY num DESC", ("$repo", repoId));

    public void SetStatus(string repoId, int num, string status, string? mergeCommit = null)
    {
        using var connection = database.Open();
        HubDatabase.Execute(connection, "UPDATE discussions SET status = $status, merge_commit = COALESCE($merge, merge_commit) WHERE repo_id = $repo AND num = $num;",
            ("$repo", repoId), ("$num", num), ("$status", status), ("$merge", mergeCommit));
    }

    public void SetTitle(string repoId, int num, string title)
    {
        using var connection = database.Open();
        HubDatabase.Execute(connection, "UPDATE discussions SET title = $title WHERE repo_id = $repo AND num = $num;", ("$repo", repoId), ("$num", num), ("$title", title));
    }

    public DiscussionEvent AddEvent(string repoId, int num, string type, string author, string data)
    {
        var entry = new DiscussionEvent(HubIds.NewObjectId(), num, type, author, HubIds.Timestamp(clock.GetUtcNow()), data);
        using var connection = database.Open();
        HubDatabase.Execute(connection, "INSERT INTO discussion_events (id, repo_id, num, type, author, created_at, data) VALUES ($id, $repo, $num, $type, $author, $at, $data);",
            ("$id", entry.Id), ("$repo", repoId), ("$num", num), ("$type", type), ("$author", author), ("$at", entry.CreatedAt), ("$data", data));
        return entry;
    }

    public void UpdateEventData(string id, string data)
    {
        using var connection = database.Open();
        HubDatabase.Execute(connection, "UPDATE discussion_events SET data = $data WHERE id = $id;", ("$id", id), ("$data", data));
    }

    /// <summary>A discussion's timeline, oldest first (insertion order breaks ties within one timestamp).</summary>
    public IReadOnlyList<DiscussionEvent> Events(string repoId, int num)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, num, type, author, created_at, data FROM discussion_events WHERE repo_id = $repo AND num = $num ORDER BY created_at, rowid;";
        command.Parameters.AddWithValue("$repo", repoId);
        command.Parameters.AddWithValue("$num", num);
        using var reader = command.ExecuteReader();
        var result = new List<DiscussionEvent>();
        while (reader.Read())
        {
            result.Add(new DiscussionEvent(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        }
        return result;
    }

    private List<Discussion> Query(string where, params (string Name, object? Value)[] parameters)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM discussions {where};";
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        using var reader = command.ExecuteReader();
        var result = new List<Discussion>();
        while (reader.Read())
        {
            result.Add(new Discussion(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4) == 1,
                reader.GetString(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9)));
        }
        return result;
    }
}
