namespace HfHub.LocalHub.Store;

/// <summary>Which user likes which repo, and since when.</summary>
internal sealed class LikeStore(HubDatabase database, TimeProvider clock)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS likes (
            user_id TEXT NOT NULL,
            repo_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (user_id, repo_id)
        );
        CREATE INDEX IF NOT EXISTS likes_by_repo ON likes (repo_id, created_at);
        """;

    /// <summary>Likes a repo; liking it again keeps the first date.</summary>
    public void Like(Account user, Repo repo)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(repo);
        using var connection = database.Open();
        HubDatabase.Execute(connection, "INSERT INTO likes (user_id, repo_id, created_at) VALUES ($user, $repo, $now) ON CONFLICT DO NOTHING;",
            ("$user", user.Id), ("$repo", repo.Id), ("$now", HubIds.Timestamp(clock.GetUtcNow())));
    }

    public void Unlike(Account user, Repo repo)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(repo);
        using var connection = database.Open();
        HubDatabase.Execute(connection, "DELETE FROM likes WHERE user_id = $user AND repo_id = $repo;", ("$user", user.Id), ("$repo", repo.Id));
    }

    public int Count(string repoId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM likes WHERE repo_id = $repo;";
        command.Parameters.AddWithValue("$repo", repoId);
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The repos a user likes (ids and dates), newest like first.</summary>
    public IReadOnlyList<(string RepoId, string LikedAt)> LikedBy(Account user)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT repo_id, created_at FROM likes WHERE user_id = $user ORDER BY created_at DESC, repo_id;";
        command.Parameters.AddWithValue("$user", user.Id);
        using var reader = command.ExecuteReader();
        var result = new List<(string, string)>();
        while (reader.Read())
        {
            result.Add((reader.GetString(0), reader.GetString(1)));
        }
        return result;
    }

    /// <summary>The users who like a repo, first like first.</summary>
    public IReadOnlyList<Account> Likers(string repoId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {AccountStore.AccountColumns("a")} FROM likes l JOIN accounts a ON a.id = l.user_id
            WHERE l.repo_id = $repo ORDER BY l.created_at, a.name;
            """;
        command.Parameters.AddWithValue("$repo", repoId);
        using var reader = command.ExecuteReader();
        var result = new List<Account>();
        while (reader.Read())
        {
            result.Add(AccountStore.ReadAccount(reader));
        }
        return result;
    }
}
