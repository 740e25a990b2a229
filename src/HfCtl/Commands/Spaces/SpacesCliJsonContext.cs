using System.Text.Json.Serialization;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary>Source-generated JSON for what <c>hfctl spaces</c> prints with <c>--json</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SpaceView))]
[JsonSerializable(typeof(List<SpaceView>))]
[JsonSerializable(typeof(List<SpaceSearchView>))]
[JsonSerializable(typeof(List<SpaceTemplateView>))]
[JsonSerializable(typeof(SpaceCardView))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
[JsonSerializable(typeof(List<SpaceSecret>))]
[JsonSerializable(typeof(List<SpaceVariable>))]
[JsonSerializable(typeof(List<SpaceVolume>))]
[JsonSerializable(typeof(List<SpaceHardwareFlavor>))]
[JsonSerializable(typeof(List<SpaceLogLine>))]
[JsonSerializable(typeof(SpaceHardwareView))]
[JsonSerializable(typeof(SpaceCreatedView))]
[JsonSerializable(typeof(SpaceDevModeView))]
internal sealed partial class SpacesCliJsonContext : JsonSerializerContext;

/// <summary>Hardware of one Space.</summary>
public sealed record SpaceHardwareView(string Name, string? Current, string? Requested, string Stage);

/// <summary>The result of create, duplicate or deploy.</summary>
public sealed record SpaceCreatedView(string Name, string Url, string? Stage, string? AppUrl);

/// <summary>Dev mode of one Space and where to connect.</summary>
public sealed record SpaceDevModeView(string Name, bool DevMode, string? Stage, string? VsCodeWebUrl, string? SshHost);
