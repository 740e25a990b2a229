using System.Text.Json;
using System.Text.Json.Serialization;

namespace HfHub.Persistence;

/// <summary>
/// The record committed beside saved data, in the same commit: for each file its SHA-256, size
/// and kind. Restores verify downloads against it, and saves compare with it to skip unchanged
/// content. One manifest per saved file or folder, at <c>.hfpersist/&lt;path&gt;.json</c>.
/// </summary>
public sealed record PersistManifest
{
    /// <summary>Format version; readers refuse versions they do not know.</summary>
    public int Version { get; init; } = 1;

    /// <summary>The tool that wrote it.</summary>
    public string Writer { get; init; } = "hfctl";

    /// <summary>When the snapshot was taken (UTC).</summary>
    public DateTimeOffset SavedAt { get; init; }

    /// <summary>Entries by path in the dataset.</summary>
    public Dictionary<string, ManifestEntry> Files { get; init; } = new(StringComparer.Ordinal);

    internal byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, PersistenceJsonContext.Default.PersistManifest);

    internal static PersistManifest Parse(ReadOnlySpan<byte> json)
    {
        PersistManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(json, PersistenceJsonContext.Default.PersistManifest);
        }
        catch (JsonException e)
        {
            throw new PersistenceIntegrityException($"the persistence manifest is not valid JSON ({e.Message})");
        }
        if (manifest is null || manifest.Version != 1)
        {
            throw new PersistenceIntegrityException($"unsupported persistence manifest version {manifest?.Version}");
        }
        return manifest;
    }
}

/// <summary>
/// The small object that names a path's current version in a bucket, and the versions kept (newest
/// first). Buckets have no commits; writing this object is the commit point of a save: it is written
/// only after the version it names is complete, so a reader sees the old version or the new one.
/// </summary>
internal sealed record PersistPointer
{
    /// <summary>Format version; readers refuse versions they do not know.</summary>
    public int Version { get; init; } = 1;

    public string Writer { get; init; } = "hfctl";

    /// <summary>The saved path this pointer is for.</summary>
    public string Path { get; init; } = "";

    /// <summary>The id of the current version; always the first of <see cref="Versions"/>.</summary>
    public string Current { get; init; } = "";

    /// <summary>The versions kept, newest first.</summary>
    public List<PersistPointerVersion> Versions { get; init; } = [];

    internal PersistPointerVersion CurrentEntry() => Versions.First(v => v.Id == Current);

    internal byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, PersistenceJsonContext.Default.PersistPointer);

    internal static PersistPointer Parse(ReadOnlySpan<byte> json, string path)
    {
        PersistPointer? pointer;
        try
        {
            pointer = JsonSerializer.Deserialize(json, PersistenceJsonContext.Default.PersistPointer);
        }
        catch (JsonException e)
        {
            throw new PersistenceIntegrityException($"the version pointer of {path} is not valid JSON ({e.Message})");
        }
        if (pointer is null || pointer.Version != 1)
        {
            throw new PersistenceIntegrityException($"unsupported version pointer format {pointer?.Version} for {path}");
        }
        // The ids become object names: each must be one plain path segment.
        if (pointer.Versions.Count == 0 || pointer.Versions.Any(v => !IsVersionId(v.Id) || v.Sha256 is not { Length: 64 }) || pointer.Versions.All(v => v.Id != pointer.Current))
        {
            throw new PersistenceIntegrityException($"the version pointer of {path} is damaged (no valid current version)");
        }
        return pointer;
    }

    /// <summary>A version id: letters, digits, '-', '_' and '.', not starting with '.'.</summary>
    internal static bool IsVersionId(string? id) =>
        id is { Length: > 0 and <= 64 } && id[0] != '.' && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

/// <summary>One version kept in a bucket: its id (the folder name), when it was saved, and what it holds.</summary>
internal sealed record PersistPointerVersion(string Id, DateTimeOffset SavedAt, string Sha256, long Size, SnapshotKind Kind, string? Title);

/// <summary>One saved file: its SHA-256, size and kind.</summary>
public sealed record ManifestEntry(string Sha256, long Size, SnapshotKind Kind);

/// <summary>Source-generated JSON for the persistence layer (Native AOT ready).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(PersistManifest))]
[JsonSerializable(typeof(List<PersistState>))]
[JsonSerializable(typeof(PersistPointer))]
internal sealed partial class PersistenceJsonContext : JsonSerializerContext;
