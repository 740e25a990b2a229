using System.Text.Json.Serialization;
using HfCtl.Commands.Auth;
using HfHub.Auth;

namespace HfCtl.Cli;

/// <summary>Source-generated JSON for everything hfctl prints with <c>--json</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(WhoAmI))]
[JsonSerializable(typeof(AuthStatus))]
[JsonSerializable(typeof(LoginResult))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
