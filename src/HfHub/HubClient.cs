using HfHub.Auth;
using HfHub.Buckets;
using HfHub.Endpoints;
using HfHub.Files;
using HfHub.Http;
using HfHub.Json;
using HfHub.Repos;
using HfHub.Spaces;

namespace HfHub;

/// <summary>
/// The entry point to the Hugging Face Hub. One instance per endpoint and token; thread-safe;
/// dispose it to release connections.
/// </summary>
public sealed class HubClient : IDisposable
{
    private readonly HubPipeline _pipeline;

    /// <summary>Creates a client; endpoint and token come from the options, else the environment.</summary>
    public HubClient(HubClientOptions? options = null)
    {
        Options = options ?? new HubClientOptions();
        Endpoint = Options.ResolveEndpoint();
        if (Options.Token is { } explicitToken)
        {
            Token = Options.TokenSource ?? new DiscoveredToken(explicitToken, TokenSourceKind.Explicit, "option");
        }
        else if (!Options.Anonymous)
        {
            Token = TokenDiscovery.Discover(Options.Environment);
        }
        _pipeline = new HubPipeline(Endpoint, Token?.Token, Options);
        Repos = new RepoClient(_pipeline);
        Files = new FilesClient(_pipeline, Repos, Options);
        Spaces = new SpacesClient(_pipeline);
        Buckets = new BucketsClient(_pipeline, Files);
        _endpoints = new Lazy<InferenceEndpointsClient>(() => new InferenceEndpointsClient(
            Options.ResolveEndpointsApi(), Token?.Token, Options, async ct => (await WhoAmIAsync(ct).ConfigureAwait(false)).Name));
    }

    private readonly Lazy<InferenceEndpointsClient> _endpoints;

    /// <summary>Inference Endpoints: list, info, pause, resume, scale to zero, wait (a second API, <see cref="HubClientOptions.EndpointsApi"/>).</summary>
    public InferenceEndpointsClient Endpoints => _endpoints.Value;

    /// <summary>Repositories: create, delete, info, list, settings, refs.</summary>
    public RepoClient Repos { get; }

    /// <summary>Files: commits and uploads, downloads into the shared cache, trees and history.</summary>
    public FilesClient Files { get; }

    /// <summary>Storage Buckets: create, info, list, delete, move, trees, downloads and batched writes (Xet only).</summary>
    public BucketsClient Buckets { get; }

    /// <summary>Spaces: list, info, runtime, lifecycle, hardware, secrets, variables, logs.</summary>
    public SpacesClient Spaces { get; }

    /// <summary>The Hub this client talks to.</summary>
    public Uri Endpoint { get; }

    /// <summary>The token in use and where it came from; null when anonymous.</summary>
    public DiscoveredToken? Token { get; }

    /// <summary>The options the client was built with.</summary>
    public HubClientOptions Options { get; }

    internal HubPipeline Pipeline => _pipeline;

    /// <summary>
    /// The account behind the token (<c>GET /api/whoami-v2</c>). Throws
    /// <see cref="HubAuthenticationException"/> when there is no token or it is invalid.
    /// </summary>
    public Task<WhoAmI> WhoAmIAsync(CancellationToken cancellationToken = default)
    {
        if (Token is null)
        {
            throw new HubAuthenticationException("not logged in: no token was given (HubClientOptions.Token) or found (HF_TOKEN, the token file)", null, null, null);
        }
        return _pipeline.GetJsonAsync("api/whoami-v2", HubJsonContext.Default.WhoAmI, cancellationToken);
    }

    /// <summary>
    /// Sends a raw request through the client's pipeline (user agent, retries, tracing, safe
    /// redirects) and returns the response whatever its status; only transport failures throw
    /// (<see cref="HubConnectionException"/>). The token is attached only when the request goes to
    /// <see cref="Endpoint"/>'s scheme, host and port. The caller disposes the response.
    /// </summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken = default) =>
        _pipeline.SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);

    /// <summary>The absolute URL of a path on the Hub (for example <c>api/models</c>), under <see cref="Endpoint"/>'s base path.</summary>
    public Uri Url(string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        return _pipeline.Url(pathAndQuery);
    }

    /// <summary>
    /// True when <paramref name="url"/> is on <see cref="Endpoint"/>'s own scheme, host and port: the
    /// only URLs the token is sent to. A caller building URLs from user input checks it before sending.
    /// </summary>
    public bool IsOnHub(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return _pipeline.IsHubHost(url);
    }

    /// <summary>
    /// The next page of a paged answer: the <c>rel="next"</c> target of its <c>Link</c> header, resolved
    /// against the URL it answered, or null on the last page. It may be on another host (check <see cref="IsOnHub"/>).
    /// </summary>
    public static Uri? NextPageUrl(HttpResponseMessage response) => HubPipeline.NextPageUrl(response);

    /// <inheritdoc/>
    public void Dispose()
    {
        _pipeline.Dispose();
        if (_endpoints.IsValueCreated)
        {
            _endpoints.Value.Dispose();
        }
    }
}
