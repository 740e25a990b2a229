namespace HfHub.LocalHub.Store;

/// <summary>One user's standing on a gated repo, as the access-request routes list it.</summary>
internal sealed record GatedAccess(Account User, string Status, string Timestamp);

/// <summary>
/// Who asked for, was granted or was refused access to which gated repo. A user has one standing per
/// repo (<c>pending</c>, <c>accepted</c>, <c>rejected</c>); accepting, rejecting and cancelling move it.
/// </summary>
internal sealed class GatedAccessStore(HubDatabase database, TimeProvider clock)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS gated_access (
            repo_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            status TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (repo_id, user_id)
        );
        """;

    /// <summary>The user's standing on the repo, or null if they never asked and were never granted.</summary>
    public string? StatusOf(string repoId, Account user)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT status FROM gated_access WHERE repo_id = $repo AND user_id = $user;";
        command.Parameters.AddWithValue("$repo", repoId);
        command.Parameters.AddWithValue("$user", user.Id);
        return command.ExecuteScalar() as string;
    }

    public void Set(string repoId, Account user, string status)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var connection = database.Open();
        HubDatabase.Execute(connection,
            "INSERT INTO gated_access (repo_id, user_id, status, updated_at) VALUES ($repo, $user, $status, $now) " +
            "ON CONFLICT(repo_id, user_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at;",
            ("$repo", repoId), ("$user", user.Id), ("$status", status), ("$now", HubIds.Timestamp(clock.GetUtcNow())));
    }

    /// <summary>The users with this standing, oldest change first.</summary>
    public IReadOnlyList<GatedAccess> List(string repoId, string status)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {AccountStore.AccountColumns("a")}, g.updated_at
            FROM gated_access g JOIN accounts a ON a.id = g.user_id
            WHERE g.repo_id = $repo AND g.status = $status ORDER BY g.updated_at, a.name;
            """;
        command.Parameters.AddWithValue("$repo", repoId);
        command.Parameters.AddWithValue("$status", status);
        using var reader = command.ExecuteReader();
        var result = new List<GatedAccess>();
        while (reader.Read())
        {
            result.Add(new GatedAccess(AccountStore.ReadAccount(reader), status, reader.GetString(6)));
        }
        return result;
    }
}
