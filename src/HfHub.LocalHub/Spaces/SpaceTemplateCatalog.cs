using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Spaces;

/// <summary>An official Space template: a Space of this hub that new Spaces can start from, under a short name.</summary>
internal sealed record SpaceTemplateEntry(string Name, Repo Space, bool PreferredPrivate);

/// <summary>
/// The catalog of Space templates (<c>GET /api/spaces/templates</c>). On the Hub it is an allowlist of
/// official Spaces (<c>SpacesExamples/jupyterlab</c>, <c>gradio-templates/chatbot</c>…); the local hub
/// has no such Spaces of its own, so its admin route registers existing Spaces. A template is a row
/// pointing at the repo, so a deleted Space leaves the catalog with it and a renamed one keeps its place.
/// </summary>
internal sealed class SpaceTemplateCatalog(HubDatabase database, RepoStore repos)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS space_templates (
            repo_id TEXT PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            preferred_private INTEGER NOT NULL DEFAULT 0
        );
        """;

    /// <summary>Registers (or re-registers) a Space as a template; false when the name belongs to another Space.</summary>
    public bool Register(string name, Repo space, bool preferredPrivate)
    {
        ArgumentNullException.ThrowIfNull(space);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO space_templates (repo_id, name, preferred_private) VALUES ($repo, $name, $private)
            ON CONFLICT(repo_id) DO UPDATE SET name = excluded.name, preferred_private = excluded.preferred_private;
            """;
        command.Parameters.AddWithValue("$repo", space.Id);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$private", preferredPrivate ? 1 : 0);
        try
        {
            return command.ExecuteNonQuery() > 0;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode == 19) // UNIQUE(name): another Space has it
        {
            return false;
        }
    }

    /// <summary>Every template, by name.</summary>
    public IReadOnlyList<SpaceTemplateEntry> List()
    {
        var rows = new List<(string RepoId, string Name, bool PreferredPrivate)>();
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT repo_id, name, preferred_private FROM space_templates ORDER BY name COLLATE NOCASE;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2) != 0));
            }
        }
        return [.. rows.Select(r => repos.FindById(r.RepoId) is { } space ? new SpaceTemplateEntry(r.Name, space, r.PreferredPrivate) : null).OfType<SpaceTemplateEntry>()];
    }

    /// <summary>The template whose Space is <paramref name="repoId"/> (<c>namespace/name</c>, any case), or null.</summary>
    public SpaceTemplateEntry? Find(string repoId) =>
        List().FirstOrDefault(t => string.Equals(t.Space.FullName, repoId, StringComparison.OrdinalIgnoreCase));
}
