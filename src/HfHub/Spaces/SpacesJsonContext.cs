using System.Text.Json.Serialization;

namespace HfHub.Spaces;

/// <summary>Source-generated JSON for the Spaces API (Native AOT ready).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(SpaceInfo))]
[JsonSerializable(typeof(List<SpaceSearchResult>))]
[JsonSerializable(typeof(List<SpaceInfo>))]
[JsonSerializable(typeof(SpaceRuntime))]
[JsonSerializable(typeof(List<SpaceHardwareFlavor>))]
[JsonSerializable(typeof(Dictionary<string, SettingBody>))]
[JsonSerializable(typeof(CreatedBody))]
[JsonSerializable(typeof(SpaceTemplateList))]
[JsonSerializable(typeof(IReadOnlyList<SpaceVolume>))]
internal sealed partial class SpacesJsonContext : JsonSerializerContext;
