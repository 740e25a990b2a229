using System.Security.Cryptography.X509Certificates;
using HfHub.Auth;

namespace HfHub.Diagnostics;

/// <summary>What <see cref="ConnectionTester"/> checks and how.</summary>
public sealed record ConnectionTestOptions
{
    /// <summary>The Hub endpoint, e.g. https://huggingface.co or a local hub.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The token to check with <c>whoami-v2</c>; null makes the token step fail (nothing to check).</summary>
    public HfToken? Token { get; init; }

    /// <summary>Where the token came from (<c>HF_TOKEN</c>, a file path, …), quoted in hints.</summary>
    public string? TokenSource { get; init; }

    /// <summary>A dedicated URL to check as well: a Space app (<c>https://owner-name.hf.space</c>) or an Inference Endpoint.</summary>
    public Uri? Url { get; init; }

    /// <summary>
    /// Send the token to <see cref="Url"/> even when its host is not one that expects it.
    /// By default the token goes only to https <c>*.hf.space</c> and <c>*.endpoints.huggingface.cloud</c>
    /// hosts and to the endpoint's own origin, so a typo in the URL cannot leak it to a stranger.
    /// </summary>
    public bool SendTokenToUrl { get; init; }

    /// <summary>The limit for each step.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where proxy variables (<c>HTTPS_PROXY</c>, <c>HTTP_PROXY</c>, <c>NO_PROXY</c>) are read from.</summary>
    public HfEnvironment Environment { get; init; } = HfEnvironment.Process;

    /// <summary>
    /// When set, the only roots trusted for TLS (a private CA, or a test's self-signed certificate);
    /// null trusts the system store.
    /// </summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    /// <summary>Prepended to the user agent of the HTTP steps.</summary>
    public string? ApplicationId { get; init; }

    /// <summary>Receives a line per HTTP exchange of the token check (token masked), for verbose output.</summary>
    public Action<string>? HttpTrace { get; init; }

    /// <summary>
    /// How the user of the calling tool stores a token (e.g. <c>or run 'mytool login'</c>), offered in the
    /// token step's hints after <c>set HF_TOKEN,</c>; default: the token file.
    /// </summary>
    public string LoginHint { get; init; } = "or save it in the token file (HF_TOKEN_PATH, default ~/.cache/huggingface/token)";
}
