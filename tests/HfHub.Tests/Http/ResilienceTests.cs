using System.Globalization;
using System.Net;
using System.Text;
using HfHub.Auth;
using HfHub.Http;

namespace HfHub.Tests.Http;

/// <summary>
/// Unit tests of the pipeline's resilience model with a stub transport: how a request's content is
/// sent again (the same bytes, or fresh content per attempt), per-attempt timeouts, the waits a
/// server asks for, and redirects that keep method and body (307/308) or become a GET (301/302/303).
/// </summary>
public sealed class ResilienceTests
{
    private const string Secret = "hf_resilienceresilienceresilience12";
    private static readonly RetryPolicy Fast = new() { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(4) };

    [Fact]
    public async Task Fresh_content_is_built_for_every_send_after_the_first()
    {
        var stub = new ScriptedTransport(_ => Status(HttpStatusCode.ServiceUnavailable), _ => Status(HttpStatusCode.BadGateway), _ => Status(HttpStatusCode.OK));
        using var client = new HttpClient(new RetryHandler(Fast, null) { InnerHandler = stub });
        var built = 0;
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://storage.test/part") { Content = new StringContent("first") };
        request.Options.Set(RetryHandler.Retryable, true);
        request.Options.Set(RetryHandler.FreshContent, _ => ValueTask.FromResult<HttpContent>(new StringContent($"again {++built}")));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["first", "again 1", "again 2"], stub.Bodies);
        Assert.True(request.Options.TryGetValue(RetryHandler.Sends, out var sends));
        Assert.Equal(3, sends);
    }

    [Fact]
    public async Task An_attempt_that_times_out_is_retried_with_a_timeout_of_its_own()
    {
        var stub = new ScriptedTransport(_ => null, _ => Status(HttpStatusCode.OK));
        var trace = new List<string>();
        using var client = new HttpClient(new RetryHandler(Fast, trace.Add, TimeSpan.FromMilliseconds(100)) { InnerHandler = stub });
        using var response = await client.GetAsync("https://hub.test/api/x");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, stub.Attempts);
        Assert.Contains("retry 1/3 after TimeoutException", trace[0]);
    }

    [Fact]
    public async Task A_request_that_keeps_timing_out_fails_with_a_connection_error_naming_the_wait()
    {
        var stub = new ScriptedTransport(_ => null);
        using var pipeline = Pipeline(stub, Fast, TimeSpan.FromMilliseconds(50));
        var e = await Assert.ThrowsAsync<HubConnectionException>(() => pipeline.GetJsonAsync("api/x", PipelineTestJsonContext.Default.ListString, CancellationToken.None));
        Assert.StartsWith("timed out waiting for hub.test", e.Message);
        Assert.Equal(4, stub.Attempts);
    }

    [Fact]
    public async Task The_RateLimit_reset_is_waited_for_before_Retry_After()
    {
        var stub = new ScriptedTransport(
            _ => Status(HttpStatusCode.TooManyRequests, ("RateLimit", "\"api\";r=0;t=0"), ("Retry-After", "30")),
            _ => Status(HttpStatusCode.OK));
        var trace = new List<string>();
        using var client = new HttpClient(new RetryHandler(Fast, trace.Add) { InnerHandler = stub });
        using var response = await client.GetAsync("https://hub.test/api/x");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("retry 1/3 after 429, waiting 1000 ms", trace.Single());
    }

    [Fact]
    public async Task A_Retry_After_date_is_waited_for()
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(2);
        var stub = new ScriptedTransport(
            _ => Status(HttpStatusCode.ServiceUnavailable, ("Retry-After", until.ToString("R", CultureInfo.InvariantCulture))),
            _ => Status(HttpStatusCode.OK));
        var trace = new List<string>();
        using var client = new HttpClient(new RetryHandler(Fast, trace.Add) { InnerHandler = stub });
        var started = DateTimeOffset.UtcNow;
        using var response = await client.GetAsync("https://hub.test/api/x");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The date has whole seconds: the wait ends within the second before it.
        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(3));
        Assert.Equal(2, stub.Attempts);
    }

    [Theory]
    [InlineData(HttpStatusCode.TemporaryRedirect)]
    [InlineData(HttpStatusCode.PermanentRedirect)]
    public async Task A_307_or_308_sends_the_same_method_and_body_to_the_new_location(HttpStatusCode status)
    {
        var (stub, response) = await PostJsonThroughRedirectAsync(status, "{\"name\":\"x\"}");
        using var _ = response;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["POST https://hub.test/api/original", "POST https://hub.test/api/renamed"], stub.Requests);
        Assert.Equal(["{\"name\":\"x\"}", "{\"name\":\"x\"}"], stub.Bodies);
        Assert.Equal([$"Bearer {Secret}", $"Bearer {Secret}"], stub.Authorizations);
    }

    [Fact]
    public async Task A_307_of_a_streamed_body_rebuilds_it_when_the_request_says_how()
    {
        var stub = new ScriptedTransport(_ => Redirect(HttpStatusCode.TemporaryRedirect, "/api/renamed"), _ => Status(HttpStatusCode.OK));
        using var pipeline = Pipeline(stub, RetryPolicy.None);
        using var request = pipeline.Request(HttpMethod.Put, "api/original");
        request.Content = new StreamContent(new MemoryStream("streamed"u8.ToArray()));
        request.Options.Set(RetryHandler.FreshContent, _ => ValueTask.FromResult<HttpContent>(new StreamContent(new MemoryStream("streamed"u8.ToArray()))));
        using var response = await pipeline.SendAsync(request, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["PUT https://hub.test/api/original", "PUT https://hub.test/api/renamed"], stub.Requests);
        Assert.Equal(["streamed", "streamed"], stub.Bodies);
    }

    [Fact]
    public async Task A_307_of_a_body_that_cannot_be_sent_again_is_left_to_the_caller()
    {
        var stub = new ScriptedTransport(_ => Redirect(HttpStatusCode.TemporaryRedirect, "/api/renamed"), _ => Status(HttpStatusCode.OK));
        using var pipeline = Pipeline(stub, RetryPolicy.None);
        using var request = pipeline.Request(HttpMethod.Put, "api/original");
        request.Content = new StreamContent(new MemoryStream("once"u8.ToArray()));
        using var response = await pipeline.SendRawAsync(request, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(["PUT https://hub.test/api/original"], stub.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.MovedPermanently)]
    [InlineData(HttpStatusCode.Found)]
    [InlineData(HttpStatusCode.SeeOther)]
    public async Task A_301_302_or_303_after_a_POST_is_followed_with_a_GET_without_the_body(HttpStatusCode status)
    {
        var (stub, response) = await PostJsonThroughRedirectAsync(status, "{}");
        using var _ = response;
        Assert.Equal(["POST https://hub.test/api/original", "GET https://hub.test/api/renamed"], stub.Requests);
        Assert.Equal(["{}"], stub.Bodies);
    }

    /// <summary>POSTs a JSON body to api/original, which answers <paramref name="status"/> to api/renamed.</summary>
    private static async Task<(ScriptedTransport Stub, HttpResponseMessage Response)> PostJsonThroughRedirectAsync(HttpStatusCode status, string json)
    {
        var stub = new ScriptedTransport(_ => Redirect(status, "/api/renamed"), _ => Status(HttpStatusCode.OK));
        using var pipeline = Pipeline(stub, RetryPolicy.None);
        using var request = pipeline.Request(HttpMethod.Post, "api/original");
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return (stub, await pipeline.SendAsync(request, CancellationToken.None));
    }

    private static HubPipeline Pipeline(HttpMessageHandler transport, RetryPolicy retry, TimeSpan? timeout = null) =>
        new(new Uri("https://hub.test"), new HfToken(Secret), new HubClientOptions
        {
            Transport = transport,
            Retry = retry,
            Anonymous = true,
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        });

    private static HttpResponseMessage Status(HttpStatusCode status, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent("[]", Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }
        return response;
    }

    private static HttpResponseMessage Redirect(HttpStatusCode status, string location)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.Location = new Uri(location, UriKind.Relative);
        return response;
    }

    /// <summary>Answers attempt n with the n-th script entry (the last one repeats); a null answer never comes (the attempt hangs until cancelled).</summary>
    private sealed class ScriptedTransport(params Func<HttpRequestMessage, HttpResponseMessage?>[] script) : HttpMessageHandler
    {
        public int Attempts { get; private set; }
        public List<string> Requests { get; } = [];
        public List<string> Bodies { get; } = [];
        public List<string?> Authorizations { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var step = script[Math.Min(Attempts++, script.Length - 1)];
            Requests.Add($"{request.Method} {request.RequestUri}");
            Authorizations.Add(request.Headers.Authorization?.ToString());
            if (request.Content is not null)
            {
                Bodies.Add(await request.Content.ReadAsStringAsync(cancellationToken));
            }
            if (step(request) is not { } response)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                throw new InvalidOperationException("unreachable");
            }
            response.RequestMessage = request;
            return response;
        }
    }
}
