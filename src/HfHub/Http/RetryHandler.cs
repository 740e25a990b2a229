using System.Globalization;
using Polly;
using Polly.Retry;

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
/// Polly's retry strategy runs the attempts; <see cref="RetryPolicy"/> is its only judge of whether an
/// outcome is transient and how long to wait (Retry-After, RateLimit, backoff with jitter).
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

    private readonly ResiliencePipeline<HttpResponseMessage> _retries;
    private readonly TimeSpan _attemptTimeout;

    public RetryHandler(RetryPolicy policy, Action<string>? trace, TimeSpan? attemptTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _attemptTimeout = attemptTimeout ?? Timeout.InfiniteTimeSpan;
        _retries = policy.MaxRetries <= 0 ? ResiliencePipeline<HttpResponseMessage>.Empty : new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = policy.MaxRetries,
                // A null delay from the policy means: not transient, out of budget, or asked to wait too long.
                ShouldHandle = args => ValueTask.FromResult(!args.Context.CancellationToken.IsCancellationRequested && Delay(policy, args.AttemptNumber, args.Outcome) is not null),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Delay(policy, args.AttemptNumber, args.Outcome) ?? TimeSpan.Zero),
                OnRetry = args =>
                {
                    var why = args.Outcome.Result is { } response ? ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name;
                    trace?.Invoke($"retry {args.AttemptNumber + 1}/{policy.MaxRetries} after {why}, waiting {args.RetryDelay.TotalMilliseconds:0} ms");
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private static TimeSpan? Delay(RetryPolicy policy, int attempt, Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: { } error } => policy.NextDelay(attempt, error),
        { Result: { } response } => policy.NextDelay(attempt, response),
        _ => null,
    };

    /// <summary>True when the request's content can go out again: none, in memory, or rebuilt by <see cref="FreshContent"/>.</summary>
    public static bool CanSendContentAgain(HttpRequestMessage request) =>
        request.Content is null or ByteArrayContent || request.Options.TryGetValue(FreshContent, out _)
        || (request.Options.TryGetValue(Retryable, out var marked) && marked);

    /// <summary>The content for sending <paramref name="request"/> again: rebuilt when it says how, else the same (in-memory) content.</summary>
    public static async ValueTask<HttpContent?> ContentForResendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        request.Options.TryGetValue(FreshContent, out var fresh) ? await fresh(cancellationToken).ConfigureAwait(false) : request.Content;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!IsRetryable(request))
        {
            request.Options.Set(Sends, 1);
            return await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
        }
        var sends = new SendCount();
        return await _retries.ExecuteAsync(
            static async (state, token) => await state.Self.SendAttemptAsync(state.Request, state.Sends, token).ConfigureAwait(false),
            (Self: this, Request: request, Sends: sends),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One send of a retryable request: content rebuilt after the first when it says how.</summary>
    private async Task<HttpResponseMessage> SendAttemptAsync(HttpRequestMessage request, SendCount sends, CancellationToken cancellationToken)
    {
        if (sends.Value > 0 && request.Options.TryGetValue(FreshContent, out var fresh))
        {
            var previous = request.Content;
            request.Content = await fresh(cancellationToken).ConfigureAwait(false);
            previous?.Dispose();
        }
        request.Options.Set(Sends, ++sends.Value);
        return await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private sealed class SendCount
    {
        public int Value { get; set; }
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
