using System.Text.Json.Serialization;

namespace HfHub.LocalHub.Spaces;

/// <summary>Source-generated JSON for the Spaces routes' typed bodies.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<HardwareFlavor>))]
internal sealed partial class SpacesJsonContext : JsonSerializerContext;
