using System.Net;

namespace HfHub.Http;

/// <summary>
/// How failed requests are retried: which outcomes, how many times, and how long to wait.
/// Defaults follow the Python client's <c>http_backoff</c>: 5 retries, 1 s doubling to 8 s,
/// statuses 408/429/500/502/503/504 and connection errors, honouring <c>Retry-After</c>
/// and <c>RateLimit: …;r=0;t=N</c>. Jitter spreads concurrent clients apart.
/// </summary>
/// <remarks>
/// This is the client's one definition of "transient" (<see cref="IsRetryableStatus"/> for answers,
/// <see cref="IsTransient(Exception)"/> for failures without one) and its one backoff. Every loop that
/// sends something again asks it: the pipeline's retry of a request, the commit (re-sent with its
/// parent pinned), part uploads (re-sent with fresh content), and the resumption of a download or a
/// log stream that broke after its headers arrived.
/// </remarks>
public sealed record RetryPolicy
{
    /// <summary>The default policy.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>No retries at all.</summary>
    public static RetryPolicy None { get; } = new() { MaxRetries = 0 };

    /// <summary>Retries after the first attempt.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The first backoff delay; it doubles each retry.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// The longest server-requested wait that is honoured; a longer <c>Retry-After</c> ends the
    /// retries and surfaces a <see cref="HubRateLimitedException"/> at once.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>True for the statuses worth another try.</summary>
    public static bool IsRetryableStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>
    /// True for a failure that no answer explains and that another try may not meet: a refused,
    /// dropped or cut-off connection, a body that ended early, an attempt that timed out (as the
    /// Python client's <c>http_backoff</c> retries timeouts). Not a local file error
    /// (<see cref="Files.LocalWriteException"/>, a missing file), not cancellation.
    /// Answers with a status are judged by <see cref="IsRetryableStatus"/> instead.
    /// </summary>
    public static bool IsTransient(Exception error) => error switch
    {
        Files.LocalWriteException or FileNotFoundException or DirectoryNotFoundException or PathTooLongException => false,
        HubConnectionException or HttpRequestException or IOException or TimeoutException => true,
        _ => false,
    };

    /// <summary>
    /// The wait before retry number <paramref name="attempt"/> (0-based) after an answer, or null
    /// when there is no retry: the budget is spent, the status is not transient, or the server asked
    /// for a longer wait than <see cref="MaxRetryAfter"/>.
    /// </summary>
    internal TimeSpan? NextDelay(int attempt, HttpResponseMessage response) =>
        attempt < MaxRetries && IsRetryableStatus(response.StatusCode) ? DelayFor(attempt, response, Random.Shared.NextDouble()) : null;

    /// <summary>The wait before retry number <paramref name="attempt"/> after a failure without an answer, or null for no retry.</summary>
    internal TimeSpan? NextDelay(int attempt, Exception error) =>
        attempt < MaxRetries && IsTransient(error) ? DelayFor(attempt, null, Random.Shared.NextDouble()) : null;

    /// <summary>
    /// The wait before retry number <paramref name="attempt"/> (0-based): the server's request if it
    /// made one, else exponential backoff with full jitter in [delay/2, delay].
    /// Returns null when the server asked for longer than <see cref="MaxRetryAfter"/>.
    /// </summary>
    public TimeSpan? DelayFor(int attempt, HttpResponseMessage? response, double jitter01)
    {
        if (response is not null && RetryAfter(response) is { } requested)
        {
            return requested <= MaxRetryAfter ? requested : null;
        }
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + capped / 2 * Math.Clamp(jitter01, 0, 1));
    }

    /// <summary>
    /// The wait a response asks for: <c>RateLimit: "api";r=0;t=N</c> gives N+1 s; else an integer
    /// <c>Retry-After</c> (the delta-seconds form; HTTP dates are honoured too).
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Headers.TryGetValues("RateLimit", out var rateLimit) && ParseRateLimitReset(rateLimit.FirstOrDefault()) is { } reset)
        {
            return reset;
        }
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (retryAfter?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>Parses <c>"api";r=0;t=55</c>: when nothing remains, the reset time plus one second.</summary>
    internal static TimeSpan? ParseRateLimitReset(string? header) =>
        RateLimitStatus.Parse(header, null) is { Remaining: 0 } exhausted ? exhausted.ResetIn + TimeSpan.FromSeconds(1) : null;
}
