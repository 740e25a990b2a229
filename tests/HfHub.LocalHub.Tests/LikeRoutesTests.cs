using System.Net;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests;

/// <summary>Likes and the storage list: who may like, whose likes others see, whose repos are listed.</summary>
public sealed class LikeRoutesTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task Scripts_cannot_like_and_others_never_see_private_likes()
    {
        var (owner, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var open = await client.CreateRepoAsync(LocalHubFixture.UniqueName("open"));
        var hidden = await client.CreateRepoAsync(LocalHubFixture.UniqueName("hidden"), isPrivate: true);
        // A script cannot like (the Hub's rule); the admin route stands in for a click on the page.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"/api/models/{open}/like", null)).StatusCode);
        await hub.LikeAsync(owner, "model", open);
        await hub.LikeAsync(owner, "model", open); // twice is once
        await hub.LikeAsync(owner, "model", hidden);

        using var stranger = hub.RawClient((await hub.CreateUserAsync()).Token);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/api/models/{hidden}/like", null)).StatusCode);
        using var anonymous = hub.RawClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync($"/api/models/{open}/like")).StatusCode);

        var own = await (await client.GetAsync($"/api/users/{owner}/likes")).JsonAsync();
        Assert.Equal(2, own.GetArrayLength());
        var seen = await (await stranger.GetAsync($"/api/users/{owner}/likes")).JsonAsync();
        Assert.Equal(open, Assert.Single(seen.EnumerateArray()).GetProperty("repo").GetProperty("name").GetString());
        Assert.Equal(1, (await (await stranger.GetAsync($"/api/models/{open}")).JsonAsync()).GetProperty("likes").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/api/users/nobody-at-all-here/likes")).StatusCode);
    }

    [Fact]
    public async Task The_storage_list_shows_the_callers_repos_and_an_organisations_only_to_its_members()
    {
        var (owner, token) = await hub.CreateUserAsync();
        var org = LocalHubFixture.UniqueName("org");
        await hub.CreateOrgAsync(org, (owner, "admin"));
        using var client = hub.RawClient(token);
        var mine = await client.CreateRepoAsync(LocalHubFixture.UniqueName("mine"));
        var theirs = await client.CreateRepoAsync(LocalHubFixture.UniqueName("theirs"), organization: org);

        var listed = await (await client.GetAsync("/api/settings/repositories")).JsonAsync();
        var entry = Assert.Single(listed.EnumerateArray());
        Assert.Equal(mine, entry.GetProperty("id").GetString());
        Assert.Equal("public", entry.GetProperty("visibility").GetString());
        Assert.True(entry.GetProperty("storage").GetInt64() > 0, entry.ToString()); // the initial .gitattributes
        var orgList = await (await client.GetAsync($"/api/organizations/{org}/settings/repositories")).JsonAsync();
        Assert.Equal(theirs, Assert.Single(orgList.EnumerateArray()).GetProperty("id").GetString());

        using var stranger = hub.RawClient((await hub.CreateUserAsync()).Token);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/organizations/{org}/settings/repositories")).StatusCode);
        using var anonymous = hub.RawClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/settings/repositories")).StatusCode);
    }
}
