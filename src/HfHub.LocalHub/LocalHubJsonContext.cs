using System.Text.Json.Serialization;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Services;
using HfHub.LocalHub.Spaces;

namespace HfHub.LocalHub;

/// <summary>Source-generated JSON for every body the local hub reads or writes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(WhoAmIBody))]
[JsonSerializable(typeof(HealthBody))]
[JsonSerializable(typeof(CreateAccountBody))]
[JsonSerializable(typeof(AccountBody))]
[JsonSerializable(typeof(MemberBody))]
[JsonSerializable(typeof(CreateTokenBody))]
[JsonSerializable(typeof(TokenBody))]
[JsonSerializable(typeof(RevokeTokenBody))]
[JsonSerializable(typeof(SeedUser))]
[JsonSerializable(typeof(List<SeedUser>))]
[JsonSerializable(typeof(List<HardwareFlavor>))]
[JsonSerializable(typeof(ConflictBody))]
[JsonSerializable(typeof(PreuploadBody))]
[JsonSerializable(typeof(CommitAnswerBody))]
[JsonSerializable(typeof(UrlBody))]
[JsonSerializable(typeof(SuccessBody))]
[JsonSerializable(typeof(RefsBody))]
[JsonSerializable(typeof(SquashedBody))]
[JsonSerializable(typeof(RepoCreatedBody))]
[JsonSerializable(typeof(RepoSettingsBody))]
[JsonSerializable(typeof(SpaceRuntimeBody))]
[JsonSerializable(typeof(Dictionary<string, SpaceSecretBody>))]
[JsonSerializable(typeof(Dictionary<string, SpaceVariableBody>))]
internal sealed partial class LocalHubJsonContext : JsonSerializerContext;
