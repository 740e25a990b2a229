using Polly;
using Polly.Retry;

namespace HfHub.Http;

/// <summary>
/// Retries transient failures of requests that are safe to send again: bodiless idempotent
/// requests (GET, HEAD, DELETE, OPTIONS without content) and any request marked with
/// <see cref="Retryable"/> whose content is buffered. Streams are never re-sent from here;
/// uploaders retry parts themselves with fresh content.
/// </summary>
internal sealed class RetryHandler : DelegatingHandler
{
    /// <summary>Marks a request as safe to re-send (its content must be buffered).</summary>
    public static readonly HttpRequestOptionsKey<bool> Retryable = new("HfHub.Retryable");

    /// <summary>
    /// Set by the pipeline when the caller wants the whole body: it is read here, inside the retry
    /// scope, so a body cut off mid-way is retried like a dropped connection.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> BufferResponse = new("HfHub.BufferResponse");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public RetryHandler(RetryPolicy policy, Action<string>? trace)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.MaxRetries <= 0)
        {
            _pipeline = ResiliencePipeline<HttpResponseMessage>.Empty;
            return;
        }
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = policy.MaxRetries,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or IOException or TimeoutException } => true,
                    { Result: { } response } => RetryPolicy.IsRetryableStatus(response.StatusCode)
                        && policy.DelayFor(args.AttemptNumber, response, 0) is not null,
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult(
                    policy.DelayFor(args.AttemptNumber, args.Outcome.Result, Random.Shared.NextDouble())),
                OnRetry = args =>
                {
                    var why = args.Outcome.Result is { } r ? $"{(int)r.StatusCode}" : args.Outcome.Exception?.GetType().Name;
                    trace?.Invoke($"retry {args.AttemptNumber + 1}/{policy.MaxRetries} after {why}, waiting {args.RetryDelay.TotalMilliseconds:0} ms");
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!IsRetryable(request))
        {
            return base.SendAsync(request, cancellationToken);
        }
        return _pipeline.ExecuteAsync(
            static async (state, token) => await state.Self.SendOnceAsync(state.Request, token).ConfigureAwait(false),
            (Self: this, Request: request),
            cancellationToken).AsTask();
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (request.Options.TryGetValue(BufferResponse, out var buffer) && buffer)
        {
            try
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
        return response;
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
