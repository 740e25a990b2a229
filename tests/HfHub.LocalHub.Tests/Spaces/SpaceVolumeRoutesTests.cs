using System.Net;
using System.Text;
using System.Text.Json;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests.Spaces;

/// <summary>Space volumes on the local hub: PUT/DELETE <c>…/volumes</c>, at create and duplicate time, and in the runtime.</summary>
public sealed class SpaceVolumeRoutesTests(SpacesHubFixture hub) : IClassFixture<SpacesHubFixture>
{
    private const string Bucket = "{\"type\":\"bucket\",\"source\":\"ns/my-bucket\",\"mountPath\":\"/data\"}";
    private const string Dataset = "{\"type\":\"dataset\",\"source\":\"ns/ds\",\"mountPath\":\"/assets\",\"revision\":\"main\",\"path\":\"sub/dir\"}";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string CreateBody(string user, string name, string sdk, string extra = "") =>
        $"{{\"name\":\"{name}\",\"organization\":\"{user}\",\"type\":\"space\",\"sdk\":\"{sdk}\"{extra}}}";

    private async Task<(string User, HttpClient Http)> SpaceAsync(string name, string sdk = "docker", string extra = "")
    {
        var (user, token) = await hub.CreateUserAsync();
        var http = hub.RawClient(token);
        var created = await http.PostAsync("/api/repos/create", Json(CreateBody(user, name, sdk, extra)));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        return (user, http);
    }

    private static async Task<JsonElement> ReadJson(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static Task<HttpResponseMessage> Put(HttpClient http, string id, string volumes) =>
        http.PutAsync($"/api/spaces/{id}/volumes", Json($"{{\"volumes\":{volumes}}}"));

    private static Task<HttpResponseMessage> Delete(HttpClient http, string id) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/spaces/{id}/volumes"));

    private static async Task<string?> RuntimeVolumes(HttpClient http, string id)
    {
        var runtime = await ReadJson(await http.GetAsync($"/api/spaces/{id}/runtime"));
        return runtime.TryGetProperty("volumes", out var volumes) ? volumes.GetRawText() : null;
    }

    [Fact]
    public async Task Set_volumes_show_in_the_runtime_and_in_the_space_info_with_repos_forced_read_only()
    {
        var (user, http) = await SpaceAsync("vols");
        var id = $"{user}/vols";
        Assert.Null(await RuntimeVolumes(http, id));

        var set = await Put(http, id, $"[{Bucket},{Dataset}]");
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        const string Expected = "[{\"type\":\"bucket\",\"source\":\"ns/my-bucket\",\"mountPath\":\"/data\"},"
            + "{\"type\":\"dataset\",\"source\":\"ns/ds\",\"mountPath\":\"/assets\",\"revision\":\"main\",\"readOnly\":true,\"path\":\"sub/dir\"}]";
        Assert.Equal(Expected, (await ReadJson(set)).GetProperty("volumes").GetRawText());
        Assert.Equal(Expected, await RuntimeVolumes(http, id));
        var info = await ReadJson(await http.GetAsync($"/api/spaces/{id}"));
        Assert.Equal(Expected, info.GetProperty("runtime").GetProperty("volumes").GetRawText());
        var listed = await ReadJson(await http.GetAsync($"/api/spaces?author={user}&expand=runtime"));
        Assert.Equal(Expected, Assert.Single(listed.EnumerateArray()).GetProperty("runtime").GetProperty("volumes").GetRawText());

        // PUT replaces the whole list.
        Assert.Equal(HttpStatusCode.OK, (await Put(http, id, "[{\"type\":\"bucket\",\"source\":\"ns/b2\",\"mountPath\":\"/mnt\",\"readOnly\":true}]")).StatusCode);
        Assert.Equal("[{\"type\":\"bucket\",\"source\":\"ns/b2\",\"mountPath\":\"/mnt\",\"readOnly\":true}]", await RuntimeVolumes(http, id));
    }

    [Theory]
    [InlineData("[]", "at least one volume")]
    [InlineData("null", "at least one volume")]
    [InlineData("[{\"type\":\"bucket\",\"source\":\"ns/b\",\"mountPath\":\"data\"}]", "absolute path")]
    [InlineData("[{\"type\":\"bucket\",\"source\":\"ns/b\",\"mountPath\":\"/\"}]", "absolute path other than '/'")]
    [InlineData("[{\"type\":\"bucket\",\"source\":\"ns/b\",\"mountPath\":\"/a/../b\"}]", "absolute path")]
    [InlineData("[{\"type\":\"bucket\",\"source\":\"ns/b\",\"mountPath\":\"/d\"},{\"type\":\"model\",\"source\":\"ns/m\",\"mountPath\":\"/d\"}]", "more than one volume")]
    [InlineData("[{\"type\":\"dataset\",\"source\":\"ns/d\",\"mountPath\":\"/d\",\"readOnly\":false}]", "Only buckets can be mounted read-write")]
    [InlineData("[{\"type\":\"bucket\",\"source\":\"ns/b\",\"mountPath\":\"/d\",\"revision\":\"main\"}]", "Buckets have no revisions")]
    [InlineData("[{\"type\":\"kernel\",\"source\":\"ns/k\",\"mountPath\":\"/d\"}]", "Invalid volume type")]
    [InlineData("[{\"source\":\"ns/k\",\"mountPath\":\"/d\"}]", "Invalid volume type")]
    [InlineData("[{\"type\":\"model\",\"source\":\"just-a-name\",\"mountPath\":\"/d\"}]", "Invalid volume source")]
    [InlineData("[{\"type\":\"model\",\"source\":\"ns/m\",\"mountPath\":\"/d\",\"path\":\"../up\"}]", "Invalid path")]
    [InlineData("[{\"type\":\"bucket\",\"source\":\"ns/b\",\"mountPath\":\"/d\",\"readOnly\":\"yes\"}]", "must be a boolean")]
    [InlineData("[\"hf://ns/m:/d\"]", "must be an object")]
    public async Task Bad_volumes_are_refused_with_400_and_leave_the_old_list_in_place(string volumes, string reason)
    {
        var (user, http) = await SpaceAsync(LocalHubFixture.UniqueName("bad"));
        var id = user + "/" + (await ReadJson(await http.GetAsync($"/api/spaces?author={user}"))).EnumerateArray().Single().GetProperty("id").GetString()!.Split('/')[1];
        Assert.Equal(HttpStatusCode.OK, (await Put(http, id, $"[{Bucket}]")).StatusCode);
        var refused = await Put(http, id, volumes);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(reason, (await ReadJson(refused)).GetProperty("error").GetString());
        Assert.Equal($"[{Bucket}]", await RuntimeVolumes(http, id));
    }

    [Fact]
    public async Task Delete_removes_every_volume_and_a_second_delete_is_a_400()
    {
        var (user, http) = await SpaceAsync("del", extra: $",\"volumes\":[{Bucket}]");
        var id = $"{user}/del";
        Assert.Equal($"[{Bucket}]", await RuntimeVolumes(http, id));
        var deleted = await Delete(http, id);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.False((await ReadJson(deleted)).TryGetProperty("volumes", out _));
        Assert.Null(await RuntimeVolumes(http, id));
        var again = await Delete(http, id);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("has no volumes", (await ReadJson(again)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_static_space_refuses_volumes_at_creation_and_afterwards()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var http = hub.RawClient(token);
        var refused = await http.PostAsync("/api/repos/create", Json(CreateBody(user, "site", "static", $",\"volumes\":[{Bucket}]")));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("volumes are not supported on static Spaces", (await ReadJson(refused)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/spaces/{user}/site")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/repos/create", Json(CreateBody(user, "site", "static")))).StatusCode);
        var put = await Put(http, $"{user}/site", $"[{Bucket}]");
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("volumes are not supported on static Spaces", (await ReadJson(put)).GetProperty("error").GetString());
        Assert.Null(await RuntimeVolumes(http, $"{user}/site"));
    }

    [Fact]
    public async Task A_duplicate_gets_the_volumes_its_request_names_and_never_the_sources()
    {
        var (user, http) = await SpaceAsync("orig", extra: $",\"volumes\":[{Bucket}]");
        var plain = await http.PostAsync($"/api/spaces/{user}/orig/duplicate", Json($"{{\"repository\":\"{user}/copy1\"}}"));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Null(await RuntimeVolumes(http, $"{user}/copy1"));

        var named = await http.PostAsync($"/api/spaces/{user}/orig/duplicate", Json($"{{\"repository\":\"{user}/copy2\",\"volumes\":[{Dataset}]}}"));
        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
        Assert.Contains("\"source\":\"ns/ds\"", await RuntimeVolumes(http, $"{user}/copy2"));

        var bad = await http.PostAsync($"/api/spaces/{user}/orig/duplicate",
            Json($"{{\"repository\":\"{user}/copy3\",\"volumes\":[{{\"type\":\"model\",\"source\":\"ns/m\",\"mountPath\":\"/m\",\"readOnly\":false}}]}}"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/spaces/{user}/copy3")).StatusCode);
    }

    [Fact]
    public async Task A_change_of_volumes_restarts_a_running_app()
    {
        var files = $",\"files\":[{{\"path\":\"Dockerfile\",\"content\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(SpacesHubFixture.GoodDockerfile))}\",\"encoding\":\"base64\"}}]";
        var (user, http) = await SpaceAsync("live", extra: files);
        var id = $"{user}/live";
        await SpacesHubFixture.Eventually(async () => (await ReadJson(await http.GetAsync($"/api/spaces/{id}/runtime"))).GetProperty("stage").GetString() == "RUNNING", "RUNNING");
        var set = await ReadJson(await Put(http, id, $"[{Bucket}]"));
        Assert.Equal("APP_STARTING", set.GetProperty("stage").GetString());
        await SpacesHubFixture.Eventually(async () => (await ReadJson(await http.GetAsync($"/api/spaces/{id}/runtime"))).GetProperty("stage").GetString() == "RUNNING", "RUNNING again");
        // Delete restarts it too; a paused Space would keep its pause (volumes apply at its next start).
        Assert.Equal("APP_STARTING", (await ReadJson(await Delete(http, id))).GetProperty("stage").GetString());
    }

    [Fact]
    public async Task Only_the_owner_with_a_write_token_may_change_volumes()
    {
        var (user, http) = await SpaceAsync("guarded");
        var id = $"{user}/guarded";
        var (_, otherToken) = await hub.CreateUserAsync();
        using var other = hub.RawClient(otherToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await Put(other, id, $"[{Bucket}]")).StatusCode);
        using var anonymous = hub.RawClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await Delete(anonymous, id)).StatusCode);
        var readToken = await hub.CreateTokenAsync(user, "read");
        using var reader = hub.RawClient(readToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await Put(reader, id, $"[{Bucket}]")).StatusCode);
        Assert.Null(await RuntimeVolumes(http, id));
    }

    [Fact]
    public async Task A_volume_whose_source_is_missing_or_unreadable_is_refused_alike()
    {
        var (owner, ownerToken) = await hub.CreateUserAsync();
        using var ownerHttp = hub.RawClient(ownerToken);
        Assert.Equal(HttpStatusCode.OK, (await ownerHttp.PostAsync($"/api/buckets/{owner}/secret", Json("{\"private\":true}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ownerHttp.PostAsync("/api/repos/create", Json("{\"name\":\"hidden\",\"type\":\"dataset\",\"private\":true}"))).StatusCode);

        var (user, http) = await SpaceAsync("strict");
        var id = $"{user}/strict";
        foreach (var (volume, named) in new[]
        {
            ($"{{\"type\":\"bucket\",\"source\":\"{owner}/secret\",\"mountPath\":\"/s\"}}", $"bucket {owner}/secret"),
            ($"{{\"type\":\"bucket\",\"source\":\"{owner}/nothing\",\"mountPath\":\"/s\"}}", $"bucket {owner}/nothing"),
            ($"{{\"type\":\"dataset\",\"source\":\"{owner}/hidden\",\"mountPath\":\"/d\"}}", $"dataset {owner}/hidden"),
            ("{\"type\":\"model\",\"source\":\"ns/ds\",\"mountPath\":\"/d\"}", "model ns/ds"),
        })
        {
            var refused = await Put(http, id, $"[{Bucket},{volume}]");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var error = (await ReadJson(refused)).GetProperty("error").GetString()!;
            Assert.StartsWith("Invalid volume at /", error, StringComparison.Ordinal);
            Assert.Contains($"{named} not found (it does not exist or you cannot read it)", error, StringComparison.Ordinal);
        }
        Assert.Null(await RuntimeVolumes(http, id));

        var secret = $"{{\"type\":\"bucket\",\"source\":\"{owner}/secret\",\"mountPath\":\"/data\"}}";
        var atCreate = await http.PostAsync("/api/repos/create", Json(CreateBody(user, "strict2", "docker", $",\"volumes\":[{secret}]")));
        Assert.Equal(HttpStatusCode.BadRequest, atCreate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/spaces/{user}/strict2")).StatusCode);
        var atDuplicate = await http.PostAsync($"/api/spaces/{id}/duplicate", Json($"{{\"repository\":\"{user}/strict3\",\"volumes\":[{secret}]}}"));
        Assert.Equal(HttpStatusCode.BadRequest, atDuplicate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/spaces/{user}/strict3")).StatusCode);

        // Its owner may mount it.
        Assert.Equal(HttpStatusCode.OK, (await ownerHttp.PostAsync("/api/repos/create", Json(CreateBody(owner, "own", "docker")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Put(ownerHttp, $"{owner}/own", $"[{secret}]")).StatusCode);
    }

    [Fact]
    public async Task A_private_source_is_masked_for_readers_who_cannot_read_it()
    {
        var (owner, token) = await hub.CreateUserAsync();
        using var http = hub.RawClient(token);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/buckets/{owner}/secret", Json("{\"private\":true}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/repos/create", Json(CreateBody(owner, "shown", "docker")))).StatusCode);
        var id = $"{owner}/shown";
        var secret = $"{{\"type\":\"bucket\",\"source\":\"{owner}/secret\",\"mountPath\":\"/data\",\"path\":\"db\"}}";
        Assert.Equal(HttpStatusCode.OK, (await Put(http, id, $"[{secret},{Dataset}]")).StatusCode);

        var full = $"[{secret},{Dataset.Replace("\"path\"", "\"readOnly\":true,\"path\"", StringComparison.Ordinal)}]";
        Assert.Equal(full, await RuntimeVolumes(http, id));
        const string Masked = "{\"type\":\"bucket\",\"source\":\"****/******\",\"mountPath\":\"/data\"}";
        var (_, strangerToken) = await hub.CreateUserAsync();
        using var stranger = hub.RawClient(strangerToken);
        using var anonymous = hub.RawClient();
        foreach (var reader in new[] { stranger, anonymous })
        {
            var seen = await RuntimeVolumes(reader, id);
            Assert.StartsWith($"[{Masked},", seen, StringComparison.Ordinal);
            Assert.Contains("\"source\":\"ns/ds\"", seen, StringComparison.Ordinal);
            var info = await ReadJson(await reader.GetAsync($"/api/spaces/{id}"));
            Assert.Equal(seen, info.GetProperty("runtime").GetProperty("volumes").GetRawText());
            var listed = await ReadJson(await reader.GetAsync($"/api/spaces?author={owner}&expand=runtime"));
            Assert.Equal(seen, Assert.Single(listed.EnumerateArray()).GetProperty("runtime").GetProperty("volumes").GetRawText());
        }
        Assert.DoesNotContain($"{owner}/secret", await (await stranger.GetAsync($"/api/spaces/{id}")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
