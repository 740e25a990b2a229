using Microsoft.Data.Sqlite;

namespace HfHub.LocalHub.Store;

/// <summary>
/// The local hub's SQLite database: one file in WAL mode, a connection per operation (pooled),
/// a busy timeout so that several hfctl processes can share one hub folder.
/// </summary>
internal sealed class HubDatabase
{
    private readonly string _connectionString;

    /// <summary>
    /// Opens (or creates) the database and applies each module's schema. Schemas are idempotent
    /// (<c>CREATE … IF NOT EXISTS</c>), so every feature owns its own tables without a shared
    /// migration list; a schema that must change a shipped table adds a new, guarded statement.
    /// </summary>
    public HubDatabase(string path, IEnumerable<string> schemas)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        ApplySchemas(connection, schemas);
    }

    /// <summary>Opens a connection with foreign keys on and a busy timeout.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL;");
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        command.ExecuteNonQuery();
    }

    private static void ApplySchemas(SqliteConnection connection, IEnumerable<string> schemas)
    {
        // BEGIN IMMEDIATE: two processes opening one hub folder at once apply schemas one after the other.
        using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var schema in schemas)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = schema;
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }
}
