using System.Net;
using System.Net.Http.Json;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests;

/// <summary>Repo ids without a namespace (canonical repos) and the redirect a renamed repo leaves behind.</summary>
public sealed class RepoIdentityTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task A_canonical_repo_is_served_by_every_route_under_its_bare_name()
    {
        var (owner, token) = await hub.CreateUserAsync();
        var name = LocalHubFixture.UniqueName("gpt");
        await hub.CreateCanonicalRepoAsync("model", name, owner);
        using var client = hub.RawClient(token);
        await client.CommitOkAsync(name, "weights", HubFiles.File("config.json", "{}"));

        var info = await (await client.GetAsync($"/api/models/{name}")).JsonAsync();
        Assert.Equal(name, info.GetProperty("id").GetString());
        Assert.Equal("{}", await client.GetStringAsync($"/{name}/resolve/main/config.json"));
        Assert.Equal("{}", await client.GetStringAsync($"/{name}/raw/main/config.json"));
        var tree = await (await client.GetAsync($"/api/models/{name}/tree/main")).JsonAsync();
        Assert.Contains(tree.EnumerateArray(), e => e.GetProperty("path").GetString() == "config.json");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/models/{name}/refs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/models/{name}/revision/main")).StatusCode);

        using var other = hub.RawClient((await hub.CreateUserAsync()).Token);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.CommitAsync(name, "not mine", [HubFiles.File("x.txt", "x")])).StatusCode);
    }

    [Theory]
    [InlineData("/api/models/{0}")]
    [InlineData("/api/datasets/{0}")]
    [InlineData("/api/models/{0}/revision/main")]
    [InlineData("/api/models/{0}/tree/main")]
    [InlineData("/{0}/resolve/main/config.json")]
    [InlineData("/datasets/{0}/resolve/main/data.csv")]
    public async Task A_missing_bare_id_is_repo_not_found_not_the_generic_404(string template)
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var response = await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, LocalHubFixture.UniqueName("none")));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("RepoNotFound", response.Headers.GetValues("X-Error-Code").Single());
    }

    [Fact]
    public async Task A_moved_repo_redirects_its_old_id_relatively_for_the_api_and_resolve()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = hub.Endpoint };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var old = await client.CreateRepoAsync("before");
        await client.CommitOkAsync(old, "file", HubFiles.File("a.txt", "moved content"));
        Assert.True((await client.PostAsJsonAsync("/api/repos/move", new { fromRepo = old, toRepo = $"{user}/after", type = "model" })).IsSuccessStatusCode);

        var api = await client.GetAsync($"/api/models/{old}/revision/main?expand=sha");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, api.StatusCode);
        Assert.Equal($"/api/models/{user}/after/revision/main?expand=sha", api.Headers.Location!.OriginalString);
        var resolve = await client.GetAsync($"/{old}/resolve/main/a.txt");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, resolve.StatusCode);
        Assert.Equal($"/{user}/after/resolve/main/a.txt", resolve.Headers.Location!.OriginalString);
        Assert.Equal("moved content", await client.GetStringAsync(resolve.Headers.Location));

        // A new repo under the old name takes the name back: no redirect any more.
        await client.CreateRepoAsync("before");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/models/{old}")).StatusCode);
    }

    [Fact]
    public async Task A_moved_private_repo_does_not_redirect_callers_who_cannot_read_it()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var old = await client.CreateRepoAsync("secret", isPrivate: true);
        Assert.True((await client.PostAsJsonAsync("/api/repos/move", new { fromRepo = old, toRepo = $"{user}/secret2", type = "model" })).IsSuccessStatusCode);
        using var stranger = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = hub.Endpoint };
        stranger.DefaultRequestHeaders.Authorization = new("Bearer", (await hub.CreateUserAsync()).Token);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/models/{old}")).StatusCode);
    }
}
