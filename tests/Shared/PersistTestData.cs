using Microsoft.Data.Sqlite;

namespace HfCtl.Testing;

/// <summary>Small SQLite helpers for the persistence tests: WAL databases with a <c>rows</c> table.</summary>
internal static class PersistTestData
{
    public static SqliteConnection OpenWal(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Exec(connection, "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; CREATE TABLE IF NOT EXISTS rows(id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
        return connection;
    }

    public static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A WAL-mode database of roughly the given size in KiB.</summary>
    public static string Database(string path, int kilobytes = 64)
    {
        using var c = OpenWal(path);
        Exec(c, $"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Math.Max(1, kilobytes * 1024 / 450)}) INSERT INTO rows(payload) SELECT hex(randomblob(200)) FROM n");
        return path;
    }

    public static void Insert(string path, string payload)
    {
        using var c = OpenWal(path);
        using var command = c.CreateCommand();
        command.CommandText = "INSERT INTO rows(payload) VALUES ($p)";
        command.Parameters.AddWithValue("$p", payload);
        command.ExecuteNonQuery();
    }

    public static bool HasPayload(string path, string payload)
    {
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = "SELECT count(*) FROM rows WHERE payload = $p";
        command.Parameters.AddWithValue("$p", payload);
        return (long)command.ExecuteScalar()! > 0;
    }
}
