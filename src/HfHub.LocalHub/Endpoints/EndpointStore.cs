using System.Text.Json;
using HfHub.LocalHub.Store;
using Microsoft.Data.Sqlite;

namespace HfHub.LocalHub.Endpoints;

/// <summary>
/// One Inference Endpoint as the local hub keeps it. Its state is not stored as such: the row
/// holds what was last asked for (<see cref="Phase"/>) and since when, and
/// <see cref="EndpointLifecycle"/> derives the state the API reports from the clock, so no
/// scheduler is needed and several processes sharing one hub folder agree.
/// </summary>
internal sealed record EndpointRow(
    string Namespace,
    string Name,
    string Type,
    string Repository,
    string Revision,
    string Task,
    string Framework,
    string Vendor,
    string Region,
    string Accelerator,
    string InstanceType,
    string InstanceSize,
    int MinReplica,
    int MaxReplica,
    string HealthRoute,
    string Phase,
    long PhaseSince,
    bool FirstStart,
    string CreatedAt,
    string CreatedBy,
    string UpdatedAt);

/// <summary>The <c>inference_endpoints</c> table.</summary>
internal sealed class EndpointStore(HubDatabase database)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS inference_endpoints (
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            body TEXT NOT NULL,
            phase TEXT NOT NULL,
            phase_since INTEGER NOT NULL,
            first_start INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (namespace, name)
        );
        """;

    public IReadOnlyList<EndpointRow> List(string ns)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT namespace, name, body, phase, phase_since, first_start, created_at, created_by, updated_at FROM inference_endpoints WHERE namespace = $ns ORDER BY name";
        command.Parameters.AddWithValue("$ns", ns);
        return ReadAll(command);
    }

    public EndpointRow? Find(string ns, string name)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT namespace, name, body, phase, phase_since, first_start, created_at, created_by, updated_at FROM inference_endpoints WHERE namespace = $ns AND name = $name";
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$name", name);
        return ReadAll(command).FirstOrDefault();
    }

    /// <summary>Adds a new endpoint; false when one of that name exists in the namespace.</summary>
    public bool Add(EndpointRow row)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO inference_endpoints (namespace, name, body, phase, phase_since, first_start, created_at, created_by, updated_at)
            VALUES ($ns, $name, $body, $phase, $since, $first, $created, $by, $updated)
            ON CONFLICT (namespace, name) DO NOTHING
            """;
        Bind(command, row);
        return command.ExecuteNonQuery() == 1;
    }

    public void Update(EndpointRow row)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE inference_endpoints SET body = $body, phase = $phase, phase_since = $since, first_start = $first, updated_at = $updated
            WHERE namespace = $ns AND name = $name
            """;
        Bind(command, row);
        command.ExecuteNonQuery();
    }

    public bool Delete(string ns, string name)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM inference_endpoints WHERE namespace = $ns AND name = $name";
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteNonQuery() == 1;
    }

    // The configuration (model, compute, provider) is one JSON column: it is read and written whole.
    private static void Bind(SqliteCommand command, EndpointRow row)
    {
        command.Parameters.AddWithValue("$ns", row.Namespace);
        command.Parameters.AddWithValue("$name", row.Name);
        command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(new EndpointConfig(row.Type, row.Repository, row.Revision, row.Task, row.Framework, row.Vendor, row.Region, row.Accelerator, row.InstanceType, row.InstanceSize, row.MinReplica, row.MaxReplica, row.HealthRoute), LocalHubJsonContext.Default.EndpointConfig));
        command.Parameters.AddWithValue("$phase", row.Phase);
        command.Parameters.AddWithValue("$since", row.PhaseSince);
        command.Parameters.AddWithValue("$first", row.FirstStart ? 1 : 0);
        command.Parameters.AddWithValue("$created", row.CreatedAt);
        command.Parameters.AddWithValue("$by", row.CreatedBy);
        command.Parameters.AddWithValue("$updated", row.UpdatedAt);
    }

    private static List<EndpointRow> ReadAll(SqliteCommand command)
    {
        var rows = new List<EndpointRow>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var config = JsonSerializer.Deserialize(reader.GetString(2), LocalHubJsonContext.Default.EndpointConfig)!;
            rows.Add(new EndpointRow(
                reader.GetString(0), reader.GetString(1), config.Type, config.Repository, config.Revision, config.Task, config.Framework,
                config.Vendor, config.Region, config.Accelerator, config.InstanceType, config.InstanceSize, config.MinReplica, config.MaxReplica,
                config.HealthRoute, reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5) != 0, reader.GetString(6), reader.GetString(7), reader.GetString(8)));
        }
        return rows;
    }
}

/// <summary>The stored configuration of an endpoint.</summary>
internal sealed record EndpointConfig(
    string Type, string Repository, string Revision, string Task, string Framework, string Vendor, string Region,
    string Accelerator, string InstanceType, string InstanceSize, int MinReplica, int MaxReplica, string HealthRoute);
