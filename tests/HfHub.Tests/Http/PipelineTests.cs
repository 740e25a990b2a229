using System.Net;
using System.Text;
using System.Text.Json.Serialization;
using HfHub.Auth;
using HfHub.Http;

namespace HfHub.Tests.Http;

[JsonSerializable(typeof(List<string>))]
internal sealed partial class PipelineTestJsonContext : JsonSerializerContext;

/// <summary>
/// Unit tests of the pipeline's own rules with a recording transport: pagination over
/// <c>Link</c>, and the token going only to the Hub's host (never across a redirect or a
/// foreign next-page link).
/// </summary>
public sealed class PipelineTests
{
    private const string Secret = "hf_pipelinepipelinepipelinepipeline1";

    [Fact]
    public async Task Pages_are_followed_through_absolute_and_relative_next_links()
    {
        var transport = new RecordingTransport(request => request.RequestUri!.PathAndQuery switch
        {
            "/api/things?limit=2" => Page("[\"a\",\"b\"]", "<https://hub.test/api/things?limit=2&cursor=p2>; rel=\"next\""),
            "/api/things?limit=2&cursor=p2" => Page("[\"c\",\"d\"]", "</api/things?limit=2&cursor=p3>; rel=\"next\""),
            "/api/things?limit=2&cursor=p3" => Page("[\"e\"]", null),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        });
        using var pipeline = Pipeline(transport);
        var items = new List<string>();
        await foreach (var item in pipeline.GetPagedAsync("api/things?limit=2", PipelineTestJsonContext.Default.ListString, CancellationToken.None))
        {
            items.Add(item);
        }
        Assert.Equal(["a", "b", "c", "d", "e"], items);
        Assert.Equal(3, transport.Requests.Count);
        Assert.All(transport.Requests, r => Assert.Equal($"Bearer {Secret}", r.Authorization));
    }

    [Fact]
    public async Task A_next_link_to_another_host_is_followed_without_the_token()
    {
        var transport = new RecordingTransport(request => request.RequestUri!.Host == "hub.test"
            ? Page("[\"a\"]", "<https://cdn.elsewhere.test/page2>; rel=\"next\"")
            : Page("[\"b\"]", null));
        using var pipeline = Pipeline(transport);
        var items = new List<string>();
        await foreach (var item in pipeline.GetPagedAsync("api/things", PipelineTestJsonContext.Default.ListString, CancellationToken.None))
        {
            items.Add(item);
        }
        Assert.Equal(["a", "b"], items);
        Assert.Equal($"Bearer {Secret}", transport.Requests[0].Authorization);
        Assert.Null(transport.Requests[1].Authorization);
    }

    [Fact]
    public async Task Redirects_keep_the_token_only_on_the_Hubs_host()
    {
        var transport = new RecordingTransport(request => request.RequestUri!.AbsolutePath switch
        {
            "/api/start" => Redirect("https://hub.test/api/moved"),
            "/api/moved" => Redirect("https://storage.elsewhere.test/blob?X-Amz-Signature=abc"),
            _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("done") },
        });
        using var pipeline = Pipeline(transport);
        using var request = pipeline.Request(HttpMethod.Get, "api/start");
        using var response = await pipeline.SendAsync(request, CancellationToken.None);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
        Assert.Equal(["https://hub.test/api/start", "https://hub.test/api/moved", "https://storage.elsewhere.test/blob?X-Amz-Signature=abc"],
            transport.Requests.Select(r => r.Url));
        Assert.Equal([$"Bearer {Secret}", $"Bearer {Secret}", null], transport.Requests.Select(r => r.Authorization));
        Assert.All(transport.Requests, r => Assert.StartsWith("hfhub/", r.UserAgent));
    }

    [Fact]
    public async Task Failures_become_hub_exceptions_and_connection_errors_name_the_host()
    {
        var transport = new RecordingTransport(_ => throw new HttpRequestException("boom", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));
        using var pipeline = Pipeline(transport);
        var e = await Assert.ThrowsAsync<HubConnectionException>(() => pipeline.GetJsonAsync("api/x", PipelineTestJsonContext.Default.ListString, CancellationToken.None));
        Assert.Equal("connection refused by hub.test", e.Message);
        Assert.Equal(0, e.Status);

        var notFound = new RecordingTransport(_ => new HttpResponseMessage(HttpStatusCode.NotFound)
        {
            Content = new StringContent("{\"error\":\"Repository not found\"}", Encoding.UTF8, "application/json"),
            Headers = { { "X-Error-Code", "RepoNotFound" } },
        });
        using var other = Pipeline(notFound);
        var missing = await Assert.ThrowsAsync<HubNotFoundException>(() => other.GetJsonAsync("api/models/a/b", PipelineTestJsonContext.Default.ListString, CancellationToken.None));
        Assert.Equal("Repository not found", missing.Message);
    }

    private static HubPipeline Pipeline(RecordingTransport transport)
    {
        var options = new HubClientOptions { Transport = transport, Retry = RetryPolicy.None, Anonymous = true };
        return new HubPipeline(new Uri("https://hub.test"), new HfToken(Secret), options);
    }

    private static HttpResponseMessage Page(string json, string? link)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (link is not null)
        {
            response.Headers.Add("Link", link);
        }
        return response;
    }

    private static HttpResponseMessage Redirect(string location)
    {
        var response = new HttpResponseMessage(HttpStatusCode.Found);
        response.Headers.Location = new Uri(location);
        return response;
    }

    private sealed record Recorded(string Url, string? Authorization, string UserAgent);

    private sealed class RecordingTransport(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<Recorded> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(new Recorded(request.RequestUri!.ToString(), request.Headers.Authorization?.ToString(), request.Headers.UserAgent.ToString()));
            var response = respond(request);
            response.RequestMessage = request;
            return Task.FromResult(response);
        }
    }
}
