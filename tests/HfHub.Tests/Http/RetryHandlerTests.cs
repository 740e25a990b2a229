using System.Net;
using HfHub.Http;

namespace HfHub.Tests.Http;

/// <summary>
/// Unit tests of attempt counting only, with an in-process stub transport and millisecond delays.
/// End-to-end retry behaviour is tested against the local hub's fault injection.
/// </summary>
public sealed class RetryHandlerTests
{
    private static readonly RetryPolicy Fast = new() { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(4) };

    [Fact]
    public async Task Transient_statuses_are_retried_until_success()
    {
        var stub = new StubTransport(HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway, HttpStatusCode.OK);
        var trace = new List<string>();
        using var client = Client(stub, Fast, trace.Add);
        using var response = await client.GetAsync("https://hub.test/api/x");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, stub.Attempts);
        Assert.Equal(2, trace.Count(l => l.StartsWith("retry ", StringComparison.Ordinal)));
        Assert.Contains("retry 1/3 after 503", trace[0]);
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_last_answer_is_returned()
    {
        var stub = new StubTransport(Enumerable.Repeat(HttpStatusCode.InternalServerError, 10).ToArray());
        using var client = Client(stub, Fast);
        using var response = await client.GetAsync("https://hub.test/api/x");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(4, stub.Attempts); // one try plus three retries
    }

    [Fact]
    public async Task Connection_errors_are_retried()
    {
        var stub = new StubTransport(HttpStatusCode.OK) { FailFirst = 2 };
        using var client = Client(stub, Fast);
        using var response = await client.GetAsync("https://hub.test/api/x");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, stub.Attempts);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(401)]
    [InlineData(409)]
    public async Task Permanent_errors_are_not_retried(int status)
    {
        var stub = new StubTransport((HttpStatusCode)status, HttpStatusCode.OK);
        using var client = Client(stub, Fast);
        using var response = await client.GetAsync("https://hub.test/api/x");
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(1, stub.Attempts);
    }

    [Fact]
    public async Task A_request_with_a_body_is_sent_once_unless_marked_retryable()
    {
        var stub = new StubTransport(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = Client(stub, Fast);
        using (var post = new HttpRequestMessage(HttpMethod.Post, "https://hub.test/api/x") { Content = new StringContent("{}") })
        using (var response = await client.SendAsync(post))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        Assert.Equal(1, stub.Attempts);

        var marked = new StubTransport(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var markedClient = Client(marked, Fast);
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://hub.test/api/x") { Content = new ByteArrayContent([1, 2, 3]) };
        request.Options.Set(RetryHandler.Retryable, true);
        using var ok = await markedClient.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(2, marked.Attempts);
        Assert.All(marked.Bodies, body => Assert.Equal(new byte[] { 1, 2, 3 }, body));
    }

    [Fact]
    public async Task A_server_asking_for_a_wait_beyond_the_cap_gets_no_retry()
    {
        var stub = new StubTransport(HttpStatusCode.TooManyRequests, HttpStatusCode.OK) { RetryAfterSeconds = 3600 };
        using var client = Client(stub, Fast);
        using var response = await client.GetAsync("https://hub.test/api/x");
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(1, stub.Attempts);
    }

    [Fact]
    public async Task RetryPolicy_None_sends_exactly_once()
    {
        var stub = new StubTransport(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = Client(stub, RetryPolicy.None);
        using var response = await client.GetAsync("https://hub.test/api/x");
        Assert.Equal(1, stub.Attempts);
    }

    private static HttpClient Client(StubTransport stub, RetryPolicy policy, Action<string>? trace = null) =>
        new(new RetryHandler(policy, trace) { InnerHandler = stub });

    private sealed class StubTransport(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        public int Attempts { get; private set; }
        public int FailFirst { get; init; }
        public int? RetryAfterSeconds { get; init; }
        public List<byte[]> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Attempts++;
            if (request.Content is not null)
            {
                Bodies.Add(await request.Content.ReadAsByteArrayAsync(cancellationToken));
            }
            if (Attempts <= FailFirst)
            {
                throw new HttpRequestException("connection reset");
            }
            var response = new HttpResponseMessage(statuses[Math.Min(Attempts - 1 - FailFirst, statuses.Length - 1)]) { RequestMessage = request };
            if (RetryAfterSeconds is { } seconds)
            {
                response.Headers.Add("Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            return response;
        }
    }
}
