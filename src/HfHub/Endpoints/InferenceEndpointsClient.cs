using System.Net.Http.Headers;
using HfHub.Auth;
using HfHub.Http;

namespace HfHub.Endpoints;

/// <summary>
/// Dedicated Inference Endpoints (<c>https://api.endpoints.huggingface.cloud/v2</c>, or
/// <see cref="HubClientOptions.EndpointsApi"/>): list, info, pause, resume, scale to zero, and
/// wait until one answers. Reached as <c>client.Endpoints</c>. The token goes to the Endpoints
/// API and, for the health check, to an endpoint's own URL only when that is a Hugging Face
/// endpoint host (<c>*.endpoints.huggingface.cloud</c>) or the Endpoints API's own host.
/// </summary>
public sealed partial class InferenceEndpointsClient : IDisposable
{
    /// <summary>The Endpoints API of huggingface.co.</summary>
    public static readonly Uri DefaultApi = new("https://api.endpoints.huggingface.cloud/v2");

    private readonly HubPipeline _pipeline;
    private readonly HfToken? _token;
    private readonly Func<CancellationToken, Task<string>> _defaultNamespace;

    internal InferenceEndpointsClient(Uri api, HfToken? token, HubClientOptions options, Func<CancellationToken, Task<string>> defaultNamespace)
    {
        Api = api;
        _token = token;
        _pipeline = new HubPipeline(api, token, options);
        _defaultNamespace = defaultNamespace;
    }

    /// <summary>The Endpoints API base this client talks to.</summary>
    public Uri Api { get; }

    /// <summary>Lists the endpoints of a namespace (<c>GET /endpoint/{ns}</c>); the token's user by default.</summary>
    public async Task<IReadOnlyList<InferenceEndpoint>> ListAsync(string? ns = null, CancellationToken cancellationToken = default)
    {
        if (ns is not null)
        {
            CheckNamespace(ns);
        }
        ns ??= await _defaultNamespace(cancellationToken).ConfigureAwait(false);
        var body = await _pipeline.GetJsonAsync($"endpoint/{Uri.EscapeDataString(ns)}", EndpointsJsonContext.Default.EndpointListBody, cancellationToken).ConfigureAwait(false);
        return (body.Items ?? []).Select(item => Map(item, ns)).ToList();
    }

    /// <summary>One endpoint (<c>GET /endpoint/{ns}/{name}</c>); <paramref name="id"/> is <c>name</c> (the token's user) or <c>ns/name</c>.</summary>
    public async Task<InferenceEndpoint> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var (ns, name) = await SplitAsync(id, cancellationToken).ConfigureAwait(false);
        var body = await _pipeline.GetJsonAsync(Path(ns, name, null), EndpointsJsonContext.Default.EndpointBody, cancellationToken).ConfigureAwait(false);
        return Map(body, ns);
    }

    /// <summary>
    /// Deploys a model as a new endpoint (<c>POST /endpoint/{ns}</c>); <paramref name="id"/> is
    /// <c>name</c> (the token's user) or <c>ns/name</c>. It starts pending; <see cref="WaitAsync"/> waits for it.
    /// </summary>
    public async Task<InferenceEndpoint> CreateAsync(string id, InferenceEndpointCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (ns, name) = await SplitAsync(id, cancellationToken).ConfigureAwait(false);
        var body = new EndpointCreateBody(name, options.Type,
            new EndpointCreateCompute(options.Accelerator, options.InstanceType, options.InstanceSize, new EndpointCreateScaling(options.MinReplica, options.MaxReplica)),
            new EndpointCreateModel(options.Repository, options.Revision, options.Task, options.Framework),
            new EndpointProviderBody(options.Vendor, options.Region));
        using var request = _pipeline.Request(HttpMethod.Post, $"endpoint/{Uri.EscapeDataString(ns)}");
        request.Content = System.Net.Http.Json.JsonContent.Create(body, EndpointsJsonContext.Default.EndpointCreateBody);
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Map(await HubPipeline.ReadJsonAsync(response, EndpointsJsonContext.Default.EndpointBody, cancellationToken).ConfigureAwait(false), ns);
    }

    /// <summary>Deletes an endpoint (<c>DELETE /endpoint/{ns}/{name}</c>); irreversible.</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        var (ns, name) = await SplitAsync(id, cancellationToken).ConfigureAwait(false);
        using var request = _pipeline.Request(HttpMethod.Delete, Path(ns, name, null));
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pauses an endpoint: no replica, not billed, only <see cref="ResumeAsync"/> starts it again.</summary>
    public Task<InferenceEndpoint> PauseAsync(string id, CancellationToken cancellationToken = default) => PostAsync(id, "pause", cancellationToken);

    /// <summary>Scales an endpoint to zero: not billed, and the next request starts it (a cold start).</summary>
    public Task<InferenceEndpoint> ScaleToZeroAsync(string id, CancellationToken cancellationToken = default) => PostAsync(id, "scale-to-zero", cancellationToken);

    /// <summary>
    /// Resumes a paused or scaled-to-zero endpoint. One that already runs is answered as it is
    /// (the API's 400 "already running"), unless <paramref name="runningOk"/> is false.
    /// </summary>
    public async Task<InferenceEndpoint> ResumeAsync(string id, bool runningOk = true, CancellationToken cancellationToken = default)
    {
        try
        {
            return await PostAsync(id, "resume", cancellationToken).ConfigureAwait(false);
        }
        catch (HubException e) when (runningOk && e.Status == 400 && e.Message.Contains("already running", StringComparison.OrdinalIgnoreCase))
        {
            return await GetAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Polls until the endpoint settles and returns it as last seen: running with its health route
    /// answering 200 with the token (the official client's test of ready), or in a state it does not
    /// leave by itself (paused, scaled to zero, failed, update failed), which the caller checks in
    /// <see cref="InferenceEndpoint.State"/>. Throws <see cref="TimeoutException"/> after
    /// <see cref="InferenceEndpointWaitOptions.Timeout"/>.
    /// </summary>
    public async Task<InferenceEndpoint> WaitAsync(string id, InferenceEndpointWaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new InferenceEndpointWaitOptions();
        var (ns, name) = await SplitAsync(id, cancellationToken).ConfigureAwait(false);
        id = $"{ns}/{name}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        InferenceEndpoint? last = null;
        try
        {
            while (true)
            {
                var endpoint = await GetAsync(id, deadline.Token).ConfigureAwait(false);
                if (last is null || endpoint.State != last.State)
                {
                    options.OnState?.Invoke(endpoint);
                }
                last = endpoint;
                if (endpoint.State == InferenceEndpointState.Running
                    ? endpoint.HealthUrl is { } health && await IsHealthyAsync(health, deadline.Token).ConfigureAwait(false)
                    : !endpoint.State.IsTransitional)
                {
                    return endpoint;
                }
                await Task.Delay(options.PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or HubConnectionException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var state = last is null ? "not answering" : last.State == InferenceEndpointState.Running ? "running but its health route does not answer 200" : last.State.Value;
            throw new TimeoutException($"{id} is still {state} after {options.Timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>
    /// True when <c>GET {url}</c> answers 200. The token is attached only to a Hugging Face
    /// endpoint host or the Endpoints API's host: a URL elsewhere is probed without it.
    /// </summary>
    public async Task<bool> IsHealthyAsync(Uri healthUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(healthUrl);
        using var request = new HttpRequestMessage(HttpMethod.Get, healthUrl);
        if (_token is not null && MayCarryToken(healthUrl))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token.Reveal());
        }
        else
        {
            request.Options.Set(HubPipeline.Anonymous, true);
        }
        using var response = await _pipeline.SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == System.Net.HttpStatusCode.OK;
    }

    /// <summary>Whether an endpoint URL is one the token may be sent to.</summary>
    public bool MayCarryToken(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var sameAsApi = url.Scheme == Api.Scheme && string.Equals(url.Host, Api.Host, StringComparison.OrdinalIgnoreCase) && url.Port == Api.Port;
        return sameAsApi || (url.Scheme == Uri.UriSchemeHttps && url.Host.EndsWith(".endpoints.huggingface.cloud", StringComparison.OrdinalIgnoreCase));
    }

    /// <inheritdoc/>
    public void Dispose() => _pipeline.Dispose();

    private async Task<InferenceEndpoint> PostAsync(string id, string action, CancellationToken cancellationToken)
    {
        var (ns, name) = await SplitAsync(id, cancellationToken).ConfigureAwait(false);
        using var request = _pipeline.Request(HttpMethod.Post, Path(ns, name, action));
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Map(await HubPipeline.ReadJsonAsync(response, EndpointsJsonContext.Default.EndpointBody, cancellationToken).ConfigureAwait(false), ns);
    }

    private async Task<(string Namespace, string Name)> SplitAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var parts = id.Split('/');
        if (parts.Length > 2 || !EndpointName().IsMatch(parts[^1]))
        {
            throw new ArgumentException($"invalid endpoint '{DisplayText.Printable(id, 60)}': expected NAME or NAMESPACE/NAME, the name 1 to 32 lower-case letters, digits and single hyphens");
        }
        if (parts.Length == 2)
        {
            CheckNamespace(parts[0]);
        }
        return parts.Length == 2 ? (parts[0], parts[1]) : (await _defaultNamespace(cancellationToken).ConfigureAwait(false), parts[0]);
    }

    // Endpoint names as the Endpoints UI asks for them (lower-case letters, digits, hyphens, at most
    // 32); consecutive hyphens are refused too, as in repo names. Checked here so that a malformed
    // name is a usage error, not a request.
    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9](?:-?[a-z0-9]){0,31}$")]
    private static partial System.Text.RegularExpressions.Regex EndpointName();

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex NamespaceName();

    private static void CheckNamespace(string ns)
    {
        if (!NamespaceName().IsMatch(ns) || ns.Contains("--", StringComparison.Ordinal) || ns.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid namespace '{DisplayText.Printable(ns, 60)}': expected a user or organization name");
        }
    }

    private static string Path(string ns, string name, string? action) =>
        $"endpoint/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}" + (action is null ? "" : "/" + action);

    private static InferenceEndpoint Map(EndpointBody body, string ns) => new()
    {
        Name = body.Name ?? throw new HubException("the Endpoints API answered an endpoint without a name"),
        Namespace = ns,
        Type = body.Type,
        State = new InferenceEndpointState(body.Status?.State ?? "unknown"),
        Message = body.Status?.Message,
        Url = Uri.TryCreate(body.Status?.Url, UriKind.Absolute, out var url) ? url : null,
        HealthRoute = body.HealthRoute ?? "/health",
        Repository = body.Model?.Repository,
        Revision = body.Model?.Revision,
        Task = body.Model?.Task,
        Framework = body.Model?.Framework,
        Vendor = body.Provider?.Vendor,
        Region = body.Provider?.Region,
        Accelerator = body.Compute?.Accelerator,
        InstanceType = body.Compute?.InstanceType,
        InstanceSize = body.Compute?.InstanceSize,
        ReadyReplicas = body.Status?.ReadyReplica ?? 0,
        TargetReplicas = body.Status?.TargetReplica ?? 0,
        CreatedAt = body.Status?.CreatedAt,
        UpdatedAt = body.Status?.UpdatedAt,
    };
}
