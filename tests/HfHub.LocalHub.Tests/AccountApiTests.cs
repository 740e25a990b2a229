using System.Net;
using System.Text.Json;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests;

/// <summary>The local hub's account surface over real HTTP: whoami-v2, 401s, request ids, admin guard.</summary>
public sealed class AccountApiTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task Whoami_v2_has_the_real_shape_including_auth_and_orgs()
    {
        var (user, token) = await hub.CreateUserAsync("read");
        var org = LocalHubFixture.UniqueName("org");
        await hub.CreateOrgAsync(org, (user, "admin"));
        using var client = hub.RawClient(token);
        using var response = await client.GetAsync("/api/whoami-v2");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        Assert.Equal("user", root.GetProperty("type").GetString());
        Assert.Equal(user, root.GetProperty("name").GetString());
        Assert.Matches("^[0-9a-f]{24}$", root.GetProperty("id").GetString()!);
        Assert.StartsWith("/avatars/", root.GetProperty("avatarUrl").GetString());
        var orgEntry = Assert.Single(root.GetProperty("orgs").EnumerateArray());
        Assert.Equal(org, orgEntry.GetProperty("name").GetString());
        Assert.Equal("org", orgEntry.GetProperty("type").GetString());
        var auth = root.GetProperty("auth");
        Assert.Equal("access_token", auth.GetProperty("type").GetString());
        Assert.Equal("test", auth.GetProperty("accessToken").GetProperty("displayName").GetString());
        Assert.Equal("read", auth.GetProperty("accessToken").GetProperty("role").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", auth.GetProperty("accessToken").GetProperty("createdAt").GetString()!);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("hf_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task A_missing_or_unknown_token_gets_401_with_body_and_header(string? token)
    {
        using var client = hub.RawClient(token);
        using var response = await client.GetAsync("/api/whoami-v2");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("{\"error\":\"Invalid credentials in Authorization header\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal("Invalid credentials in Authorization header", response.Headers.GetValues("X-Error-Message").Single());
    }

    [Fact]
    public async Task A_revoked_token_stops_working()
    {
        var (_, token) = await hub.CreateUserAsync("write");
        using var client = hub.RawClient(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/whoami-v2")).StatusCode);
        await hub.RevokeAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/whoami-v2")).StatusCode);
    }

    [Fact]
    public async Task Every_response_has_a_request_id_that_echoes_the_trace_id()
    {
        using var client = hub.RawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no/such/page");
        request.Headers.Add("X-Amzn-Trace-Id", "trace-123");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Matches("^Root=1-[0-9a-f]{8}-[0-9a-f]{24};trace-123$", response.Headers.GetValues("X-Request-Id").Single());
        using var plain = await client.GetAsync("/_localhub/health");
        Assert.Matches("^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$", plain.Headers.GetValues("X-Request-Id").Single());
        Assert.Contains("X-Request-Id", plain.Headers.GetValues("Access-Control-Expose-Headers").Single());
    }

    [Fact]
    public async Task A_double_slash_from_a_trailing_slash_endpoint_still_routes()
    {
        using var client = hub.RawClient(hub.DemoToken);
        using var response = await client.GetAsync(hub.EndpointText + "//api/whoami-v2");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Admin_routes_need_the_secret()
    {
        using var client = hub.RawClient(hub.DemoToken); // a Hub token is not the admin secret
        using var response = await client.PostAsync("/_localhub/users", new StringContent("{\"name\":\"intruder\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(hub.Hub.State.Accounts.Find("intruder"));
    }

    [Fact]
    public async Task Minted_tokens_look_like_the_Hubs()
    {
        var (_, token) = await hub.CreateUserAsync("write");
        Assert.Matches("^hf_[A-Za-z0-9]{34}$", token);
    }
}
