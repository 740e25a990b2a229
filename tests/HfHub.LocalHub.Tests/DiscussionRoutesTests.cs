using System.Net;
using System.Net.Http.Json;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests;

/// <summary>Discussions and pull requests: one numbering with <c>refs/pr/N</c>, who may do what, and merges.</summary>
public sealed class DiscussionRoutesTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task Discussions_and_pull_requests_share_numbers_and_a_create_pr_commit_opens_one()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync(LocalHubFixture.UniqueName("talk"));
        var first = await (await client.PostAsJsonAsync($"/api/models/{repo}/discussions", new { title = "Hello", description = "hi", pullRequest = false })).JsonAsync();
        Assert.Equal(1, first.GetProperty("num").GetInt32());

        var commit = await client.CommitAsync(repo, "Propose", [HubFiles.File("b.txt", "b")], createPr: true);
        var answer = await commit.JsonAsync();
        Assert.EndsWith("/discussions/2", answer.GetProperty("pullRequestUrl").GetString(), StringComparison.Ordinal);
        var details = await (await client.GetAsync($"/api/models/{repo}/discussions/2")).JsonAsync();
        Assert.True(details.GetProperty("isPullRequest").GetBoolean());
        Assert.Equal("open", details.GetProperty("status").GetString());
        Assert.Equal("refs/heads/main", details.GetProperty("changes").GetProperty("base").GetString());
        Assert.Equal(["comment", "commit"], details.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()));

        var list = await (await client.GetAsync($"/api/models/{repo}/discussions?type=pull_request")).JsonAsync();
        Assert.Equal(1, list.GetProperty("count").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/models/{repo}/discussions/9")).StatusCode);
    }

    [Fact]
    public async Task Only_writers_merge_and_anonymous_callers_cannot_open_discussions()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var owner = hub.RawClient(token);
        var repo = await owner.CreateRepoAsync(LocalHubFixture.UniqueName("merge"));
        var commit = await (await owner.CommitAsync(repo, "Add c", [HubFiles.File("c.txt", "c")], createPr: true)).JsonAsync();
        var num = commit.GetProperty("pullRequestUrl").GetString()!.Split('/')[^1];

        using var stranger = hub.RawClient((await hub.CreateUserAsync()).Token);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsJsonAsync($"/api/models/{repo}/discussions/{num}/merge", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsJsonAsync($"/api/models/{repo}/discussions/{num}/status", new { status = "closed" })).StatusCode);
        using var anonymous = hub.RawClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync($"/api/models/{repo}/discussions", new { title = "x" })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync($"/api/models/{repo}/discussions/{num}/merge", new { })).StatusCode);
        Assert.Equal("c", await owner.GetStringAsync($"/{repo}/resolve/main/c.txt"));
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.PostAsJsonAsync($"/api/models/{repo}/discussions/{num}/merge", new { })).StatusCode);
    }
}
