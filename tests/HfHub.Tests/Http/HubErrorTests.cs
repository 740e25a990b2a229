using System.Net;
using System.Text;
using HfHub.Http;

namespace HfHub.Tests.Http;

public sealed class HubErrorTests
{
    [Theory]
    [InlineData("{\"error\":\"You already created this space repo\",\"url\":\"https://x\"}", "You already created this space repo")]
    [InlineData("{\"error\":[\"first problem\",\"second problem\"]}", "first problem; second problem")]
    [InlineData("{\"error\":\"invalid_grant\",\"error_description\":\"The token expired\"}", "invalid_grant: The token expired")]
    [InlineData("{\"error_description\":\"Only a description\"}", "Only a description")]
    [InlineData("{\"errors\":[{\"message\":\"bad sdk\"},{\"message\":\"bad hardware\"}]}", "bad sdk; bad hardware")]
    [InlineData("{\"message\":\"js style\"}", "js style")]
    [InlineData("plain text failure", "plain text failure")]
    public void Every_documented_body_shape_gives_its_message(string body, string expected) =>
        Assert.Equal(expected, HubErrorReader.MessageFromBody(body, "application/json"));

    [Theory]
    [InlineData("<html><body>502 Bad Gateway</body></html>", "text/html")]
    [InlineData("", "application/json")]
    [InlineData("{\"unrelated\":1}", "application/json")]
    [InlineData("{not json", "application/json")]
    public void Bodies_without_a_message_give_none(string body, string mediaType) =>
        Assert.Null(HubErrorReader.MessageFromBody(body, mediaType));

    [Theory]
    [InlineData(404, null, typeof(HubNotFoundException))]
    [InlineData(401, "RepoNotFound", typeof(HubNotFoundException))]
    [InlineData(401, null, typeof(HubAuthenticationException))]
    [InlineData(403, null, typeof(HubForbiddenException))]
    [InlineData(403, "GatedRepo", typeof(HubForbiddenException))]
    [InlineData(409, null, typeof(HubConflictException))]
    [InlineData(412, null, typeof(HubConflictException))]
    [InlineData(429, null, typeof(HubRateLimitedException))]
    [InlineData(400, null, typeof(HubException))]
    [InlineData(500, null, typeof(HubException))]
    public void Statuses_and_codes_map_to_exception_types(int status, string? code, Type expected)
    {
        var e = HubException.For(status, "m", code, "rid", "https://hub/api/x");
        Assert.IsType(expected, e);
        Assert.Equal(status, e.Status);
        Assert.Equal(code, e.ErrorCode);
        Assert.Equal("rid", e.RequestId);
    }

    [Fact]
    public async Task A_response_becomes_one_exception_with_status_code_message_and_request_id()
    {
        using var response = Response(HttpStatusCode.NotFound, "{\"error\":\"Repository not found\"}");
        response.Headers.Add("X-Error-Code", "RepoNotFound");
        response.Headers.Add("X-Error-Message", "Repository not found");
        response.Headers.Add("X-Request-Id", "Root=1-abc;trace");
        var e = await HubErrorReader.ReadAsync(response, CancellationToken.None);
        var notFound = Assert.IsType<HubNotFoundException>(e);
        Assert.Equal("Repository not found", notFound.Message); // header text already in the body: not repeated
        Assert.Equal("RepoNotFound", notFound.ErrorCode);
        Assert.Equal("Root=1-abc;trace", notFound.RequestId);
        Assert.Equal("https://hub.test/api/models/x/y", notFound.Url);
    }

    [Fact]
    public async Task The_header_message_is_appended_when_the_body_says_something_else()
    {
        using var response = Response(HttpStatusCode.Unauthorized, "{\"error\":\"Unauthorized\"}");
        response.Headers.Add("X-Error-Message", "Invalid credentials in Authorization header");
        var e = await HubErrorReader.ReadAsync(response, CancellationToken.None);
        Assert.IsType<HubAuthenticationException>(e);
        Assert.Equal("Unauthorized (Invalid credentials in Authorization header)", e.Message);
    }

    [Fact]
    public async Task An_HTML_error_page_falls_back_to_the_header_then_the_status()
    {
        using var withHeader = Response(HttpStatusCode.BadGateway, "<html>\n<h1>502</h1>\n</html>", "text/html");
        withHeader.Headers.Add("X-Error-Message", "upstream failed");
        Assert.Equal("upstream failed", (await HubErrorReader.ReadAsync(withHeader, CancellationToken.None)).Message);

        using var bare = Response(HttpStatusCode.BadGateway, "<html>\n<h1>502</h1>\n</html>", "text/html");
        Assert.Equal("502 Bad Gateway", (await HubErrorReader.ReadAsync(bare, CancellationToken.None)).Message);
    }

    [Fact]
    public async Task Messages_are_one_line_and_bounded()
    {
        using var response = Response(HttpStatusCode.BadRequest, "line one\n\n\tline two " + new string('x', 2000), "text/plain");
        var e = await HubErrorReader.ReadAsync(response, CancellationToken.None);
        Assert.StartsWith("line one line two x", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(e.Message.Length <= 401);
        Assert.EndsWith("…", e.Message);
    }

    [Fact]
    public async Task Rate_limited_responses_carry_the_requested_wait()
    {
        using var response = Response(HttpStatusCode.TooManyRequests, "{\"error\":\"slow down\"}");
        response.Headers.Add("RateLimit", "\"api\";r=0;t=55");
        var e = Assert.IsType<HubRateLimitedException>(await HubErrorReader.ReadAsync(response, CancellationToken.None));
        Assert.Equal(TimeSpan.FromSeconds(56), e.RetryAfter);
    }

    private static HttpResponseMessage Response(HttpStatusCode status, string body, string mediaType = "application/json") => new(status)
    {
        Content = new StringContent(body, Encoding.UTF8, mediaType),
        RequestMessage = new HttpRequestMessage(HttpMethod.Get, "https://hub.test/api/models/x/y?expand=a"),
    };
}
