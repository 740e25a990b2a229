using System.Net;
using System.Net.Http.Json;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests;

/// <summary>Gated repos: files download only for the namespace and for users whose access request was accepted.</summary>
public sealed class GatedRepoTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    private async Task<(string Repo, HttpClient Owner)> GatedRepoAsync(string mode)
    {
        var (_, token) = await hub.CreateUserAsync();
        var owner = hub.RawClient(token);
        var repo = await owner.CreateRepoAsync(LocalHubFixture.UniqueName("gated"));
        await owner.CommitOkAsync(repo, "files", HubFiles.File("config.json", "{}"), HubFiles.File("README.md", "# card"));
        var settings = await owner.PutAsJsonAsync($"/api/models/{repo}/settings", new { gated = mode });
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        return (repo, owner);
    }

    private static void AssertGated(HttpResponseMessage response, HttpStatusCode status, string text)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("GatedRepo", response.Headers.GetValues("X-Error-Code").Single());
        Assert.Contains(text, response.Headers.GetValues("X-Error-Message").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_callers_get_401_and_strangers_403_while_the_card_and_info_stay_open()
    {
        var (repo, owner) = await GatedRepoAsync("auto");
        using var _ = owner;
        using var anonymous = hub.RawClient();
        AssertGated(await anonymous.GetAsync($"/{repo}/resolve/main/config.json"), HttpStatusCode.Unauthorized, "Please log in");
        using var stranger = hub.RawClient((await hub.CreateUserAsync()).Token);
        AssertGated(await stranger.GetAsync($"/{repo}/resolve/main/config.json"), HttpStatusCode.Forbidden, "not in the authorized list");
        AssertGated(await stranger.GetAsync($"/{repo}/raw/main/config.json"), HttpStatusCode.Forbidden, "not in the authorized list");
        AssertGated(await stranger.GetAsync($"/api/models/{repo}/xet-read-token/main"), HttpStatusCode.Forbidden, "restricted");

        Assert.Equal("# card", await stranger.GetStringAsync($"/{repo}/resolve/main/README.md"));
        var info = await (await stranger.GetAsync($"/api/models/{repo}")).JsonAsync();
        Assert.Equal("auto", info.GetProperty("gated").GetString());
        Assert.Equal("{}", await owner.GetStringAsync($"/{repo}/resolve/main/config.json"));
    }

    [Fact]
    public async Task Auto_grants_on_request()
    {
        var (repo, owner) = await GatedRepoAsync("auto");
        using var _ = owner;
        using var user = hub.RawClient((await hub.CreateUserAsync()).Token);
        var asked = await (await user.PostAsync($"/{repo}/ask-access", null)).JsonAsync();
        Assert.Equal("accepted", asked.GetProperty("status").GetString());
        Assert.Equal("{}", await user.GetStringAsync($"/{repo}/resolve/main/config.json"));
    }

    [Fact]
    public async Task Manual_waits_for_an_admin_who_can_accept_cancel_and_grant()
    {
        var (repo, owner) = await GatedRepoAsync("manual");
        using var _ = owner;
        var (name, token) = await hub.CreateUserAsync();
        using var user = hub.RawClient(token);
        var asked = await (await user.PostAsync($"/{repo}/ask-access", null)).JsonAsync();
        Assert.Equal("pending", asked.GetProperty("status").GetString());
        AssertGated(await user.GetAsync($"/{repo}/resolve/main/config.json"), HttpStatusCode.Forbidden, "restricted");

        var pending = await (await owner.GetAsync($"/api/models/{repo}/user-access-request/pending")).JsonAsync();
        var entry = Assert.Single(pending.EnumerateArray());
        Assert.Equal(name, entry.GetProperty("user").GetProperty("user").GetString());
        Assert.Equal("pending", entry.GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync($"/api/models/{repo}/user-access-request/handle", new { user = name, status = "accepted" })).StatusCode);
        Assert.Equal("{}", await user.GetStringAsync($"/{repo}/resolve/main/config.json"));
        Assert.Equal(HttpStatusCode.NotFound, (await owner.PostAsJsonAsync($"/api/models/{repo}/user-access-request/handle", new { user = name, status = "accepted" })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync($"/api/models/{repo}/user-access-request/handle", new { user = name, status = "pending" })).StatusCode);
        AssertGated(await user.GetAsync($"/{repo}/resolve/main/config.json"), HttpStatusCode.Forbidden, "restricted");

        var (other, otherToken) = await hub.CreateUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync($"/api/models/{repo}/user-access-request/grant", new { user = other })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.PostAsJsonAsync($"/api/models/{repo}/user-access-request/grant", new { user = other })).StatusCode);
        using var granted = hub.RawClient(otherToken);
        Assert.Equal("{}", await granted.GetStringAsync($"/{repo}/resolve/main/config.json"));
    }

    [Fact]
    public async Task The_admin_routes_refuse_readers_unknown_users_and_ungated_repos()
    {
        var (repo, owner) = await GatedRepoAsync("manual");
        using var _ = owner;
        using var reader = hub.RawClient((await hub.CreateUserAsync()).Token);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync($"/api/models/{repo}/user-access-request/pending")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.PostAsJsonAsync($"/api/models/{repo}/user-access-request/grant", new { user = "nobody-" + Guid.NewGuid().ToString("N")[..8] })).StatusCode);
        var (stranger, _) = await hub.CreateUserAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await owner.PostAsJsonAsync($"/api/models/{repo}/user-access-request/handle", new { user = stranger, status = "accepted" })).StatusCode);

        var open = await owner.CreateRepoAsync(LocalHubFixture.UniqueName("open"));
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.GetAsync($"/api/models/{open}/user-access-request/pending")).StatusCode);
    }
}
