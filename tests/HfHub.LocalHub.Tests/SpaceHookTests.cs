using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HfCtl.Testing;
using HfHub.LocalHub.Spaces;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Tests;

public sealed class SpaceHookTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    private sealed class RecordingHooks : ISpaceHooks
    {
        public List<string> Calls { get; } = [];

        public string? ValidateCreate(JsonElement body, HfHub.LocalHub.Api.HubCaller caller) =>
            body.TryGetProperty("hardware", out var hardware) && hardware.GetString() == "nonsense" ? "Invalid hardware" : null;

        public void OnCreated(Repo space, JsonElement body) => Calls.Add($"created {space.FullName} {space.Sdk}");

        public void OnCommitted(Repo space, string branch, string commitId, IReadOnlyList<string> changedPaths) =>
            Calls.Add($"committed {space.FullName} {branch} {string.Join(',', changedPaths)}");

        public void OnDeleted(Repo space) => Calls.Add($"deleted {space.FullName}");
    }

    [Fact]
    public async Task Space_repos_call_the_spaces_hooks_and_other_repos_do_not()
    {
        var hooks = new RecordingHooks();
        hub.Hub.State.SpaceHooks = hooks;
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);

        var invalid = await client.PostAsJsonAsync("/api/repos/create", new { name = "app", type = "space", sdk = "docker", hardware = "nonsense" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/spaces/{user}/app")).StatusCode);

        var repo = await client.CreateRepoAsync("app", "space");
        await client.CommitAsync(repo, "app", [HubFiles.File("app.py", "print(1)"), HubFiles.File("requirements.txt", "")], type: "space");
        await client.CreateRepoAsync("plain-model");
        var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/repos/delete") { Content = JsonContent.Create(new { name = "app", organization = user, type = "space" }) };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(delete)).StatusCode);

        Assert.Equal([$"created {repo} static", $"committed {repo} main app.py,requirements.txt", $"deleted {repo}"], hooks.Calls);
    }

    [Fact]
    public async Task A_new_space_has_a_readme_card_and_its_info_names_the_sdk()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("carded", "space");
        var readme = await client.GetStringAsync($"/spaces/{repo}/resolve/main/README.md");
        Assert.Contains("sdk: static", readme);
        var info = await (await client.GetAsync($"/api/spaces/{repo}/revision/HEAD?expand=sdk&expand=likes&expand=private&expand=lastModified")).JsonAsync();
        Assert.Equal("static", info.GetProperty("sdk").GetString());
        Assert.Equal(["_id", "id", "lastModified", "private", "likes", "sdk"], info.EnumerateObject().Select(p => p.Name).ToList());
        var full = await (await client.GetAsync($"/api/spaces/{repo}")).JsonAsync();
        Assert.Equal("static", full.GetProperty("cardData").GetProperty("sdk").GetString());
        Assert.False(full.GetProperty("cardData").GetProperty("pinned").GetBoolean());
        Assert.Equal("carded", full.GetProperty("cardData").GetProperty("title").GetString());
    }
}
