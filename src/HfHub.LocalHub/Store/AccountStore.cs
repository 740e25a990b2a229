using Microsoft.Data.Sqlite;

namespace HfHub.LocalHub.Store;

/// <summary>A user or an organisation.</summary>
internal sealed record Account(string Id, string Name, string Type, string Fullname, string? Email, string CreatedAt)
{
    public bool IsOrg => Type == "org";
}

/// <summary>An access token (the value itself stays in the store).</summary>
internal sealed record TokenRecord(string Value, string UserId, string DisplayName, string Role, string CreatedAt, string? RevokedAt)
{
    public bool CanWrite => Role == "write";
}

/// <summary>
/// What sets a token apart from a classic read/write access token: <c>fineGrained</c> (its scopes, as the
/// JSON whoami-v2 shows them) or <c>oauth</c> (from a login flow, expiring at <see cref="ExpiresAt"/>).
/// </summary>
internal sealed record TokenKind(string Kind, string? FineGrainedJson, string? ExpiresAt)
{
    public const string FineGrained = "fineGrained";
    public const string OAuth = "oauth";
}

/// <summary>An organisation membership.</summary>
internal sealed record Membership(Account Org, string Role);

/// <summary>Accounts, organisations and tokens.</summary>
internal sealed class AccountStore(HubDatabase database, TimeProvider clock)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS accounts (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            type TEXT NOT NULL CHECK (type IN ('user', 'org')),
            fullname TEXT NOT NULL,
            email TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS org_members (
            org_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('admin', 'write', 'contributor', 'read')),
            PRIMARY KEY (org_id, user_id)
        );
        CREATE TABLE IF NOT EXISTS tokens (
            value TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('read', 'write')),
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE TABLE IF NOT EXISTS token_kinds (
            value TEXT PRIMARY KEY REFERENCES tokens(value) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('fineGrained', 'oauth')),
            fine_grained TEXT,
            expires_at TEXT
        );
        """;

    public Account? Find(string name)
    {
        using var connection = database.Open();
        return Find(connection, name);
    }

    /// <summary>Creates a user or organisation if missing; returns the stored one either way.</summary>
    public Account Ensure(string name, string type, string? fullname = null, string? email = null)
    {
        using var connection = database.Open();
        HubDatabase.Execute(connection,
            "INSERT INTO accounts (id, name, type, fullname, email, created_at) VALUES ($id, $name, $type, $fullname, $email, $now) ON CONFLICT(name) DO NOTHING;",
            ("$id", HubIds.NewObjectId()), ("$name", name), ("$type", type), ("$fullname", fullname ?? name),
            ("$email", email ?? (type == "user" ? $"{name}@localhub.invalid" : null)), ("$now", Now()));
        return Find(connection, name) ?? throw new InvalidOperationException($"account {name} vanished");
    }

    public void AddMember(Account org, Account user, string role)
    {
        using var connection = database.Open();
        HubDatabase.Execute(connection,
            "INSERT INTO org_members (org_id, user_id, role) VALUES ($org, $user, $role) ON CONFLICT(org_id, user_id) DO UPDATE SET role = excluded.role;",
            ("$org", org.Id), ("$user", user.Id), ("$role", role));
    }

    public IReadOnlyList<Membership> Memberships(Account user)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT a.id, a.name, a.type, a.fullname, a.email, a.created_at, m.role
            FROM org_members m JOIN accounts a ON a.id = m.org_id
            WHERE m.user_id = $user ORDER BY a.name;
            """;
        command.Parameters.AddWithValue("$user", user.Id);
        using var reader = command.ExecuteReader();
        var result = new List<Membership>();
        while (reader.Read())
        {
            result.Add(new Membership(ReadAccount(reader), reader.GetString(6)));
        }
        return result;
    }

    /// <summary>The role of a user in an organisation, or null when not a member.</summary>
    public string? RoleIn(Account org, Account user) =>
        Memberships(user).FirstOrDefault(m => m.Org.Id == org.Id)?.Role;

    /// <summary>Mints a token (or stores a given value) for a user.</summary>
    public TokenRecord CreateToken(Account user, string displayName, string role, string? value = null)
    {
        var token = new TokenRecord(value ?? HubIds.NewToken(), user.Id, displayName, role, Now(), null);
        using var connection = database.Open();
        HubDatabase.Execute(connection,
            "INSERT INTO tokens (value, user_id, display_name, role, created_at) VALUES ($value, $user, $name, $role, $now);",
            ("$value", token.Value), ("$user", user.Id), ("$name", displayName), ("$role", role), ("$now", token.CreatedAt));
        return token;
    }

    /// <summary>Makes a token fine-grained or OAuth (a classic access token has no kind row).</summary>
    public void SetKind(TokenRecord token, TokenKind kind)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(kind);
        using var connection = database.Open();
        HubDatabase.Execute(connection,
            "INSERT OR REPLACE INTO token_kinds (value, kind, fine_grained, expires_at) VALUES ($value, $kind, $scopes, $expires);",
            ("$value", token.Value), ("$kind", kind.Kind), ("$scopes", kind.FineGrainedJson), ("$expires", kind.ExpiresAt));
    }

    /// <summary>The kind of a token; null for a classic access token.</summary>
    public TokenKind? KindOf(TokenRecord token)
    {
        ArgumentNullException.ThrowIfNull(token);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, fine_grained, expires_at FROM token_kinds WHERE value = $value;";
        command.Parameters.AddWithValue("$value", token.Value);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new TokenKind(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)) : null;
    }

    /// <summary>The live (not revoked) token of a user with a given display name, if any.</summary>
    public TokenRecord? FindToken(Account user, string displayName)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value, user_id, display_name, role, created_at, revoked_at FROM tokens WHERE user_id = $user AND display_name = $name AND revoked_at IS NULL ORDER BY created_at LIMIT 1;";
        command.Parameters.AddWithValue("$user", user.Id);
        command.Parameters.AddWithValue("$name", displayName);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadToken(reader) : null;
    }

    /// <summary>Resolves a bearer token to its live record and owner; null when unknown or revoked.</summary>
    public (Account User, TokenRecord Token)? Authenticate(string value)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT t.value, t.user_id, t.display_name, t.role, t.created_at, t.revoked_at,
                   a.id, a.name, a.type, a.fullname, a.email, a.created_at
            FROM tokens t JOIN accounts a ON a.id = t.user_id
            LEFT JOIN token_kinds k ON k.value = t.value
            WHERE t.value = $value AND t.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $now);
            """;
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$now", Now()); // an expired OAuth token is as unknown as a revoked one
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        var token = ReadToken(reader);
        var user = new Account(reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetString(9),
            reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetString(11));
        return (user, token);
    }

    /// <summary>Revokes a token; true when it was live.</summary>
    public bool Revoke(string value)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE tokens SET revoked_at = $now WHERE value = $value AND revoked_at IS NULL;";
        command.Parameters.AddWithValue("$now", Now());
        command.Parameters.AddWithValue("$value", value);
        return command.ExecuteNonQuery() > 0;
    }

    private string Now() => HubIds.Timestamp(clock.GetUtcNow());

    private static Account? Find(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, type, fullname, email, created_at FROM accounts WHERE name = $name;";
        command.Parameters.AddWithValue("$name", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadAccount(reader) : null;
    }

    /// <summary>The account columns, in the order <see cref="ReadAccount"/> reads them, of table alias <paramref name="alias"/>.</summary>
    internal static string AccountColumns(string alias) =>
        $"{alias}.id, {alias}.name, {alias}.type, {alias}.fullname, {alias}.email, {alias}.created_at";

    /// <summary>An account from the first six columns of a row (see <see cref="AccountColumns"/>).</summary>
    internal static Account ReadAccount(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5));

    private static TokenRecord ReadToken(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5));
}
