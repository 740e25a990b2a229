using System.Net;
using System.Net.Http.Json;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests;

/// <summary>Error texts and orders clients match on, as the Hub words them.</summary>
public sealed class ClientMatchedErrorTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task Moving_onto_an_existing_repo_names_the_repo_type_and_id()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var a = await client.CreateRepoAsync("a", "dataset");
        var b = await client.CreateRepoAsync("b", "dataset");
        var response = await client.PostAsJsonAsync("/api/repos/move", new { fromRepo = a, toRepo = b, type = "dataset" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal($"A dataset repository called {user}/b already exists", (await response.JsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Branch_errors_use_the_hubs_words()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("branches");
        Assert.True((await client.PostAsJsonAsync($"/api/models/{repo}/branch/dev", new { })).IsSuccessStatusCode);
        var again = await client.PostAsJsonAsync($"/api/models/{repo}/branch/dev", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("Reference refs/heads/dev already exists", (await again.JsonAsync()).GetProperty("error").GetString());
        var main = await client.DeleteAsync($"/api/models/{repo}/branch/main");
        Assert.Equal(HttpStatusCode.Forbidden, main.StatusCode);
        Assert.Equal("Cannot delete refs/heads/main", (await main.JsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_tag_on_a_missing_revision_is_revision_not_found_before_the_tag_name_is_checked()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("tags");
        var response = await client.PostAsJsonAsync($"/api/models/{repo}/tag/no-such-branch", new { tag = "bad..name" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("RevisionNotFound", response.Headers.GetValues("X-Error-Code").Single());
    }
}
