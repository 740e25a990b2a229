using System.Text.Json;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Api;

/// <summary>Which fields a repo object carries.</summary>
internal enum RepoFields
{
    /// <summary><c>GET /api/{type}s/{id}</c> without <c>expand</c>: everything the Hub sends by default.</summary>
    Info,

    /// <summary>A listing item without <c>expand</c>/<c>full</c>: the Hub's short default.</summary>
    List,

    /// <summary>A listing item with <c>full=true</c>.</summary>
    Full,
}

/// <summary>
/// Repo objects of info and listing answers, written field by field so <c>expand</c> can pick
/// exactly the requested properties (with <c>expand</c>, only those plus <c>_id</c> and <c>id</c>).
/// Properties the local hub has no data for (<c>cardData</c>, <c>pipeline_tag</c>…) are accepted
/// in <c>expand</c> and left out of the answer, as the Hub does for repos without them.
/// </summary>
internal static class RepoJson
{
    private static readonly HashSet<string> Common =
    [
        "author", "cardData", "createdAt", "disabled", "downloads", "downloadsAllTime", "gated", "gitalyUid", "lastModified",
        "likes", "private", "sha", "siblings", "tags", "trendingScore", "usedStorage", "resourceGroup", "xetEnabled",
    ];

    private static readonly HashSet<string> ModelOnly =
    [
        "baseModels", "childrenModelCount", "config", "evalResults", "gguf", "inference", "inferenceProviderMapping", "library_name",
        "mask_token", "model-index", "pipeline_tag", "safetensors", "spaces", "transformersInfo", "widgetData",
    ];

    private static readonly HashSet<string> DatasetOnly = ["citation", "description", "paperswithcode_id"];

    private static readonly HashSet<string> SpaceOnly = ["datasets", "models", "region", "runtime", "sdk", "subdomain", "host"];

    private static readonly HashSet<string> InfoDefault =
        ["author", "sha", "lastModified", "private", "disabled", "gated", "downloads", "likes", "tags", "createdAt", "siblings", "usedStorage", "sdk", "subdomain", "host", "runtime", "cardData"];

    private static readonly HashSet<string> ListDefault = ["likes", "trendingScore", "private", "downloads", "tags", "createdAt", "sdk"];

    private static readonly HashSet<string> FullDefault =
        ["author", "sha", "lastModified", "private", "disabled", "gated", "downloads", "likes", "trendingScore", "tags", "createdAt", "siblings", "sdk", "subdomain", "cardData"];

    /// <summary>
    /// The <c>expand</c> / <c>expand[]</c> values of the query (null when none). An unknown
    /// property gives an error message for a 400, as on the Hub.
    /// </summary>
    public static HashSet<string>? ParseExpand(HttpContext context, string type, out string? error)
    {
        error = null;
        var values = context.Request.Query["expand"].Concat(context.Request.Query["expand[]"])
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (values.Count == 0)
        {
            return null;
        }
        var allowed = type switch { "model" => ModelOnly, "dataset" => DatasetOnly, _ => SpaceOnly };
        foreach (var value in values)
        {
            if (!Common.Contains(value) && !allowed.Contains(value))
            {
                error = $"\"expand\" must be one of: {string.Join(", ", Common.Concat(allowed).Order(StringComparer.Ordinal))} (got \"{value}\")";
                return null;
            }
        }
        return [.. values];
    }

    /// <summary><paramref name="reader"/> is who reads it: a Space's volumes are shown as they may see them.</summary>
    public static void Write(Utf8JsonWriter writer, HubState state, Repo repo, string? commit, RepoFields fields, HashSet<string>? expand, bool blobs, HubCaller reader)
    {
        var defaults = fields switch { RepoFields.Info => InfoDefault, RepoFields.List => ListDefault, _ => FullDefault };
        bool Want(string field) => expand?.Contains(field) ?? defaults.Contains(field);

        writer.WriteStartObject();
        writer.WriteString("_id", repo.Id);
        writer.WriteString("id", repo.FullName);
        if (repo.Type == "model" && expand is null)
        {
            writer.WriteString("modelId", repo.FullName);
        }
        if (Want("author"))
        {
            writer.WriteString("author", repo.Namespace);
        }
        if (Want("sha") && commit is not null)
        {
            writer.WriteString("sha", commit);
        }
        if (Want("lastModified"))
        {
            writer.WriteString("lastModified", repo.LastModified);
        }
        if (Want("createdAt"))
        {
            writer.WriteString("createdAt", repo.CreatedAt);
        }
        if (Want("private"))
        {
            writer.WriteBoolean("private", repo.Private);
        }
        var settings = Want("gated") || Want("disabled") ? state.Git.Settings(repo.Id) : null;
        if (Want("gated"))
        {
            if (settings!.Gated is "auto" or "manual")
            {
                writer.WriteString("gated", settings.Gated);
            }
            else
            {
                writer.WriteBoolean("gated", false);
            }
        }
        if (Want("disabled"))
        {
            writer.WriteBoolean("disabled", settings!.Disabled);
        }
        foreach (var counter in (string[])["downloads", "downloadsAllTime", "likes", "trendingScore"])
        {
            if (Want(counter) && (counter != "downloads" || repo.Type != "space"))
            {
                writer.WriteNumber(counter, counter == "likes" ? state.Likes.Count(repo.Id) : 0);
            }
        }
        if (Want("tags"))
        {
            writer.WriteStartArray("tags");
            writer.WriteEndArray();
        }
        if (Want("xetEnabled"))
        {
            writer.WriteBoolean("xetEnabled", Cas.XetHubRoutes.Enabled(state, repo));
        }
        if (Want("usedStorage"))
        {
            writer.WriteNumber("usedStorage", state.Git.UsedStorage(repo.Id));
        }
        if (repo.Type == "space")
        {
            WriteSpaceFields(writer, state, repo, Want, reader);
        }
        if (Want("cardData") && commit is not null && CardData.Parse(ReadReadme(state, repo, commit)) is { } card)
        {
            CardData.Write(writer, card);
        }
        if (Want("siblings") && commit is not null)
        {
            writer.WriteStartArray("siblings");
            foreach (var file in state.Git.Files(repo.Id, commit).Values.OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("rfilename", file.Path);
                if (blobs)
                {
                    writer.WriteString("blobId", file.Oid);
                    writer.WriteNumber("size", file.Size);
                    if (file.Lfs)
                    {
                        writer.WriteStartObject("lfs");
                        writer.WriteString("sha256", file.Sha256);
                        writer.WriteNumber("size", file.Size);
                        writer.WriteNumber("pointerSize", file.PointerSize);
                        writer.WriteEndObject();
                    }
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    internal static string? ReadReadme(HubState state, Repo repo, string commit) =>
        state.Git.GetEntry(repo.Id, commit, "README.md") is { IsDirectory: false, Lfs: false, Sha256: { } sha } && state.Blobs.Exists(sha)
            ? File.ReadAllText(state.Blobs.PathOf(sha))
            : null;

    /// <summary>The Space-only properties the repo routes know; the Spaces runtime owns the rest (runtime, host…).</summary>
    private static void WriteSpaceFields(Utf8JsonWriter writer, HubState state, Repo repo, Func<string, bool> want, HubCaller reader)
    {
        // host and runtime come from the Spaces runtime (spaces.md §3–§5).
        if (want("host"))
        {
            writer.WriteString("host", state.Spaces.Host(repo));
        }
        if (want("runtime"))
        {
            writer.WritePropertyName("runtime");
            JsonSerializer.Serialize(writer, state.Spaces.ForReader(state.Spaces.Runtime(repo), reader), LocalHubJsonContext.Default.SpaceRuntimeBody);
        }
        if (want("sdk") && repo.Sdk is not null)
        {
            writer.WriteString("sdk", repo.Sdk);
        }
        if (want("subdomain"))
        {
            writer.WriteString("subdomain", Spaces.SpaceRuntimeHost.Subdomain(repo));
        }
    }
}
