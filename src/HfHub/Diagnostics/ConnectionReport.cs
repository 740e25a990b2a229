using HfHub.Auth;

namespace HfHub.Diagnostics;

/// <summary>How one diagnostic step ended.</summary>
public enum StepStatus
{
    /// <summary>The step worked.</summary>
    Passed,
    /// <summary>The step failed; <see cref="ConnectionStep.Hint"/> says what to try.</summary>
    Failed,
    /// <summary>The step did not apply (plain http:// has no TLS) or an earlier step failed.</summary>
    Skipped,
}

/// <summary>The class of the first failure, which decides the CLI's exit code.</summary>
public enum FailureKind
{
    /// <summary>Nothing failed.</summary>
    None,
    /// <summary>DNS, TCP, TLS or a timeout: no answer came from the host.</summary>
    Network,
    /// <summary>No token, or the Hub (or the dedicated URL, or a proxy) rejected it (401, 403, 407).</summary>
    Authentication,
    /// <summary>The dedicated URL answered, but with an error: reachable but failing (5xx) or refusing the request (other 4xx).</summary>
    Http,
    /// <summary>The dedicated URL's host answered 404: nothing at that path.</summary>
    NotFound,
}

/// <summary>One timed step of a connection test.</summary>
/// <param name="Name">Short step name: <c>DNS</c>, <c>TCP connect</c>, <c>TLS handshake</c>, <c>HTTP</c>, <c>Token</c>.</param>
/// <param name="Target">What was checked: a host, an address, a URL.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Elapsed">How long it took (zero when skipped).</param>
/// <param name="Detail">What was seen, in one line (never a secret).</param>
/// <param name="Hint">For a failure: a plain next step (proxy, DNS, firewall, TLS interception, token).</param>
/// <param name="Note">A remark on a passed step worth a look, e.g. a read-only token or a certificate close to expiry.</param>
/// <param name="Failure">The failure class when <paramref name="Status"/> is <see cref="StepStatus.Failed"/>.</param>
/// <param name="Scope">What the step belongs to: <c>hub</c> (the endpoint) or <c>url</c> (the dedicated URL).</param>
public sealed record ConnectionStep(
    string Name,
    string Target,
    StepStatus Status,
    TimeSpan Elapsed,
    string Detail,
    string? Hint = null,
    string? Note = null,
    FailureKind Failure = FailureKind.None,
    string Scope = ConnectionStep.HubScope)
{
    /// <summary>The scope of the endpoint's steps.</summary>
    public const string HubScope = "hub";

    /// <summary>The scope of the dedicated URL's steps.</summary>
    public const string UrlScope = "url";
}

/// <summary>The server certificate seen during the TLS handshake.</summary>
/// <param name="Subject">The certificate's subject, e.g. <c>CN=huggingface.co</c>.</param>
/// <param name="Issuer">The issuer, e.g. <c>CN=Amazon RSA 2048 M02, O=Amazon, C=US</c>.</param>
/// <param name="NotAfter">When it expires.</param>
/// <param name="DaysToExpiry">Whole days from now until <paramref name="NotAfter"/> (negative once expired).</param>
/// <param name="Protocol">The negotiated protocol, e.g. <c>Tls13</c>.</param>
/// <param name="Trusted">True when the chain and name validated against the trusted roots.</param>
public sealed record TlsCertificateInfo(string Subject, string Issuer, DateTimeOffset NotAfter, int DaysToExpiry, string Protocol, bool Trusted);

/// <summary>The result of <see cref="ConnectionTester.RunAsync"/>: every step, in order, and the verdict.</summary>
public sealed record ConnectionReport
{
    /// <summary>The Hub endpoint that was tested.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The dedicated URL that was tested (Space app, Inference Endpoint), if any.</summary>
    public Uri? Url { get; init; }

    /// <summary>The proxy the requests went through, when one applied (credentials removed).</summary>
    public string? Proxy { get; init; }

    /// <summary>Every step in the order it ran.</summary>
    public required IReadOnlyList<ConnectionStep> Steps { get; init; }

    /// <summary>The Hub's certificate, for https endpoints that got that far.</summary>
    public TlsCertificateInfo? Certificate { get; init; }

    /// <summary>The account behind the token, when the token check passed.</summary>
    public WhoAmI? Account { get; init; }

    /// <summary>The API quota left, when the Hub sent <c>RateLimit</c> headers with the token check's answer.</summary>
    public HfHub.Http.RateLimitStatus? RateLimit { get; init; }

    /// <summary>The class of the first failed step, or <see cref="FailureKind.None"/>.</summary>
    public FailureKind FirstFailure => Steps.FirstOrDefault(s => s.Status == StepStatus.Failed)?.Failure ?? FailureKind.None;

    /// <summary>True when no step failed.</summary>
    public bool Ok => Steps.All(s => s.Status != StepStatus.Failed);

    /// <summary>A one-line verdict for people.</summary>
    public string Verdict => Steps.FirstOrDefault(s => s.Status == StepStatus.Failed) is { } failed
        ? $"{failed.Name} failed for {failed.Target}: {failed.Detail}"
        : Steps.Any(s => s.Note is not null)
            ? "connection works (see the notes above)"
            : "connection works: every check passed";
}
