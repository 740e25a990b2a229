using System.Globalization;

namespace HfHub.Http;

/// <summary>
/// Sends a request again after a transient failure (<see cref="RetryPolicy"/> decides what is
/// transient and how long to wait), when the request says it may be sent again and how:
/// <list type="bullet">
/// <item>bodiless idempotent requests (GET, HEAD, DELETE, OPTIONS without content) always may;</item>
/// <item>a request marked <see cref="Retryable"/> may; its content is sent as is, so it must be in
/// memory (a <see cref="ByteArrayContent"/>, or loaded with <c>LoadIntoBufferAsync</c>), unless</item>
/// <item>it also carries <see cref="FreshContent"/>, which builds the content for every send after
/// the first (a slice of a file opened again, a commit with its parent pinned).</item>
/// </list>
/// Each attempt has its own timeout, so a retry is not cut short by the time its predecessors took.
/// </summary>
internal sealed class RetryHandler : DelegatingHandler
{
    /// <summary>Marks a request as safe to send again after a transient failure.</summary>
    public static readonly HttpRequestOptionsKey<bool> Retryable = new("HfHub.Retryable");

    /// <summary>Builds the content for a send after the first (a retry, or a 307/308 redirect that keeps the body).</summary>
    public static readonly HttpRequestOptionsKey<Func<CancellationToken, ValueTask<HttpContent>>> FreshContent = new("HfHub.FreshContent");

    /// <summary>Set by the handler: how many times the request went out (more than 1 after a retry).</summary>
    public static readonly HttpRequestOptionsKey<int> Sends = new("HfHub.Sends");

    /// <summary>
    /// Set by the pipeline when the caller wants the whole body: it is read here, inside the retry
    /// scope, so a body cut off mid-way is retried like a dropped connection.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> BufferResponse = new("HfHub.BufferResponse");

    private readonly RetryPolicy _policy;
    private readonly Action<string>? _trace;
    private readonly TimeSpan _attemptTimeout;

    public RetryHandler(RetryPolicy policy, Action<string>? trace, TimeSpan? attemptTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
        _trace = trace;
        _attemptTimeout = attemptTimeout ?? Timeout.InfiniteTimeSpan;
    }

    /// <summary>True when the request's content can go out again: none, in memory, or rebuilt by <see cref="FreshContent"/>.</summary>
    public static bool CanSendContentAgain(HttpRequestMessage request) =>
        request.Content is null or ByteArrayContent || request.Options.TryGetValue(FreshContent, out _)
        || (request.Options.TryGetValue(Retryable, out var marked) && marked);

    /// <summary>The content for sending <paramref name="request"/> again: rebuilt when it says how, else the same (in-memory) content.</summary>
    public static async ValueTask<HttpContent?> ContentForResendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        request.Options.TryGetValue(FreshContent, out var fresh) ? await fresh(cancellationToken).ConfigureAwait(false) : request.Content;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var policy = IsRetryable(request) ? _policy : RetryPolicy.None;
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0 && request.Options.TryGetValue(FreshContent, out var fresh))
            {
                var previous = request.Content;
                request.Content = await fresh(cancellationToken).ConfigureAwait(false);
                previous?.Dispose();
            }
            request.Options.Set(Sends, attempt + 1);
            TimeSpan? wait;
            string why;
            try
            {
                var response = await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
                if ((wait = policy.NextDelay(attempt, response)) is null)
                {
                    return response;
                }
                why = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                response.Dispose();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && (wait = policy.NextDelay(attempt, e)) is not null)
            {
                why = e.GetType().Name;
            }
            _trace?.Invoke($"retry {attempt + 1}/{_policy.MaxRetries} after {why}, waiting {wait.Value.TotalMilliseconds:0} ms");
            await Task.Delay(wait.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_attemptTimeout);
        try
        {
            var response = await base.SendAsync(request, attempt.Token).ConfigureAwait(false);
            if (request.Options.TryGetValue(BufferResponse, out var buffer) && buffer)
            {
                try
                {
                    await response.Content.LoadIntoBufferAsync(attempt.Token).ConfigureAwait(false);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }
            return response;
        }
        catch (OperationCanceledException e) when (attempt.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {_attemptTimeout.TotalSeconds:0.#} s", e);
        }
    }

    private static bool IsRetryable(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(Retryable, out var marked))
        {
            return marked;
        }
        var idempotent = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head
            || request.Method == HttpMethod.Delete || request.Method == HttpMethod.Options;
        return idempotent && request.Content is null;
    }
}
