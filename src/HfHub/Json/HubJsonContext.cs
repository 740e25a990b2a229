using System.Text.Json.Serialization;
using HfHub.Auth;

namespace HfHub.Json;

/// <summary>Source-generated JSON metadata for every payload the client reads or writes (Native AOT ready).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(WhoAmI))]
internal sealed partial class HubJsonContext : JsonSerializerContext;
