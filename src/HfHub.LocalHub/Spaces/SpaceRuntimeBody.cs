using System.Text.Json;
using System.Text.Json.Serialization;

namespace HfHub.LocalHub.Spaces;

/// <summary>
/// A Space's runtime object (spaces.md §5), in the Hub's property order. <c>hardware.current</c>,
/// <c>hardware.requested</c> and <c>storage</c> are sent even when null; a static Space has only
/// stage, hardware, storage and replicas (as recorded), which is what the null optional parts leave.
/// </summary>
internal sealed record SpaceRuntimeBody(
    string Stage,
    SpaceHardwareBody Hardware,
    // No persistent storage tier here: the Hub sends null for Spaces without one.
    string? Storage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SpaceSleepTime? GcTimeout,
    SpaceReplicasBody Replicas,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? DevMode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SpaceDomainBody>? Domains,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorMessage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sdk,
    // Absent when the Space has none (huggingface_hub reads a missing field as None).
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SpaceVolumeBody>? Volumes = null)
{
    /// <summary>The runtime object of a Space's row; <paramref name="host"/> is its app's origin, <paramref name="volumes"/> null when it has none.</summary>
    public static SpaceRuntimeBody From(SpaceRow row, string host, IReadOnlyList<SpaceVolumeBody>? volumes)
    {
        ArgumentNullException.ThrowIfNull(row);
        var hardware = new SpaceHardwareBody(row.HardwareCurrent, row.HardwareRequested);
        var replicas = new SpaceReplicasBody(1, row.Stage == SpaceStages.Running ? 1 : null);
        if (row.Sdk == "static")
        {
            // As recorded for static Spaces: no gcTimeout, devMode or domains.
            return new SpaceRuntimeBody(row.Stage, hardware, null, null, replicas, null, null, null, null, volumes);
        }
        // The real domain is {subdomain}.hf.space; here the app lives under the hub's own address.
        var origin = new Uri(host);
        return new SpaceRuntimeBody(row.Stage, hardware, null, new SpaceSleepTime(row.GcTimeout), replicas, row.DevMode,
            [new SpaceDomainBody(origin.Authority + origin.AbsolutePath, "READY")], row.ErrorMessage, row.Sdk, volumes);
    }
}

internal sealed record SpaceHardwareBody(string? Current, string? Requested);

internal sealed record SpaceReplicasBody(
    int Requested,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Current);

internal sealed record SpaceDomainBody(string Domain, string Stage);

/// <summary>
/// <c>gcTimeout</c>: seconds, or null for a Space that never sleeps. A wrapper, because the Hub
/// sends <c>"gcTimeout": null</c> for those while a static Space has no <c>gcTimeout</c> at all:
/// an absent wrapper is left out, a wrapper holding no seconds is written as null.
/// </summary>
[JsonConverter(typeof(SpaceSleepTimeConverter))]
internal readonly record struct SpaceSleepTime(long? Seconds);

internal sealed class SpaceSleepTimeConverter : JsonConverter<SpaceSleepTime>
{
    public override bool HandleNull => true;

    public override SpaceSleepTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64());

    public override void Write(Utf8JsonWriter writer, SpaceSleepTime value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.Seconds is { } seconds)
        {
            writer.WriteNumberValue(seconds);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>A secret as listed: its description and update time, never its value.</summary>
internal sealed record SpaceSecretBody(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    string UpdatedAt);

/// <summary>A variable as listed: its value, description and update time.</summary>
internal sealed record SpaceVariableBody(
    string Value,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    string UpdatedAt);
