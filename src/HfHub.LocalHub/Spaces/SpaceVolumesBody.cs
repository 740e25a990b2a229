using System.Text.Json;
using System.Text.Json.Serialization;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Spaces;

/// <summary>
/// One mounted volume as the Hub writes it (volumes.md §1): <c>type</c>, <c>source</c>,
/// <c>mountPath</c>, and <c>revision</c>, <c>readOnly</c>, <c>path</c> only when set.
/// </summary>
internal sealed record SpaceVolumeBody(
    string Type,
    string Source,
    string MountPath,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Revision,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? ReadOnly,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Path);

/// <summary>
/// Reading and checking the <c>volumes</c> of a PUT, create or duplicate body. The choices where the
/// Hub's behaviour is not documented (volumes.md marks them UNCONFIRMED):
/// <list type="bullet">
/// <item><c>readOnly: false</c> on a model, dataset or Space is refused with 400 rather than silently
/// forced: a client that asked for a writable mount learns at once that it will not get one. A repo
/// volume without <c>readOnly</c> is stored (and echoed) as <c>readOnly: true</c>, the forced value
/// the Python client documents.</item>
/// <item>Here only the shape of a source is checked (<c>namespace/name</c>); that it exists and that
/// the caller can read it is checked by <c>SpaceRuntimeHost.ValidateVolumes</c>, which knows the stores.</item>
/// <item>Mount paths must be absolute, not <c>/</c>, without empty, <c>.</c> or <c>..</c> segments,
/// and distinct (the one rule the Hub's docs state is "starts with /").</item>
/// </list>
/// </summary>
internal static class SpaceVolumesBody
{
    /// <summary>Volume types the Hub knows.</summary>
    private static readonly string[] Types = ["bucket", "model", "dataset", "space"];

    /// <summary>The 400 message of the Hub for static Spaces (hf_api.py <c>set_space_volumes</c>).</summary>
    public const string StaticRefused = "volumes are not supported on static Spaces";

    /// <summary>
    /// Reads <c>volumes</c> of <paramref name="body"/>: (null, null) when absent or null, (error, null)
    /// when malformed, (null, list) when good, with repo mounts made read-only.
    /// </summary>
    public static (string? Error, List<SpaceVolumeBody>? Volumes) Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("volumes", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            return ("volumes must be an array of at least one volume {type, source, mountPath}", null);
        }
        var result = new List<SpaceVolumeBody>();
        var mounts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list.EnumerateArray())
        {
            var (error, volume) = ReadOne(item);
            if (error is not null)
            {
                return (error, null);
            }
            if (!mounts.Add(volume!.MountPath))
            {
                return ($"Invalid volumes: mountPath '{volume.MountPath}' is used by more than one volume", null);
            }
            result.Add(volume);
        }
        return (null, result);
    }

    private static (string? Error, SpaceVolumeBody? Volume) ReadOne(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return ("each volume must be an object {type, source, mountPath}", null);
        }
        var type = SpaceOptionsBody.String(item, "type");
        if (type is null || !Types.Contains(type))
        {
            return ($"Invalid volume type '{type}': expected bucket, model, dataset or space", null);
        }
        var source = SpaceOptionsBody.String(item, "source");
        var parts = source?.Split('/') ?? [];
        if (parts.Length != 2 || !AccountNames.IsValid(parts[0]) || !RepoNames.IsValid(parts[1]))
        {
            return ($"Invalid volume source '{source}': expected 'namespace/name'", null);
        }
        var mountPath = SpaceOptionsBody.String(item, "mountPath");
        if (mountPath is null || !mountPath.StartsWith('/') || mountPath == "/" || mountPath.Length > 1000
            || !mountPath[1..].Split('/').All(s => s.Length > 0 && s is not ("." or "..")))
        {
            return ($"Invalid mountPath '{mountPath}': it must be an absolute path other than '/'", null);
        }
        var revision = Optional(item, "revision", out var badRevision);
        var path = Optional(item, "path", out var badPath);
        if (badRevision || revision is { Length: 0 })
        {
            return ($"Invalid revision of the volume at {mountPath}", null);
        }
        if (badPath || path is not null && !RepoNames.IsValidPath(path.TrimEnd('/')))
        {
            return ($"Invalid path '{path}' of the volume at {mountPath}", null);
        }
        bool? readOnly = null;
        if (item.TryGetProperty("readOnly", out var ro) && ro.ValueKind != JsonValueKind.Null)
        {
            if (ro.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return ($"readOnly of the volume at {mountPath} must be a boolean", null);
            }
            readOnly = ro.ValueKind == JsonValueKind.True;
        }
        if (type == "bucket")
        {
            if (revision is not null)
            {
                return ($"Buckets have no revisions: remove revision from the volume at {mountPath}", null);
            }
            return (null, new SpaceVolumeBody(type, source!, mountPath, null, readOnly, path));
        }
        if (readOnly == false)
        {
            return ($"Only buckets can be mounted read-write: a {type} is always read-only (volume at {mountPath})", null);
        }
        return (null, new SpaceVolumeBody(type, source!, mountPath, revision, true, path));
    }

    private static string? Optional(JsonElement item, string name, out bool malformed)
    {
        malformed = false;
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        malformed = value.ValueKind != JsonValueKind.String;
        return malformed ? null : value.GetString();
    }

    /// <summary>The stored text of a list (the store keeps one JSON array per Space).</summary>
    public static string Serialize(List<SpaceVolumeBody> volumes) =>
        JsonSerializer.Serialize(volumes, LocalHubJsonContext.Default.ListSpaceVolumeBody);

    public static List<SpaceVolumeBody>? Deserialize(string? text) =>
        text is null ? null : JsonSerializer.Deserialize(text, LocalHubJsonContext.Default.ListSpaceVolumeBody);
}
