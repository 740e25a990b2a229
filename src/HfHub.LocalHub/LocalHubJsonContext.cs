using System.Text.Json.Serialization;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Services;
using HfHub.LocalHub.Spaces;

namespace HfHub.LocalHub;

/// <summary>
/// Source-generated JSON for the local hub's bodies: the one way its routes write JSON is a typed
/// record serialized through this context. Chosen over the two other styles it replaces — building
/// a <c>JsonObject</c>, or writing field by field with a <see cref="System.Text.Json.Utf8JsonWriter"/> — because the
/// record is the wire shape in one place (property order, which nulls are sent and which fields are
/// left out are all visible in its declaration), the serializer is generated at build time (no
/// reflection, Native AOT safe), and answers are checked by the compiler rather than by hand.
/// A writer remains only where a field-by-field answer is the point or another part writes into the
/// same answer: repo objects (<c>RepoJson</c>, where <c>expand</c> picks fields one by one), tree and
/// paths-info entries and the LFS batch answer (the CAS writes its Xet fields into them), the fault
/// settings, and the CAS routes themselves.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(AccessStatusBody))]
[JsonSerializable(typeof(List<SpaceSearchHitBody>))]
[JsonSerializable(typeof(SpaceTemplateListBody))]
[JsonSerializable(typeof(SpaceTemplateBody))]
[JsonSerializable(typeof(RegisterSpaceTemplateBody))]
[JsonSerializable(typeof(CommentDataBody))]
[JsonSerializable(typeof(StatusDataBody))]
[JsonSerializable(typeof(TitleDataBody))]
[JsonSerializable(typeof(CommitDataBody))]
[JsonSerializable(typeof(DiscussionPageBody))]
[JsonSerializable(typeof(DiscussionDetailsBody))]
[JsonSerializable(typeof(DiscussionCreatedBody))]
[JsonSerializable(typeof(NewMessageBody))]
[JsonSerializable(typeof(NewTitleBody))]
[JsonSerializable(typeof(NewStatusBody))]
[JsonSerializable(typeof(UpdatedCommentBody))]
[JsonSerializable(typeof(List<LikedRepoBody>))]
[JsonSerializable(typeof(List<LikerBody>))]
[JsonSerializable(typeof(List<RepoStorageBody>))]
[JsonSerializable(typeof(List<AccessRequestBody>))]
[JsonSerializable(typeof(Endpoints.EndpointBody))]
[JsonSerializable(typeof(Endpoints.EndpointListBody))]
[JsonSerializable(typeof(Endpoints.EndpointDeletedBody))]
[JsonSerializable(typeof(Endpoints.EndpointAppInfoBody))]
[JsonSerializable(typeof(Endpoints.EndpointConfig))]
[JsonSerializable(typeof(WhoAmIBody))]
[JsonSerializable(typeof(HealthBody))]
[JsonSerializable(typeof(CreateAccountBody))]
[JsonSerializable(typeof(AccountBody))]
[JsonSerializable(typeof(MemberBody))]
[JsonSerializable(typeof(CreateTokenBody))]
[JsonSerializable(typeof(FineGrainedBody))]
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
[JsonSerializable(typeof(List<CommitItemBody>))]
[JsonSerializable(typeof(CardCheckBody))]
[JsonSerializable(typeof(AgentHarnessesBody))]
[JsonSerializable(typeof(SpaceLogLineBody))]
[JsonSerializable(typeof(RepoCreatedBody))]
[JsonSerializable(typeof(RepoSettingsBody))]
[JsonSerializable(typeof(SpaceRuntimeBody))]
[JsonSerializable(typeof(List<SpaceVolumeBody>))]
[JsonSerializable(typeof(Dictionary<string, SpaceSecretBody>))]
[JsonSerializable(typeof(Dictionary<string, SpaceVariableBody>))]
[JsonSerializable(typeof(BucketCreatedBody))]
[JsonSerializable(typeof(BucketInfoBody))]
[JsonSerializable(typeof(List<BucketInfoBody>))]
[JsonSerializable(typeof(List<BucketEntryBody>))]
[JsonSerializable(typeof(BucketPathsBody))]
[JsonSerializable(typeof(BucketXetTokenBody))]
[JsonSerializable(typeof(BucketBatchBody))]
internal sealed partial class LocalHubJsonContext : JsonSerializerContext;
