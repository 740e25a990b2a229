using System.Net;
using System.Net.Http.Json;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests;

public sealed class RepoRoutesTests(SmallPagesHubFixture hub) : IClassFixture<SmallPagesHubFixture>
{
    [Fact]
    public async Task Create_answers_url_name_and_id_and_a_second_create_is_409_with_the_url()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var response = await client.PostAsJsonAsync("/api/repos/create", new { name = "my-model", type = "model" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal($"{hub.EndpointText}/{user}/my-model", body.GetProperty("url").GetString());
        Assert.Equal($"{user}/my-model", body.GetProperty("name").GetString());
        Assert.Matches("^[0-9a-f]{24}$", body.GetProperty("id").GetString());

        var again = await client.PostAsJsonAsync("/api/repos/create", new { name = "my-model", organization = user });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var conflict = await again.JsonAsync();
        Assert.Equal("You already created this model repo", conflict.GetProperty("error").GetString());
        Assert.Equal($"{hub.EndpointText}/{user}/my-model", conflict.GetProperty("url").GetString());

        var dataset = await client.PostAsJsonAsync("/api/repos/create", new { name = "my-model", type = "dataset", @private = true });
        Assert.Equal($"{hub.EndpointText}/datasets/{user}/my-model", (await dataset.JsonAsync()).GetProperty("url").GetString());
    }

    [Theory]
    [InlineData("-bad")]
    [InlineData("bad-")]
    [InlineData("a--b")]
    [InlineData("a..b")]
    [InlineData("name.git")]
    [InlineData("has space")]
    [InlineData("")]
    public async Task Create_refuses_invalid_names_with_400(string name)
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var response = await client.PostAsJsonAsync("/api/repos/create", new { name, type = "model" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Create_checks_credentials_namespace_and_token_role()
    {
        var (other, _) = await hub.CreateUserAsync();
        var (_, token) = await hub.CreateUserAsync();
        var (reader, readToken) = await hub.CreateUserAsync("read");
        using var anonymous = hub.RawClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/repos/create", new { name = "x" })).StatusCode);
        using var client = hub.RawClient(token);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/repos/create", new { name = "x", organization = other })).StatusCode);
        using var readOnly = hub.RawClient(readToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await readOnly.PostAsJsonAsync("/api/repos/create", new { name = "x", organization = reader })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/repos/create", new { name = "sp", type = "space" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/repos/create", new { name = "x", @private = true, visibility = "private" })).StatusCode);
    }

    [Fact]
    public async Task Org_writers_create_in_the_org_and_readers_cannot()
    {
        var (writer, writerToken) = await hub.CreateUserAsync();
        var (reader, readerToken) = await hub.CreateUserAsync();
        var org = LocalHubFixture.UniqueName("org");
        await hub.CreateOrgAsync(org, (writer, "write"), (reader, "read"));
        using var w = hub.RawClient(writerToken);
        Assert.Equal(HttpStatusCode.OK, (await w.PostAsJsonAsync("/api/repos/create", new { name = "shared", organization = org, @private = true })).StatusCode);
        using var r = hub.RawClient(readerToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await r.PostAsJsonAsync("/api/repos/create", new { name = "other", organization = org })).StatusCode);
        // an org member may read the org's private repo, but not write to it without a writer role
        Assert.Equal(HttpStatusCode.OK, (await r.GetAsync($"/api/models/{org}/shared")).StatusCode);
        var commit = await r.CommitAsync($"{org}/shared", "try", [HubFiles.File("a.txt", "a")]);
        Assert.Equal(HttpStatusCode.Forbidden, commit.StatusCode);
    }

    [Fact]
    public async Task Info_has_the_hub_fields_siblings_and_blobs()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("info-repo");
        var head = await client.CommitOkAsync(repo, "add", HubFiles.File("config.json", "{}"));

        var info = await (await client.GetAsync($"/api/models/{repo}")).JsonAsync();
        Assert.Equal(repo, info.GetProperty("id").GetString());
        Assert.Equal(user, info.GetProperty("author").GetString());
        Assert.Equal(head, info.GetProperty("sha").GetString());
        Assert.False(info.GetProperty("private").GetBoolean());
        Assert.False(info.GetProperty("gated").GetBoolean());
        Assert.False(info.GetProperty("disabled").GetBoolean());
        Assert.True(info.TryGetProperty("lastModified", out _));
        Assert.True(info.TryGetProperty("createdAt", out _));
        var siblings = info.GetProperty("siblings").EnumerateArray().Select(s => s.GetProperty("rfilename").GetString()).ToList();
        Assert.Equal([".gitattributes", "config.json"], siblings);
        Assert.False(info.GetProperty("siblings")[1].TryGetProperty("blobId", out _));

        var blobs = await (await client.GetAsync($"/api/models/{repo}/revision/main?blobs=true")).JsonAsync();
        var config = blobs.GetProperty("siblings")[1];
        Assert.Equal(HubFiles.GitBlobId("{}"u8.ToArray()), config.GetProperty("blobId").GetString());
        Assert.Equal(2, config.GetProperty("size").GetInt64());

        var expanded = await (await client.GetAsync($"/api/models/{repo}/revision/HEAD?expand[]=likes")).JsonAsync();
        Assert.Equal(["_id", "id", "likes"], expanded.EnumerateObject().Select(p => p.Name).ToList());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/models/{repo}?expand=nonsense")).StatusCode);

        var missingRevision = await client.GetAsync($"/api/models/{repo}/revision/nope");
        Assert.Equal(HttpStatusCode.NotFound, missingRevision.StatusCode);
        Assert.Equal("RevisionNotFound", missingRevision.ErrorCode());
    }

    [Fact]
    public async Task Private_repos_are_invisible_to_others_and_anonymous()
    {
        var (_, token) = await hub.CreateUserAsync();
        var (_, otherToken) = await hub.CreateUserAsync();
        using var owner = hub.RawClient(token);
        var repo = await owner.CreateRepoAsync("secret", isPrivate: true);
        await owner.CommitOkAsync(repo, "add", HubFiles.File("a.txt", "a"));
        using var other = hub.RawClient(otherToken);
        using var anonymous = hub.RawClient();
        foreach (var client in new[] { other, anonymous })
        {
            foreach (var url in new[] { $"/api/models/{repo}", $"/{repo}/resolve/main/a.txt", $"/api/models/{repo}/tree/main", $"/api/models/{repo}/commits/main", $"/api/models/{repo}/refs" })
            {
                var response = await client.GetAsync(url);
                // The Hub answers 401 to anonymous callers and 404 to signed-in ones, both with RepoNotFound.
                Assert.Equal(client == anonymous ? HttpStatusCode.Unauthorized : HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal("RepoNotFound", response.ErrorCode());
            }
            var list = await (await client.GetAsync($"/api/models?author={repo.Split('/')[0]}")).JsonAsync();
            Assert.Equal(0, list.GetArrayLength());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await other.CommitAsync(repo, "x", [HubFiles.File("b.txt", "b")])).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/models/{repo}/auth-check")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/models/{repo}/auth-check/write")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/models/{repo}")).StatusCode);
    }

    [Fact]
    public async Task Settings_switch_visibility_and_gating()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var owner = hub.RawClient(token);
        using var anonymous = hub.RawClient();
        var repo = await owner.CreateRepoAsync("vis", "dataset");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/api/datasets/{repo}")).StatusCode);
        var response = await owner.PutAsJsonAsync($"/api/datasets/{repo}/settings", new { @private = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("private").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/datasets/{repo}")).StatusCode);
        var gated = await owner.PutAsJsonAsync($"/api/datasets/{repo}/settings", new { gated = "auto", visibility = "public" });
        Assert.Equal("auto", (await gated.JsonAsync()).GetProperty("gated").GetString());
        Assert.Equal("auto", (await (await anonymous.GetAsync($"/api/datasets/{repo}")).JsonAsync()).GetProperty("gated").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync($"/api/datasets/{repo}/settings", new { @private = true })).StatusCode);
    }

    [Fact]
    public async Task Delete_answers_OK_then_the_repo_is_gone_and_move_renames()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("doomed");
        var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/repos/delete") { Content = JsonContent.Create(new { name = "doomed", organization = user, type = "model" }) };
        var response = await client.SendAsync(delete);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/models/{repo}")).StatusCode);
        var again = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/repos/delete") { Content = JsonContent.Create(new { name = "doomed", organization = user }) });
        Assert.Equal("RepoNotFound", again.ErrorCode());

        var old = await client.CreateRepoAsync("old-name");
        await client.CommitOkAsync(old, "add", HubFiles.File("kept.txt", "kept"));
        var move = await client.PostAsJsonAsync("/api/repos/move", new { fromRepo = old, toRepo = $"{user}/new-name", type = "model" });
        Assert.Equal(HttpStatusCode.OK, move.StatusCode);
        // The old id redirects to the new one (see RepoIdentityTests), so a client following redirects lands there.
        Assert.Equal($"{user}/new-name", (await (await client.GetAsync($"/api/models/{old}")).JsonAsync()).GetProperty("id").GetString());
        Assert.Equal("kept", await client.GetStringAsync($"/{user}/new-name/resolve/main/kept.txt"));
    }

    [Fact]
    public async Task Listing_pages_with_absolute_link_and_honours_author_search_and_expand()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        for (var i = 0; i < 5; i++)
        {
            await client.CreateRepoAsync($"listed-{i}", "dataset");
        }
        await client.CreateRepoAsync("other-thing", "dataset");
        var names = new List<string>();
        string? url = $"/api/datasets?author={user}&search=listed&expand=private&expand=likes";
        var pages = 0;
        while (url is not null)
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.JsonAsync();
            Assert.True(page.GetArrayLength() <= 2);
            foreach (var item in page.EnumerateArray())
            {
                names.Add(item.GetProperty("id").GetString()!);
                Assert.Equal(["_id", "id", "private", "likes"], item.EnumerateObject().Select(p => p.Name).ToList());
            }
            pages++;
            url = null;
            if (response.Headers.TryGetValues("Link", out var links))
            {
                var match = System.Text.RegularExpressions.Regex.Match(links.First(), "<(https?://[^>]+)>;\\s+rel=\"([^\"]+)\"");
                Assert.True(match.Success, links.First());
                Assert.Equal("next", match.Groups[2].Value);
                url = match.Groups[1].Value;
            }
        }
        Assert.Equal(3, pages);
        Assert.Equal(5, names.Distinct().Count());
        Assert.All(names, n => Assert.Contains("listed", n));
        var full = await (await client.GetAsync($"/api/datasets?author={user}&full=true&limit=1")).JsonAsync();
        Assert.True(full[0].TryGetProperty("siblings", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/models?expand=bogus")).StatusCode);
    }
}
