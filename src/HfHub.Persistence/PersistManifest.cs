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
internal sealed partial class PersistenceJsonContext : JsonSerializerContext;
