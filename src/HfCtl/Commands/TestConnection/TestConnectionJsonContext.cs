using System.Text.Json.Serialization;
using HfHub.Diagnostics;

namespace HfCtl.Commands.TestConnection;

/// <summary>What <c>test-connection --json</c> prints. The token appears only masked, inside step details.</summary>
public sealed record TestConnectionResult(
    string Endpoint,
    string? Url,
    string? Proxy,
    bool Ok,
    int ExitCode,
    string Verdict,
    IReadOnlyList<TestConnectionStep> Steps,
    TlsCertificateInfo? Certificate,
    TestConnectionAccount? Account,
    TestConnectionRateLimit? RateLimit);

/// <summary>One step: <c>scope</c> is <c>hub</c> or <c>url</c>; <c>status</c> is <c>passed</c>, <c>failed</c> or <c>skipped</c>.</summary>
public sealed record TestConnectionStep(string Name, string Scope, string Target, string Status, double ElapsedMs, string Detail, string? Hint, string? Note);

/// <summary>
/// The account the token check found. <c>authType</c>: <c>access_token</c> or <c>oauth</c> (whoami-v2's <c>auth.type</c>);
/// <c>fineGrained</c>: a fine-grained token's scopes, as whoami-v2 gives them.
/// </summary>
public sealed record TestConnectionAccount(
    string User, IReadOnlyList<string> Orgs, string? TokenName, string? Role, string? AuthType, DateTimeOffset? ExpiresAt, HfHub.Auth.WhoAmIFineGrained? FineGrained);

/// <summary>The quota the Hub's <c>RateLimit</c> headers reported with the token check: requests left in the window.</summary>
public sealed record TestConnectionRateLimit(string? Pool, int Remaining, int? Quota, long ResetSeconds, long? WindowSeconds);

/// <summary>Source-generated JSON for <c>test-connection</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(TestConnectionResult))]
internal sealed partial class TestConnectionJsonContext : JsonSerializerContext;
