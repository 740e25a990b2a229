using System.Text.Json;
using System.Text.Json.Serialization;
using HfHub.Repos;

namespace HfHub.Spaces;

/// <summary>
/// What a volume mounts: <c>bucket</c>, <c>model</c>, <c>dataset</c> or <c>space</c>. An extensible
/// value: a type this client does not know is kept as the Hub wrote it.
/// </summary>
[JsonConverter(typeof(SpaceVolumeTypeConverter))]
public readonly record struct SpaceVolumeType
{
    private readonly string? _value;

    public SpaceVolumeType(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    /// <summary>A storage bucket: read-write unless mounted read-only.</summary>
    public static readonly SpaceVolumeType Bucket = new("bucket");
    /// <summary>A model repository (always read-only).</summary>
    public static readonly SpaceVolumeType Model = new("model");
    /// <summary>A dataset repository (always read-only).</summary>
    public static readonly SpaceVolumeType Dataset = new("dataset");
    /// <summary>Another Space's repository (always read-only).</summary>
    public static readonly SpaceVolumeType Space = new("space");

    /// <summary>The type's wire name; a default value means <c>model</c>, as the Hub's clients read a missing type.</summary>
    public string Value => _value ?? "model";

    /// <summary>True for anything but a bucket: repositories are mounted read-only.</summary>
    public bool IsRepo => Value != Bucket.Value;

    /// <summary>The <see cref="HfUri"/> kind of the type, or null for a type this client does not know.</summary>
    public HfUriKind? UriKind => Value switch
    {
        "bucket" => HfUriKind.Bucket,
        "model" => HfUriKind.Model,
        "dataset" => HfUriKind.Dataset,
        "space" => HfUriKind.Space,
        _ => null,
    };

    /// <summary>The type of what an <see cref="HfUri"/> points at.</summary>
    public static SpaceVolumeType From(HfUriKind kind) => kind switch
    {
        HfUriKind.Bucket => Bucket,
        HfUriKind.Dataset => Dataset,
        HfUriKind.Space => Space,
        _ => Model,
    };

    public override string ToString() => Value;
}

/// <summary>
/// A volume mounted in a Space's container (volumes.md §1): a bucket, or a model, dataset or Space
/// repository, at <see cref="MountPath"/>. Optional fields are left out of the JSON when unset, and
/// both the Hub's camelCase and the snake_case <c>mount_path</c>/<c>read_only</c> are read.
/// </summary>
[JsonConverter(typeof(SpaceVolumeConverter))]
public sealed record SpaceVolume
{
    public SpaceVolumeType Type { get; init; } = SpaceVolumeType.Model;

    /// <summary>The bucket or repository id, <c>namespace/name</c> (<c>****/******</c> for a private repo the caller cannot see).</summary>
    public required string Source { get; init; }

    /// <summary>The absolute path in the container, e.g. <c>/data</c>.</summary>
    public required string MountPath { get; init; }

    /// <summary>The revision of a repository (the Hub defaults to <c>main</c>); buckets have none.</summary>
    public string? Revision { get; init; }

    /// <summary>Read-only mount: always true for repositories, false by default for buckets.</summary>
    public bool? ReadOnly { get; init; }

    /// <summary>A folder inside the bucket or repository to mount instead of its root.</summary>
    public string? Path { get; init; }

    /// <summary>Whether the Space can write here: only a bucket not mounted read-only.</summary>
    [JsonIgnore]
    public bool IsWritable => !Type.IsRepo && ReadOnly != true;

    /// <summary>The volume of a parsed <c>-v</c> specification (<c>hf://datasets/ns/d/sub:/data:ro</c>).</summary>
    public static SpaceVolume From(HfMount mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        return new SpaceVolume
        {
            Type = SpaceVolumeType.From(mount.Source.Kind),
            Source = mount.Source.Id,
            MountPath = mount.MountPath,
            Revision = mount.Source.Revision,
            ReadOnly = mount.ReadOnly,
            Path = mount.Source.Path.Length == 0 ? null : mount.Source.Path,
        };
    }

    /// <summary>The volume as a mount specification (<c>hf://buckets/ns/b:/data</c>), or null when its type or source cannot be written as one.</summary>
    public string? ToMountString()
    {
        if (Type.UriKind is not { } kind)
        {
            return null;
        }
        try
        {
            return HfMount.Create(HfUri.Create(kind, Source, Revision, Path), MountPath, ReadOnly).ToString();
        }
        catch (ArgumentException)
        {
            return null; // e.g. a masked private source
        }
    }

    /// <summary>
    /// Checks a list of volumes as the Hub does before sending it: at least one; valid ids and paths;
    /// mount paths absolute, not <c>/</c> and distinct; no revision on a bucket; read-write only from a
    /// bucket (models, datasets and Spaces are always read-only). Throws <see cref="ArgumentException"/>.
    /// </summary>
    public static void Validate(IReadOnlyList<SpaceVolume> volumes)
    {
        ArgumentNullException.ThrowIfNull(volumes);
        if (volumes.Count == 0)
        {
            throw new ArgumentException("give at least one volume (to remove all volumes, delete them instead)");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var volume in volumes)
        {
            ArgumentNullException.ThrowIfNull(volume);
            var at = DisplayText.Printable(volume.MountPath ?? "");
            if (HfMount.MountPathError(volume.MountPath) is { } pathError)
            {
                throw new ArgumentException($"invalid volume at '{at}': {pathError}");
            }
            if (!seen.Add(volume.MountPath!))
            {
                throw new ArgumentException($"invalid volumes: the mount path '{at}' is taken twice");
            }
            if (!RepoId.TryParse(volume.Source, out var id, out var idError) || id.Namespace is null)
            {
                var reason = id is null ? idError.Replace("repo id", "source", StringComparison.Ordinal) : "the source must be 'namespace/name'";
                throw new ArgumentException($"invalid volume at '{at}': {reason}");
            }
            if (volume.Path is not null && (volume.Path.Length == 0 || HfUri.PathError(volume.Path, "path") is not null))
            {
                throw new ArgumentException($"invalid volume at '{at}': {HfUri.PathError(volume.Path, "path") ?? "the path is empty"}");
            }
            if (!volume.Type.IsRepo && volume.Revision is not null)
            {
                throw new ArgumentException($"invalid volume at '{at}': buckets have no revisions");
            }
            if (volume.Type.IsRepo && volume.ReadOnly == false)
            {
                throw new ArgumentException(
                    $"invalid volume at '{at}': a {volume.Type} is always mounted read-only; only buckets can be read-write (drop ':rw')");
            }
        }
    }
}

/// <summary>Reads and writes <see cref="SpaceVolumeType"/> as its wire string (public so that JSON contexts of other assemblies can use it).</summary>
public sealed class SpaceVolumeTypeConverter : JsonConverter<SpaceVolumeType>
{
    public override SpaceVolumeType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() is { Length: > 0 } text ? new SpaceVolumeType(text) : SpaceVolumeType.Model;

    public override void Write(Utf8JsonWriter writer, SpaceVolumeType value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Value);
    }
}

/// <summary>
/// The Volume object by hand: <c>mountPath</c> or <c>mount_path</c>, <c>readOnly</c> or <c>read_only</c>
/// (as huggingface_hub's <c>Volume</c> reads them), a missing type as <c>model</c>, unknown fields
/// skipped, and only the set optional fields written.
/// </summary>
public sealed class SpaceVolumeConverter : JsonConverter<SpaceVolume>
{
    public override SpaceVolume Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a volume must be a JSON object");
        }
        string? type = null, source = null, mountPath = null, revision = null, path = null;
        bool? readOnly = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "type":
                    type = Text(ref reader);
                    break;
                case "source":
                    source = Text(ref reader);
                    break;
                case "mountPath" or "mount_path":
                    mountPath = Text(ref reader) ?? mountPath;
                    break;
                case "revision":
                    revision = Text(ref reader);
                    break;
                case "readOnly" or "read_only":
                    readOnly = reader.TokenType switch { JsonTokenType.True => true, JsonTokenType.False => false, _ => readOnly };
                    break;
                case "path":
                    path = Text(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return new SpaceVolume
        {
            Type = type is { Length: > 0 } ? new SpaceVolumeType(type) : SpaceVolumeType.Model,
            Source = source ?? "",
            MountPath = mountPath ?? "",
            Revision = revision,
            ReadOnly = readOnly,
            Path = path,
        };
    }

    public override void Write(Utf8JsonWriter writer, SpaceVolume value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString("type", value.Type.Value);
        writer.WriteString("source", value.Source);
        writer.WriteString("mountPath", value.MountPath);
        if (value.Revision is not null)
        {
            writer.WriteString("revision", value.Revision);
        }
        if (value.ReadOnly is { } readOnly)
        {
            writer.WriteBoolean("readOnly", readOnly);
        }
        if (value.Path is not null)
        {
            writer.WriteString("path", value.Path);
        }
        writer.WriteEndObject();
    }

    private static string? Text(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }
        reader.Skip();
        return null;
    }
}
