using HfHub.Auth;
using HfHub.Http;

namespace HfHub;

/// <summary>Options for <see cref="HubClient"/>. Everything has a sensible default.</summary>
public sealed class HubClientOptions
{
    /// <summary>The Hub's public address.</summary>
    public static readonly Uri DefaultEndpoint = new("https://huggingface.co");

    /// <summary>The Hub to talk to; default <c>HF_ENDPOINT</c> (trailing '/' stripped), else https://huggingface.co.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The token; default: discovered from the environment and token file (see <see cref="TokenDiscovery"/>).</summary>
    public HfToken? Token { get; set; }

    /// <summary>Where the token came from, for display; filled in when <see cref="Token"/> is discovered.</summary>
    public DiscoveredToken? TokenSource { get; set; }

    /// <summary>Disables token discovery: the client sends no token unless <see cref="Token"/> is set.</summary>
    public bool Anonymous { get; set; }

    /// <summary>Prepended to the user agent, e.g. <c>myapp/1.2</c>.</summary>
    public string? ApplicationId { get; set; }

    /// <summary>The retry policy for transient failures.</summary>
    public RetryPolicy Retry { get; set; } = RetryPolicy.Default;

    /// <summary>The timeout for one request until its headers arrive. Bodies stream without a deadline.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Receives one line per HTTP exchange (token masked), for verbose output.</summary>
    public Action<string>? HttpTrace { get; set; }

    /// <summary>The environment to read defaults from; default the current process's.</summary>
    public HfEnvironment Environment { get; set; } = HfEnvironment.Process;

    /// <summary>A transport to use instead of the default sockets handler (for proxies or custom TLS).</summary>
    public HttpMessageHandler? Transport { get; set; }

    /// <summary>
    /// The Inference Endpoints API base; default <c>HF_ENDPOINTS_API</c>, else
    /// <c>https://api.endpoints.huggingface.cloud/v2</c>.
    /// </summary>
    public Uri? EndpointsApi { get; set; }

    /// <summary>Resolves the Endpoints API base: the option, else <c>HF_ENDPOINTS_API</c>, else the Hub's.</summary>
    public Uri ResolveEndpointsApi()
    {
        if (EndpointsApi is not null)
        {
            return Normalize(EndpointsApi.ToString());
        }
        return Environment.Get("HF_ENDPOINTS_API") is { Length: > 0 } fromEnv ? Normalize(fromEnv) : Endpoints.InferenceEndpointsClient.DefaultApi;
    }

    /// <summary>Resolves the endpoint: the option, else <c>HF_ENDPOINT</c> without its trailing '/', else the default.</summary>
    public Uri ResolveEndpoint()
    {
        if (Endpoint is not null)
        {
            return Normalize(Endpoint.ToString());
        }
        return Environment.Get("HF_ENDPOINT") is { } fromEnv ? Normalize(fromEnv) : DefaultEndpoint;
    }

    /// <summary>Parses an endpoint URL; throws <see cref="ArgumentException"/> with a one-line reason when it is not http(s).</summary>
    public static Uri Normalize(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var trimmed = endpoint.Trim().TrimEnd('/');
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"invalid endpoint '{endpoint}': expected an http:// or https:// URL");
        }
        return uri;
    }
}
