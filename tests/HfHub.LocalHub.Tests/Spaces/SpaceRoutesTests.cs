using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests.Spaces;

/// <summary>The Spaces routes' wire shapes, status codes and SSE format, as the recorded production traffic shows them.</summary>
public sealed class SpaceRoutesTests(SpacesHubFixture hub) : IClassFixture<SpacesHubFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<(string User, HttpClient Http)> SpaceAsync(string name, string? files = null)
    {
        var (user, token) = await hub.CreateUserAsync();
        var http = hub.RawClient(token);
        var body = $"{{\"name\":\"{name}\",\"organization\":\"{user}\",\"private\":false,\"type\":\"space\",\"sdk\":\"docker\"{(files is null ? "" : ",\"files\":" + files)}}}";
        var created = await http.PostAsync("/api/repos/create", Json(body));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        return (user, http);
    }

    private static string DockerFiles =>
        $"[{{\"path\":\"Dockerfile\",\"content\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(SpacesHubFixture.GoodDockerfile))}\",\"encoding\":\"base64\"}}]";

    private static async Task<JsonElement> ReadJson(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Runtime_has_the_recorded_shape_and_pause_restart_return_it()
    {
        var (user, http) = await SpaceAsync("shape");
        var runtime = await http.GetStringAsync($"/api/spaces/{user}/shape/runtime");
        var sub = $"{user.ToLowerInvariant()}-shape";
        Assert.StartsWith("{\"stage\":\"NO_APP_FILE\",\"hardware\":{\"current\":null,\"requested\":\"cpu-basic\"},\"storage\":null,\"gcTimeout\":172800,\"replicas\":{\"requested\":1},\"devMode\":false,\"domains\":[{\"domain\":", runtime);
        Assert.Contains($"/_spaces/{sub}\",\"stage\":\"READY\"}}]", runtime);

        var commit = "{\"key\":\"header\",\"value\":{\"summary\":\"app\"}}\n{\"key\":\"file\",\"value\":{\"path\":\"Dockerfile\",\"encoding\":\"base64\",\"content\":\""
            + Convert.ToBase64String(Encoding.UTF8.GetBytes(SpacesHubFixture.GoodDockerfile)) + "\"}}\n";
        var committed = await http.PostAsync($"/api/spaces/{user}/shape/commit/main", new StringContent(commit, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        var paused = await ReadJson(await http.PostAsync($"/api/spaces/{user}/shape/pause", null));
        Assert.Equal("PAUSED", paused.GetProperty("stage").GetString());
        var restarted = await ReadJson(await http.PostAsync($"/api/spaces/{user}/shape/restart?factory=true", null));
        Assert.Equal("BUILDING", restarted.GetProperty("stage").GetString());
        var build = await http.GetStringAsync($"/api/spaces/{user}/shape/logs/build");
        Assert.Contains("Factory rebuild", build);

        var info = await ReadJson(await http.GetAsync($"/api/spaces/{user}/shape"));
        Assert.Equal(sub, info.GetProperty("subdomain").GetString());
        Assert.Equal($"{hub.EndpointText}/_spaces/{sub}", info.GetProperty("host").GetString());
        Assert.True(info.GetProperty("runtime").TryGetProperty("stage", out _));
        var listed = await ReadJson(await http.GetAsync($"/api/spaces?author={user}&expand=runtime&expand=host"));
        var item = Assert.Single(listed.EnumerateArray());
        Assert.Equal(["_id", "id", "host", "runtime"], item.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Secrets_and_variables_answer_like_the_recorded_traffic()
    {
        var (user, http) = await SpaceAsync("settings");
        var set = await http.PostAsync($"/api/spaces/{user}/settings/secrets", Json("{\"key\":\"foo\",\"value\":\"123\"}"));
        Assert.Equal("{}", await set.Content.ReadAsStringAsync());
        await http.PostAsync($"/api/spaces/{user}/settings/secrets", Json("{\"key\":\"bar\",\"value\":\"456\",\"description\":\"This is a secret\"}"));
        var listed = await ReadJson(await http.GetAsync($"/api/spaces/{user}/settings/secrets"));
        Assert.Equal("This is a secret", listed.GetProperty("bar").GetProperty("description").GetString());
        Assert.False(listed.GetProperty("foo").TryGetProperty("value", out _));
        Assert.True(listed.GetProperty("foo").TryGetProperty("updatedAt", out _));

        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/spaces/{user}/settings/secrets") { Content = Json("{\"key\":\"never-set\"}") };
        var deleted = await http.SendAsync(delete);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("{}", await deleted.Content.ReadAsStringAsync());

        var bad = await http.PostAsync($"/api/spaces/{user}/settings/secrets", Json("{\"key\":\"9lives\",\"value\":\"x\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("^[a-zA-Z][_a-zA-Z0-9]*$", (await ReadJson(bad)).GetProperty("error").GetString());

        var variables = await ReadJson(await http.PostAsync($"/api/spaces/{user}/settings/variables", Json("{\"key\":\"MODEL_REPO_ID\",\"value\":\"user/repo\"}")));
        Assert.Equal("user/repo", variables.GetProperty("MODEL_REPO_ID").GetProperty("value").GetString());
        var removed = await http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/spaces/{user}/settings/variables") { Content = Json("{\"key\":\"MODEL_REPO_ID\"}") });
        Assert.Equal("{}", await removed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Logs_stream_as_sse_with_keep_alives_and_honour_tail()
    {
        var (user, http) = await SpaceAsync("sse", DockerFiles);
        await SpacesHubFixture.Eventually(async () => (await http.GetStringAsync($"/api/spaces/{user}/sse/runtime")).StartsWith("{\"stage\":\"RUNNING\"", StringComparison.Ordinal), "RUNNING");

        using var response = await http.GetAsync($"/api/spaces/{user}/sse/logs/run?tail=2", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<string>();
        while (events.Count < 3 && await reader.ReadLineAsync() is { } line)
        {
            if (line.Length > 0)
            {
                events.Add(line);
            }
        }
        Assert.StartsWith("data: {\"data\":\"", events[0]);
        Assert.EndsWith("\\n\",\"timestamp\":\"" + events[0].Split("\"timestamp\":\"")[1], events[0]);
        Assert.Contains("Uvicorn running", events[1]);
        Assert.Equal("data: ", events[2]); // the keep-alive that ends the replay

        var badTail = await http.GetAsync($"/api/spaces/{user}/sse/logs/run?tail=-1");
        Assert.Equal(HttpStatusCode.BadRequest, badTail.StatusCode);
        using var anonymous = hub.RawClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/spaces/{user}/sse/logs/run")).StatusCode);
    }

    [Fact]
    public async Task Bad_requests_get_400_and_strangers_get_403_or_404()
    {
        var (user, http) = await SpaceAsync("guarded", DockerFiles);
        var flavor = await http.PostAsync($"/api/spaces/{user}/guarded/hardware", Json("{\"flavor\":\"gpu-of-dreams\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, flavor.StatusCode);
        Assert.Contains("a10g-small", flavor.Headers.GetValues("X-Error-Message").Single());
        var sleep = await http.PostAsync($"/api/spaces/{user}/guarded/sleeptime", Json("{\"seconds\":0}"));
        Assert.Equal(HttpStatusCode.BadRequest, sleep.StatusCode);
        var create = await http.PostAsync("/api/repos/create", Json($"{{\"name\":\"x\",\"organization\":\"{user}\",\"type\":\"space\",\"sdk\":\"docker\",\"hardware\":\"nope\"}}"));
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        var createSecret = await http.PostAsync("/api/repos/create", Json($"{{\"name\":\"y\",\"organization\":\"{user}\",\"type\":\"space\",\"sdk\":\"docker\",\"secrets\":[{{\"key\":\"a-b\",\"value\":\"v\"}}]}}"));
        Assert.Equal(HttpStatusCode.BadRequest, createSecret.StatusCode);

        var (_, strangerToken) = await hub.CreateUserAsync();
        using var stranger = hub.RawClient(strangerToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync($"/api/spaces/{user}/guarded/restart", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"/api/spaces/{user}/guarded/secrets")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stranger.GetAsync($"/api/spaces/{user}/guarded/runtime")).StatusCode);
        var missing = await stranger.PostAsync($"/api/spaces/{user}/nothing/restart", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("RepoNotFound", missing.Headers.GetValues("X-Error-Code").Single());

        var hardware = await ReadJson(await stranger.GetAsync("/api/spaces/hardware"));
        var t4 = hardware.EnumerateArray().Single(f => f.GetProperty("name").GetString() == "t4-small");
        Assert.Equal("T4", t4.GetProperty("accelerator").GetProperty("model").GetString());
        Assert.True(t4.TryGetProperty("unitCostMicroUSD", out _));
    }

    [Fact]
    public async Task A_static_space_runs_at_once_and_serves_its_page()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var http = hub.RawClient(token);
        var page = Convert.ToBase64String("<h1>static hello</h1>"u8.ToArray());
        var created = await http.PostAsJsonAsync("/api/repos/create", new { name = "page", organization = user, type = "space", sdk = "static", files = new[] { new { path = "index.html", content = page, encoding = "base64" } } });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("{\"stage\":\"RUNNING\",\"hardware\":{\"current\":null,\"requested\":null},\"storage\":null,\"replicas\":{\"requested\":1,\"current\":1}}",
            await http.GetStringAsync($"/api/spaces/{user}/page/runtime"));
        Assert.Equal("<h1>static hello</h1>", await http.GetStringAsync($"/_spaces/{user.ToLowerInvariant()}-page/"));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync($"/api/spaces/{user}/page/pause", null)).StatusCode);
    }
}
