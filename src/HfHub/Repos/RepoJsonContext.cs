using System.Text.Json.Serialization;

namespace HfHub.Repos;

/// <summary>Source-generated JSON for repo payloads.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(RepoInfo))]
[JsonSerializable(typeof(List<RepoInfo>))]
[JsonSerializable(typeof(GitRefs))]
[JsonSerializable(typeof(CreateRepoRequest))]
[JsonSerializable(typeof(CreateRepoResponse))]
[JsonSerializable(typeof(DeleteRepoRequest))]
[JsonSerializable(typeof(RepoSettingsRequest))]
[JsonSerializable(typeof(CreateBranchRequest))]
internal sealed partial class RepoJsonContext : JsonSerializerContext;
