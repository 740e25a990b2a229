using System.Net;
using HfHub.Http;

namespace HfHub.Tests.Http;

public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData(0, 500, 1000)]
    [InlineData(1, 1000, 2000)]
    [InlineData(2, 2000, 4000)]
    [InlineData(3, 4000, 8000)]
    [InlineData(4, 4000, 8000)]
    [InlineData(40, 4000, 8000)]
    public void Backoff_doubles_from_one_second_up_to_eight_with_jitter_in_the_upper_half(int attempt, int lowMs, int highMs)
    {
        var policy = RetryPolicy.Default;
        Assert.Equal(TimeSpan.FromMilliseconds(lowMs), policy.DelayFor(attempt, null, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(highMs), policy.DelayFor(attempt, null, 1));
        var middle = policy.DelayFor(attempt, null, 0.5)!.Value;
        Assert.InRange(middle, TimeSpan.FromMilliseconds(lowMs), TimeSpan.FromMilliseconds(highMs));
        // Out-of-range jitter is clamped rather than trusted.
        Assert.Equal(TimeSpan.FromMilliseconds(highMs), policy.DelayFor(attempt, null, 7));
    }

    [Fact]
    public void Retry_After_seconds_is_honoured_exactly()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.Add("Retry-After", "7");
        Assert.Equal(TimeSpan.FromSeconds(7), RetryPolicy.Default.DelayFor(0, response, 0.9));
    }

    [Fact]
    public void Retry_After_as_a_date_waits_until_then()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddSeconds(30));
        var wait = RetryPolicy.Default.DelayFor(0, response, 0)!.Value;
        Assert.InRange(wait, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));

        using var past = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        past.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(TimeSpan.Zero, RetryPolicy.Default.DelayFor(0, past, 0));
    }

    [Theory]
    [InlineData("\"api\";r=0;t=55", 56)]
    [InlineData("\"api\";r=0;t=0", 1)]
    public void RateLimit_with_nothing_remaining_waits_for_the_reset_plus_one_second(string header, int seconds)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.Add("RateLimit", header);
        response.Headers.Add("Retry-After", "3");
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryPolicy.Default.DelayFor(0, response, 0));
    }

    [Fact]
    public void RateLimit_with_requests_left_defers_to_Retry_After_then_backoff()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.Add("RateLimit", "\"api\";r=12;t=55");
        Assert.Equal(TimeSpan.FromMilliseconds(500), RetryPolicy.Default.DelayFor(0, response, 0));
        response.Headers.Add("Retry-After", "4");
        Assert.Equal(TimeSpan.FromSeconds(4), RetryPolicy.Default.DelayFor(0, response, 0));
    }

    [Fact]
    public void A_wait_longer_than_the_cap_means_no_retry()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.Add("RateLimit", "\"api\";r=0;t=299");
        Assert.Null(RetryPolicy.Default.DelayFor(0, response, 0));
        Assert.Equal(TimeSpan.FromSeconds(300), (RetryPolicy.Default with { MaxRetryAfter = TimeSpan.FromMinutes(5) }).DelayFor(0, response, 0));
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    [InlineData(501, false)]
    public void Only_transient_statuses_are_retryable(int status, bool retryable) =>
        Assert.Equal(retryable, RetryPolicy.IsRetryableStatus((HttpStatusCode)status));
}
