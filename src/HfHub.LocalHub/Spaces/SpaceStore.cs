using HfHub.LocalHub.Store;
using Microsoft.Data.Sqlite;

namespace HfHub.LocalHub.Spaces;

/// <summary>
/// A Space's runtime state, one row per Space repo. Times are Unix milliseconds so that the
/// scheduler can compare them in SQL; <see cref="NextAt"/> is when the stage is due to change.
/// </summary>
internal sealed class SpaceRow
{
    public required string RepoId { get; init; }
    public string? Sdk { get; set; }
    public string Stage { get; set; } = SpaceStages.NoAppFile;
    public long? NextAt { get; set; }
    public string? HardwareCurrent { get; set; }
    public string? HardwareRequested { get; set; }
    /// <summary>Sleep time in seconds (<c>gcTimeout</c>); null = never sleeps.</summary>
    public long? GcTimeout { get; set; }
    public bool DevMode { get; set; }
    public long LastActivity { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>The app file found on the main branch (<c>Dockerfile</c>, <c>app.py</c>, <c>index.html</c>), if any.</summary>
    public string? AppFile { get; set; }
    /// <summary>Its text (first 64 KiB), which decides whether the build and the app succeed.</summary>
    public string? AppContent { get; set; }
    public string? Sha { get; set; }
}

/// <summary>A secret's or variable's row; secret values never leave the store through the API.</summary>
internal sealed record SpaceSettingRow(string Key, string Value, string? Description, string UpdatedAt);

/// <summary>One buffered log line.</summary>
internal sealed record SpaceLogEntry(long Id, string Timestamp, string Data);

/// <summary>The Spaces runtime's tables: state, secrets, variables, buffered logs and volumes.</summary>
internal sealed class SpaceStore(HubDatabase database)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS spaces (
            repo_id TEXT PRIMARY KEY,
            sdk TEXT,
            stage TEXT NOT NULL,
            next_at INTEGER,
            hardware_current TEXT,
            hardware_requested TEXT,
            gc_timeout INTEGER,
            dev_mode INTEGER NOT NULL DEFAULT 0,
            last_activity INTEGER NOT NULL DEFAULT 0,
            error_message TEXT,
            app_file TEXT,
            app_content TEXT,
            sha TEXT
        );
        CREATE INDEX IF NOT EXISTS spaces_by_next ON spaces (next_at) WHERE next_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS space_settings (
            repo_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('secret', 'variable')),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            description TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (repo_id, kind, key)
        );
        CREATE TABLE IF NOT EXISTS space_logs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            repo_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('build', 'run')),
            timestamp TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS space_logs_by_space ON space_logs (repo_id, kind, id);
        CREATE TABLE IF NOT EXISTS space_volumes (
            repo_id TEXT PRIMARY KEY,
            volumes TEXT NOT NULL
        );
        """;

    private const string Columns =
        "repo_id, sdk, stage, next_at, hardware_current, hardware_requested, gc_timeout, dev_mode, last_activity, error_message, app_file, app_content, sha";

    public SpaceRow? Find(string repoId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM spaces WHERE repo_id = $id;";
        command.Parameters.AddWithValue("$id", repoId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    /// <summary>Rows of many Spaces at once (listings), keyed by repo id.</summary>
    public Dictionary<string, SpaceRow> FindMany(IReadOnlyCollection<string> repoIds)
    {
        var result = new Dictionary<string, SpaceRow>(StringComparer.Ordinal);
        ForEachOf(repoIds, $"SELECT {Columns} FROM spaces", reader =>
        {
            var row = Read(reader);
            result[row.RepoId] = row;
        });
        return result;
    }

    /// <summary>Runs <c>{select} WHERE repo_id IN (…)</c> over the ids, 500 at a time, reading each row.</summary>
    private void ForEachOf(IReadOnlyCollection<string> repoIds, string select, Action<SqliteDataReader> read)
    {
        if (repoIds.Count == 0)
        {
            return;
        }
        using var connection = database.Open();
        foreach (var chunk in repoIds.Chunk(500))
        {
            using var command = connection.CreateCommand();
            var names = chunk.Select((id, i) => $"$r{i}").ToList();
            command.CommandText = $"{select} WHERE repo_id IN ({string.Join(", ", names)});";
            for (var i = 0; i < chunk.Length; i++)
            {
                command.Parameters.AddWithValue(names[i], chunk[i]);
            }
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                read(reader);
            }
        }
    }

    /// <summary>Ids of Spaces whose stage is due to change at or before <paramref name="now"/>.</summary>
    public List<string> Due(long now)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT repo_id FROM spaces WHERE next_at IS NOT NULL AND next_at <= $now ORDER BY next_at LIMIT 500;";
        command.Parameters.AddWithValue("$now", now);
        using var reader = command.ExecuteReader();
        var result = new List<string>();
        while (reader.Read())
        {
            result.Add(reader.GetString(0));
        }
        return result;
    }

    public void Save(SpaceRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        using var connection = database.Open();
        HubDatabase.Execute(connection, $"""
            INSERT INTO spaces ({Columns}) VALUES ($id, $sdk, $stage, $next, $hwc, $hwr, $gc, $dev, $last, $err, $file, $content, $sha)
            ON CONFLICT (repo_id) DO UPDATE SET sdk = $sdk, stage = $stage, next_at = $next, hardware_current = $hwc,
                hardware_requested = $hwr, gc_timeout = $gc, dev_mode = $dev, last_activity = $last, error_message = $err,
                app_file = $file, app_content = $content, sha = $sha;
            """,
            ("$id", row.RepoId), ("$sdk", row.Sdk), ("$stage", row.Stage), ("$next", row.NextAt), ("$hwc", row.HardwareCurrent),
            ("$hwr", row.HardwareRequested), ("$gc", row.GcTimeout), ("$dev", row.DevMode ? 1 : 0), ("$last", row.LastActivity),
            ("$err", row.ErrorMessage), ("$file", row.AppFile), ("$content", row.AppContent), ("$sha", row.Sha));
    }

    /// <summary>Records app traffic without touching anything else (cheap, for every app-host request).</summary>
    public void TouchActivity(string repoId, long now)
    {
        using var connection = database.Open();
        HubDatabase.Execute(connection, "UPDATE spaces SET last_activity = $now WHERE repo_id = $id;", ("$now", now), ("$id", repoId));
    }

    public void Delete(string repoId)
    {
        using var connection = database.Open();
        HubDatabase.Execute(connection, """
            DELETE FROM spaces WHERE repo_id = $id;
            DELETE FROM space_settings WHERE repo_id = $id;
            DELETE FROM space_logs WHERE repo_id = $id;
            DELETE FROM space_volumes WHERE repo_id = $id;
            """, ("$id", repoId));
    }

    /// <summary>A Space's volumes as a JSON array (<see cref="SpaceVolumesBody"/>), or null when it has none.</summary>
    public string? Volumes(string repoId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT volumes FROM space_volumes WHERE repo_id = $id;";
        command.Parameters.AddWithValue("$id", repoId);
        return command.ExecuteScalar() as string;
    }

    /// <summary>The volumes of many Spaces at once (listings), keyed by repo id; Spaces without volumes are absent.</summary>
    public Dictionary<string, string> VolumesOfMany(IReadOnlyCollection<string> repoIds)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        ForEachOf(repoIds, "SELECT repo_id, volumes FROM space_volumes", reader => result[reader.GetString(0)] = reader.GetString(1));
        return result;
    }

    /// <summary>Replaces a Space's volumes (null removes them); true when it had some before.</summary>
    public bool SetVolumes(string repoId, string? volumes)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM space_volumes WHERE repo_id = $id;";
        delete.Parameters.AddWithValue("$id", repoId);
        var had = delete.ExecuteNonQuery() == 1;
        if (volumes is not null)
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO space_volumes (repo_id, volumes) VALUES ($id, $volumes);";
            insert.Parameters.AddWithValue("$id", repoId);
            insert.Parameters.AddWithValue("$volumes", volumes);
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return had;
    }

    public List<SpaceSettingRow> Settings(string repoId, string kind)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value, description, updated_at FROM space_settings WHERE repo_id = $id AND kind = $kind ORDER BY key;";
        command.Parameters.AddWithValue("$id", repoId);
        command.Parameters.AddWithValue("$kind", kind);
        using var reader = command.ExecuteReader();
        var result = new List<SpaceSettingRow>();
        while (reader.Read())
        {
            result.Add(new SpaceSettingRow(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3)));
        }
        return result;
    }

    /// <summary>Inserts or updates a setting; a null description keeps the existing one.</summary>
    public void UpsertSetting(string repoId, string kind, string key, string value, string? description, string now)
    {
        using var connection = database.Open();
        HubDatabase.Execute(connection, """
            INSERT INTO space_settings (repo_id, kind, key, value, description, updated_at) VALUES ($id, $kind, $key, $value, $desc, $now)
            ON CONFLICT (repo_id, kind, key) DO UPDATE SET value = $value, description = coalesce($desc, description), updated_at = $now;
            """, ("$id", repoId), ("$kind", kind), ("$key", key), ("$value", value), ("$desc", description), ("$now", now));
    }

    public bool DeleteSetting(string repoId, string kind, string key)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM space_settings WHERE repo_id = $id AND kind = $kind AND key = $key;";
        command.Parameters.AddWithValue("$id", repoId);
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteNonQuery() == 1;
    }

    public void AppendLogs(string repoId, string kind, string timestamp, IEnumerable<string> lines)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var line in lines)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO space_logs (repo_id, kind, timestamp, data) VALUES ($id, $kind, $ts, $data);";
            command.Parameters.AddWithValue("$id", repoId);
            command.Parameters.AddWithValue("$kind", kind);
            command.Parameters.AddWithValue("$ts", timestamp);
            command.Parameters.AddWithValue("$data", line);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>Starts a new buffer (a new build, or a new container's run log).</summary>
    public void ClearLogs(string repoId, string kind)
    {
        using var connection = database.Open();
        HubDatabase.Execute(connection, "DELETE FROM space_logs WHERE repo_id = $id AND kind = $kind;", ("$id", repoId), ("$kind", kind));
    }

    /// <summary>Buffered lines after <paramref name="afterId"/>, oldest first.</summary>
    public List<SpaceLogEntry> Logs(string repoId, string kind, long afterId = 0)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, timestamp, data FROM space_logs WHERE repo_id = $id AND kind = $kind AND id > $after ORDER BY id;";
        command.Parameters.AddWithValue("$id", repoId);
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$after", afterId);
        using var reader = command.ExecuteReader();
        var result = new List<SpaceLogEntry>();
        while (reader.Read())
        {
            result.Add(new SpaceLogEntry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }
        return result;
    }

    private static SpaceRow Read(SqliteDataReader r) => new()
    {
        RepoId = r.GetString(0),
        Sdk = r.IsDBNull(1) ? null : r.GetString(1),
        Stage = r.GetString(2),
        NextAt = r.IsDBNull(3) ? null : r.GetInt64(3),
        HardwareCurrent = r.IsDBNull(4) ? null : r.GetString(4),
        HardwareRequested = r.IsDBNull(5) ? null : r.GetString(5),
        GcTimeout = r.IsDBNull(6) ? null : r.GetInt64(6),
        DevMode = r.GetInt64(7) != 0,
        LastActivity = r.GetInt64(8),
        ErrorMessage = r.IsDBNull(9) ? null : r.GetString(9),
        AppFile = r.IsDBNull(10) ? null : r.GetString(10),
        AppContent = r.IsDBNull(11) ? null : r.GetString(11),
        Sha = r.IsDBNull(12) ? null : r.GetString(12),
    };
}
