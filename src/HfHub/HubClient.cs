using HfHub.Auth;
using HfHub.Files;
using HfHub.Http;
using HfHub.Json;
using HfHub.Repos;

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
    }

    /// <summary>Repositories: create, delete, info, list, settings, refs.</summary>
    public RepoClient Repos { get; }

    /// <summary>Files: commits and uploads, downloads into the shared cache, trees and history.</summary>
    public FilesClient Files { get; }

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
            throw new HubAuthenticationException("not logged in: set HF_TOKEN, pass --token, or run 'hfctl auth login'", null, null, null);
        }
        return _pipeline.GetJsonAsync("api/whoami-v2", HubJsonContext.Default.WhoAmI, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose() => _pipeline.Dispose();
}
