using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests.Security;

/// <summary>
/// The local hub's own admin surface (<c>/_localhub/…</c>) needs the admin secret in
/// <c>X-LocalHub-Admin</c>: without it, with a wrong one, or with only a Hub token (even a write
/// token), every admin route answers 401 and changes nothing. <c>/_localhub/health</c> is public by
/// design (readiness probes). The route list is checked against the routes the source registers,
/// so an admin route added later without a row here fails the suite.
/// </summary>
public sealed partial class AdminRouteTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    /// <summary>Every admin route as registered (pattern) with a concrete request that would change state.</summary>
    private static readonly (string Method, string Pattern, string Path, object? Body)[] Routes =
    [
        ("POST", "/_localhub/users", "/_localhub/users", new { name = "adminprobe-user" }),
        ("POST", "/_localhub/orgs", "/_localhub/orgs", new { name = "adminprobe-org" }),
        ("POST", "/_localhub/orgs/{org}/members", "/_localhub/orgs/adminprobe-org/members", new { user = "adminprobe-user", role = "admin" }),
        ("POST", "/_localhub/tokens", "/_localhub/tokens", new { user = "demo", role = "write" }),
        ("POST", "/_localhub/tokens/revoke", "/_localhub/tokens/revoke", new { token = "hf_" + new string('a', 34) }),
        ("GET", "/_localhub/faults", "/_localhub/faults", null),
        ("POST", "/_localhub/faults", "/_localhub/faults", new { rate = 1.0, kinds = new[] { "500" } }),
        ("POST", "/_localhub/blobs/{sha256}/corrupt", "/_localhub/blobs/" + new string('0', 64) + "/corrupt", null),
        ("GET", "/_localhub/xet", "/_localhub/xet", null),
        ("POST", "/_localhub/likes", "/_localhub/likes", new { user = "demo", type = "model", repo = "demo/none" }),
        ("POST", "/_localhub/canonical-repos", "/_localhub/canonical-repos", new { type = "model", name = "adminprobe-canonical", owner = "demo" }),
        ("POST", "/_localhub/space-templates", "/_localhub/space-templates", new { name = "adminprobe-template", repoId = "demo/none" }),
    ];

    private const string PublicHealth = "/_localhub/health";

    [Fact]
    public void The_table_covers_every_admin_route_the_hub_registers()
    {
        var source = Path.Combine(RepoPaths.Root, "src", "HfHub.LocalHub");
        var registered = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => MapCall().Matches(File.ReadAllText(file)))
            .Select(m => (Method: m.Groups["verb"].Value.ToUpperInvariant(), Pattern: m.Groups["path"].Value))
            .Select(r => r.Method == "METHODS" ? r with { Method = "MAPMETHODS: add its verbs to the table" } : r)
            .Where(r => r.Pattern != PublicHealth)
            .ToHashSet();
        Assert.NotEmpty(registered);
        var covered = Routes.Select(r => (r.Method, r.Pattern)).ToHashSet();
        Assert.Empty(registered.Except(covered));
    }

    public static TheoryData<string, string> Credentials() => new()
    {
        { "no secret", "" },
        { "wrong secret", "wrong" },
        { "secret with a different case", "case" },
        { "secret prefix", "prefix" },
        { "hub write token only", "token" },
        { "secret in the query string", "query" },
    };

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task Every_admin_route_refuses_a_caller_without_the_secret(string what, string credential)
    {
        var before = hub.Hub.Faults.Options;
        foreach (var (method, _, path, body) in Routes)
        {
            using var client = hub.RawClient(credential == "token" ? hub.DemoToken : null);
            var url = credential == "query" ? $"{path}?{Api.AdminRoutes.SecretHeader}={Uri.EscapeDataString(hub.Hub.AdminSecret)}" : path;
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }
            var secret = credential switch
            {
                "wrong" => "not-the-secret",
                "case" => Flip(hub.Hub.AdminSecret),
                "prefix" => hub.Hub.AdminSecret[..^1],
                _ => null,
            };
            if (secret is not null)
            {
                request.Headers.Add(Api.AdminRoutes.SecretHeader, secret);
            }
            var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {method} {path} answered {(int)response.StatusCode}");
            Assert.Contains("admin secret", response.Header("X-Error-Message"), StringComparison.Ordinal);
        }
        Assert.Null(hub.Hub.State.Accounts.Find("adminprobe-user"));
        Assert.Null(hub.Hub.State.Accounts.Find("adminprobe-org"));
        Assert.Same(before, hub.Hub.Faults.Options);
    }

    [Fact]
    public async Task Health_is_public_and_the_secret_opens_the_admin_routes()
    {
        using var anonymous = hub.RawClient();
        var health = await anonymous.GetAsync(PublicHealth);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", (await health.JsonAsync()).GetProperty("status").GetString());

        using var admin = hub.RawClient();
        admin.DefaultRequestHeaders.Add(Api.AdminRoutes.SecretHeader, hub.Hub.AdminSecret);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/_localhub/faults")).StatusCode);
        var name = LocalHubFixture.UniqueName("adm");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/_localhub/users", new { name })).StatusCode);
        Assert.NotNull(hub.Hub.State.Accounts.Find(name));
    }

    /// <summary>
    /// A plain <c>curl -d '{"name":"x"}'</c> sends <c>application/x-www-form-urlencoded</c>: the
    /// admin routes read the JSON anyway, and a body that is not JSON or not of the expected shape
    /// gets a 400 that says so, never a 500.
    /// </summary>
    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task Admin_routes_read_json_sent_without_a_json_content_type(string? contentType)
    {
        using var admin = hub.RawClient();
        admin.DefaultRequestHeaders.Add(Api.AdminRoutes.SecretHeader, hub.Hub.AdminSecret);
        var user = LocalHubFixture.UniqueName("curl");
        var org = LocalHubFixture.UniqueName("curlorg");
        Assert.Equal(HttpStatusCode.OK, (await Post(admin, "/_localhub/users", $$"""{"name":"{{user}}"}""", contentType)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post(admin, "/_localhub/orgs", $$"""{"name":"{{org}}"}""", contentType)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Post(admin, $"/_localhub/orgs/{org}/members", $$"""{"user":"{{user}}","role":"write"}""", contentType)).StatusCode);
        var token = await Post(admin, "/_localhub/tokens", $$"""{"user":"{{user}}","role":"read"}""", contentType);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        var value = (await token.JsonAsync()).GetProperty("token").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await Post(admin, "/_localhub/tokens/revoke", $$"""{"token":"{{value}}"}""", contentType)).StatusCode);
        Assert.NotNull(hub.Hub.State.Accounts.Find(user));
        Assert.True(hub.Hub.State.Accounts.Find(org)!.IsOrg);
    }

    public static TheoryData<string> BadBodies() => ["", "name=x", "{", "[]", "\"x\"", "null", """{"name":5}""", """{"user":[],"role":{}}""", """{"token":true}""", "{}"];

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Admin_routes_answer_a_bad_body_with_a_400_that_says_why(string body)
    {
        using var admin = hub.RawClient();
        admin.DefaultRequestHeaders.Add(Api.AdminRoutes.SecretHeader, hub.Hub.AdminSecret);
        foreach (var (method, _, path, _) in Routes.Where(r => r.Method == "POST" && !r.Path.Contains("faults", StringComparison.Ordinal) && !r.Path.Contains("blobs", StringComparison.Ordinal)))
        {
            foreach (var contentType in new[] { "application/json", "application/x-www-form-urlencoded" })
            {
                var response = await Post(admin, path, body, contentType);
                var status = (int)response.StatusCode;
                Assert.True(status is 400 or 404, $"{method} {path} with {contentType} body '{body}' answered {status}");
                Assert.False(string.IsNullOrWhiteSpace(response.Header("X-Error-Message")), $"{path}: no message");
            }
        }
    }

    private static async Task<HttpResponseMessage> Post(HttpClient client, string path, string body, string? contentType)
    {
        var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }
        return await client.PostAsync(path, content);
    }

    /// <summary>The secret with the case of its first letter changed (or, without a letter, its first character replaced).</summary>
    private static string Flip(string secret)
    {
        var index = secret.IndexOf(secret.FirstOrDefault(char.IsAsciiLetter));
        if (index < 0)
        {
            return "x" + secret[1..];
        }
        var c = secret[index];
        return secret[..index] + (char.IsAsciiLetterLower(c) ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)) + secret[(index + 1)..];
    }

    [GeneratedRegex(@"\.Map(?<verb>Get|Post|Put|Delete|Patch|Methods)\(\s*""(?<path>/_localhub/[^""]*)""")]
    private static partial Regex MapCall();
}
