using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using HfHub.Auth;

namespace HfHub.Http;

/// <summary>
/// The HTTP core shared by every sub-client: endpoint, authentication, user agent, retries,
/// tracing, error mapping and pagination. The token is sent only to the Hub's own host,
/// never to pre-signed upload URLs or redirects elsewhere.
/// </summary>
internal sealed class HubPipeline : IDisposable
{
    private readonly HttpClient _http;
    private readonly HfToken? _token;
    private readonly TimeSpan _timeout;

    public HubPipeline(Uri endpoint, HfToken? token, HubClientOptions options)
    {
        Endpoint = endpoint;
        _token = token;
        HttpMessageHandler handler = options.Transport ?? new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            // Redirects are followed by hand so that a cross-host hop never carries the token.
            AllowAutoRedirect = false,
        };
        if (options.HttpTrace is { } trace)
        {
            handler = new TraceHandler(trace) { InnerHandler = handler };
        }
        // The timeout applies to each attempt (in the retry handler), not to all of them together.
        handler = new RetryHandler(options.Retry, options.HttpTrace, options.Timeout) { InnerHandler = handler };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _timeout = options.Timeout;
        Retry = options.Retry;
        UserAgent = BuildUserAgent(options.ApplicationId);
    }

    /// <summary>Marks a request that must carry no token even to the Hub's host (pre-signed upload URLs).</summary>
    public static readonly HttpRequestOptionsKey<bool> Anonymous = new("HfHub.Anonymous");

    /// <summary>Marks a request whose redirects are returned to the caller instead of followed (resolve HEAD).</summary>
    public static readonly HttpRequestOptionsKey<bool> NoRedirects = new("HfHub.NoRedirects");

    public Uri Endpoint { get; }

    /// <summary>The retry policy: the pipeline's own retries and every loop that resumes a transfer use it.</summary>
    public RetryPolicy Retry { get; }

    public string UserAgent { get; }

    public bool HasToken => _token is not null;

    public Uri Url(string pathAndQuery) =>
        new(Endpoint, Endpoint.AbsolutePath.TrimEnd('/') + "/" + pathAndQuery.TrimStart('/'));

    public HttpRequestMessage Request(HttpMethod method, string pathAndQuery) => new(method, Url(pathAndQuery));

    /// <summary>Sends a request and throws a <see cref="HubException"/> when it fails; follows redirects safely.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var response = await SendRawAsync(request, completion, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw await HubErrorReader.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a request and returns whatever comes back (after redirects), mapping only transport failures.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Prepare(request);
        var response = await SendMappedAsync(request, completion, cancellationToken).ConfigureAwait(false);
        if (request.Options.TryGetValue(NoRedirects, out var keep) && keep)
        {
            return response;
        }
        var anonymous = request.Options.TryGetValue(Anonymous, out var anon) && anon;
        for (var hops = 0; IsRedirect(response.StatusCode) && response.Headers.Location is { } location && hops < 10; hops++)
        {
            // 307 and 308 mean "the same request, there" (RFC 9110 §15.4.8-9): method and body are kept,
            // so a body that cannot be sent again leaves the redirect to the caller. 301/302/303 become
            // a GET without a body, as browsers and the official clients do; HEAD stays HEAD.
            var keepMethod = response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
            if (keepMethod && !RetryHandler.CanSendContentAgain(request))
            {
                return response;
            }
            var target = location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location);
            response.Dispose();
            var method = keepMethod || request.Method == HttpMethod.Head ? request.Method : HttpMethod.Get;
            var next = new HttpRequestMessage(method, target);
            if (keepMethod && request.Content is not null)
            {
                next.Content = await RetryHandler.ContentForResendAsync(request, cancellationToken).ConfigureAwait(false);
                if (request.Options.TryGetValue(RetryHandler.Retryable, out var retryable))
                {
                    next.Options.Set(RetryHandler.Retryable, retryable);
                }
                if (request.Options.TryGetValue(RetryHandler.FreshContent, out var fresh))
                {
                    next.Options.Set(RetryHandler.FreshContent, fresh);
                }
            }
            foreach (var header in request.Headers)
            {
                if (!header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
                {
                    next.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }
            if (IsHubHost(target) && _token is not null && !anonymous)
            {
                next.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token.Reveal());
            }
            request = next;
            response = await SendMappedAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        return response;
    }

    public async Task<T> GetJsonAsync<T>(string pathAndQuery, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, pathAndQuery);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await System.Text.Json.JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken).ConfigureAwait(false)
                ?? throw new HubException($"the Hub answered {response.RequestMessage?.RequestUri?.AbsolutePath} with an empty body", (int)response.StatusCode);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new HubException($"the Hub answered {response.RequestMessage?.RequestUri?.AbsolutePath} with {Json.JsonErrorText.Describe(e)}", (int)response.StatusCode, null, null, null, e);
        }
    }

    /// <summary>Follows <c>Link: &lt;…&gt;; rel="next"</c> page by page, yielding items as they arrive.</summary>
    public async IAsyncEnumerable<T> GetPagedAsync<T>(string pathAndQuery, JsonTypeInfo<List<T>> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = Url(pathAndQuery);
        while (next is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            var page = await ReadJsonAsync(response, typeInfo, cancellationToken).ConfigureAwait(false);
            foreach (var item in page)
            {
                yield return item;
            }
            next = NextPageUrl(response);
        }
    }

    /// <summary>The <c>rel="next"</c> target of a response's <c>Link</c> header, resolved against the URL it answered, or null.</summary>
    public static Uri? NextPageUrl(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var link = response.Headers.TryGetValues("Link", out var values) ? LinkHeader.Find(string.Join(",", values)) : null;
        return link is not null && response.RequestMessage?.RequestUri is { } current && Uri.TryCreate(current, link, out var next) ? next : null;
    }

    private void Prepare(HttpRequestMessage request)
    {
        request.Headers.UserAgent.Clear();
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        if (!request.Headers.Contains("X-Amzn-Trace-Id"))
        {
            request.Headers.TryAddWithoutValidation("X-Amzn-Trace-Id", Guid.NewGuid().ToString());
        }
        var anonymous = request.Options.TryGetValue(Anonymous, out var anon) && anon;
        if (_token is not null && !anonymous && request.Headers.Authorization is null && request.RequestUri is { } uri && IsHubHost(uri))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token.Reveal());
        }
    }

    /// <summary>True when <paramref name="uri"/> is on the endpoint's scheme, host and port: the only place the token goes.</summary>
    public bool IsHubHost(Uri uri) =>
        uri.IsAbsoluteUri && string.Equals(uri.Host, Endpoint.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == Endpoint.Port
        && uri.Scheme == Endpoint.Scheme;

    private async Task<HttpResponseMessage> SendMappedAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        if (completion == HttpCompletionOption.ResponseContentRead)
        {
            request.Options.Set(RetryHandler.BufferResponse, true);
        }
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new HubConnectionException(DescribeConnectionFailure(request.RequestUri, e), request.RequestUri?.GetLeftPart(UriPartial.Path), e);
        }
        catch (TimeoutException e)
        {
            throw new HubConnectionException($"timed out waiting for {request.RequestUri?.Host} after {_timeout.TotalSeconds:0} s", request.RequestUri?.GetLeftPart(UriPartial.Path), e);
        }
    }

    internal static string DescribeConnectionFailure(Uri? uri, HttpRequestException e)
    {
        var host = uri?.Authority ?? "the Hub";
        var socket = e.InnerException as SocketException ?? e.InnerException?.InnerException as SocketException;
        return socket?.SocketErrorCode switch
        {
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"cannot resolve host '{uri?.Host}'",
            SocketError.ConnectionRefused => $"connection refused by {host}",
            SocketError.TimedOut => $"connection to {host} timed out",
            SocketError.NetworkUnreachable or SocketError.HostUnreachable => $"network unreachable for {host}",
            _ => $"cannot reach {host}: {HubErrorReader.OneLine(e.InnerException?.Message ?? e.Message)}",
        };
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string BuildUserAgent(string? applicationId)
    {
        var version = typeof(HubPipeline).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var core = $"hfhub/{version}; dotnet/{System.Environment.Version.ToString(3)}";
        return string.IsNullOrWhiteSpace(applicationId) ? core : $"{applicationId}; {core}";
    }

    public void Dispose() => _http.Dispose();
}
