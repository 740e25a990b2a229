using System.Net.Http.Json;
using System.Text.Json;
using HfCtl.Testing;
using ModelContextProtocol.Protocol;

namespace HfCtl.Tests.Mcp;

/// <summary>
/// <c>hfctl mcp</c> through a real MCP client over stdio (the official C# SDK's), against a local hub:
/// the tool list, the read-only default, the seed walk-through with writes allowed, the 50-line rule,
/// bad input, progress and cancellation; and on the wire, in both directions, no token and no secret.
/// </summary>
public sealed class McpServerTests(SpacesHubFixture hub) : IClassFixture<SpacesHubFixture>
{
    private static readonly string[] SeedTools =
    [
        "test_connection", "whoami", "spaces_list", "space_info", "space_logs", "space_restart", "space_pause", "space_wakeup",
        "space_wait", "space_create", "space_hardware_get", "space_hardware_set", "space_secrets_list", "space_secret_set",
        "space_variables_list", "space_variable_set", "persist_save", "persist_restore", "persist_history", "download", "hub_api_get",
    ];

    [Fact]
    public async Task Every_tool_is_listed_with_a_description_and_an_object_schema_and_no_delete_is_offered()
    {
        var (_, token) = await hub.CreateUserAsync();
        await using var server = await McpServerProcess.StartAsync(hub.EndpointText, token);

        var tools = await server.Client.ListToolsAsync();

        Assert.Equal(SeedTools.Order(), tools.Select(t => t.Name).Order());
        Assert.All(tools, t =>
        {
            Assert.True(t.Description.Length > 30, $"{t.Name} has no description an agent can act on");
            Assert.Equal("object", t.JsonSchema.GetProperty("type").GetString());
            Assert.False(t.JsonSchema.GetProperty("additionalProperties").GetBoolean());
        });
        Assert.DoesNotContain(tools, t => t.Name.Contains("delete", StringComparison.Ordinal));
        var secretSchema = tools.Single(t => t.Name == "space_secret_set").JsonSchema;
        Assert.Equal(["space", "key", "value"], secretSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain(tools, t => t.JsonSchema.GetProperty("properties").EnumerateObject().Any(p => p.Name.Contains("token", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task Read_only_lists_no_write_tool_and_tools_offers_only_those_named()
    {
        var (_, token) = await hub.CreateUserAsync();
        await using (var readOnly = await McpServerProcess.StartAsync(hub.EndpointText, token, "--read-only"))
        {
            var names = (await readOnly.Client.ListToolsAsync()).Select(t => t.Name).ToList();
            Assert.Contains("spaces_list", names);
            Assert.DoesNotContain("space_restart", names);
            Assert.DoesNotContain("persist_save", names);
            var refused = await readOnly.CallAsync("space_restart", new() { ["space"] = "x/y" });
            Assert.True(refused.IsError);
            Assert.Contains("not offered", Text(refused));
        }
        await using var some = await McpServerProcess.StartAsync(hub.EndpointText, token, "--tools", "whoami,space_info");
        Assert.Equal(["space_info", "whoami"], (await some.Client.ListToolsAsync()).Select(t => t.Name).Order());
    }

    [Fact]
    public async Task Without_allow_writes_every_write_tool_refuses_and_changes_nothing()
    {
        var (user, token) = await hub.CreateUserAsync();
        await using var server = await McpServerProcess.StartAsync(hub.EndpointText, token);
        File.WriteAllText(Path.Combine(server.Home, "data.txt"), "hello");
        var calls = new Dictionary<string, Dictionary<string, object?>>
        {
            ["space_create"] = new() { ["name"] = "refused" },
            ["space_restart"] = new() { ["space"] = $"{user}/refused" },
            ["space_pause"] = new() { ["space"] = $"{user}/refused" },
            ["space_wakeup"] = new() { ["space"] = $"{user}/refused" },
            ["space_hardware_set"] = new() { ["space"] = $"{user}/refused", ["flavor"] = "t4-small" },
            ["space_secret_set"] = new() { ["space"] = $"{user}/refused", ["key"] = "K", ["value"] = "v" },
            ["space_variable_set"] = new() { ["space"] = $"{user}/refused", ["key"] = "K", ["value"] = "v" },
            ["persist_save"] = new() { ["local"] = "data.txt", ["remote"] = "data.txt", ["dataset"] = $"{user}/refused-data" },
            ["persist_restore"] = new() { ["remote"] = "data.txt", ["local"] = "out.txt", ["dataset"] = $"{user}/refused-data" },
            ["download"] = new() { ["repo"] = $"{user}/refused-data", ["local_dir"] = "dl", ["repo_type"] = "dataset" },
        };

        foreach (var (tool, arguments) in calls)
        {
            var result = await server.CallAsync(tool, arguments);
            Assert.True(result.IsError, tool);
            Assert.Equal($"error: {tool} changes things and this server is read-only: start it with 'hfctl mcp --allow-writes' to allow writes\nexit 2: bad usage", Text(result));
            Assert.Equal(2, result.StructuredContent!.Value.GetProperty("exitCode").GetInt32());
        }

        using var http = hub.RawClient(token);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync($"/api/spaces/{user}/refused")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync($"/api/datasets/{user}/refused-data")).StatusCode);
        Assert.False(File.Exists(Path.Combine(server.Home, "out.txt")));
        Assert.False(Directory.Exists(Path.Combine(server.Home, "dl")));
    }

    [Fact]
    public async Task The_seed_walk_through_runs_through_mcp_alone_and_no_token_or_secret_crosses_the_wire()
    {
        var (user, token) = await hub.CreateUserAsync();
        const string secret = "mcp-canary-secret-5d1f0c8e";
        SecretCanary.Register(secret, "the MCP walk-through's secret value");
        await using var server = await McpServerProcess.StartAsync(hub.EndpointText, token, "--allow-writes");
        var space = $"{user}/walk";

        var whoami = await Ok(server, "whoami");
        Assert.Equal(user, whoami.GetProperty("name").GetString());
        var connection = await Ok(server, "test_connection");
        Assert.Contains(connection.GetProperty("steps").EnumerateArray(), s => s.GetProperty("name").GetString() == "Token");

        var created = await Ok(server, "space_create", new() { ["name"] = "walk", ["sdk"] = "docker" });
        Assert.Equal(space, created.GetProperty("name").GetString());
        var copy = await Ok(server, "space_create", new() { ["name"] = "walk-copy", ["template"] = space, ["private"] = true });
        Assert.Equal($"{user}/walk-copy", copy.GetProperty("name").GetString());
        var copied = await Ok(server, "space_info", new() { ["space"] = $"{user}/walk-copy" });
        Assert.Equal("docker", copied.GetProperty("sdk").GetString());
        Assert.True(copied.GetProperty("private").GetBoolean());
        await Ok(server, "space_secret_set", new() { ["space"] = space, ["key"] = "API_KEY", ["value"] = secret });
        var secrets = await Ok(server, "space_secrets_list", new() { ["space"] = space });
        Assert.Equal("API_KEY", secrets.GetProperty("items")[0].GetProperty("key").GetString());
        await Ok(server, "space_variable_set", new() { ["space"] = space, ["key"] = "MODE", ["value"] = "demo" });
        var variables = await Ok(server, "space_variables_list", new() { ["space"] = space });
        Assert.Contains(variables.GetProperty("items").EnumerateArray(), v => v.GetProperty("value").GetString() == "demo");

        var restarted = await Ok(server, "space_restart", new() { ["space"] = space, ["wait"] = true });
        Assert.Equal("RUNNING", restarted.GetProperty("stage").GetString());
        var waited = await Ok(server, "space_wait", new() { ["space"] = space, ["timeout"] = "30s" });
        Assert.Equal("RUNNING", waited.GetProperty("stage").GetString());
        var listed = await Ok(server, "spaces_list", new() { ["author"] = user, ["stage"] = "RUNNING" });
        var walk = Assert.Single(listed.GetProperty("items").EnumerateArray(), s => s.GetProperty("name").GetString() == space);
        Assert.StartsWith("http", walk.GetProperty("appUrl").GetString());
        var logs = await server.CallAsync("space_logs", new() { ["space"] = space, ["log"] = "build" });
        Assert.False(logs.IsError, Text(logs));
        Assert.NotEqual(0, logs.StructuredContent!.Value.GetProperty("total").GetInt32());

        var hardware = await Ok(server, "space_hardware_get", new() { ["space"] = space });
        Assert.Equal("cpu-basic", hardware.GetProperty("requested").GetString());
        var upgraded = await Ok(server, "space_hardware_set", new() { ["space"] = space, ["flavor"] = "cpu-upgrade" });
        Assert.Equal("cpu-upgrade", upgraded.GetProperty("requested").GetString());
        await Ok(server, "space_pause", new() { ["space"] = space });
        var paused = await server.CallAsync("space_wait", new() { ["space"] = space });
        Assert.True(paused.IsError);
        Assert.EndsWith("exit 10: the Space is paused or sleeping", Text(paused));
        var woken = await Ok(server, "space_wakeup", new() { ["space"] = space, ["wait"] = true });
        Assert.Equal("RUNNING", woken.GetProperty("stage").GetString());

        File.WriteAllText(Path.Combine(server.Home, "notes.txt"), "kept across restarts");
        var dataset = $"{user}/walk-data";
        await Ok(server, "persist_save", new() { ["local"] = "notes.txt", ["remote"] = "state/notes.txt", ["dataset"] = dataset });
        var history = await Ok(server, "persist_history", new() { ["remote"] = "state/notes.txt", ["dataset"] = dataset });
        Assert.Equal(1, history.GetProperty("total").GetInt32());
        await Ok(server, "persist_restore", new() { ["remote"] = "state/notes.txt", ["local"] = "restored/notes.txt", ["dataset"] = dataset });
        Assert.Equal("kept across restarts", File.ReadAllText(Path.Combine(server.Home, "restored", "notes.txt")));
        var bucket = $"hf://buckets/{user}/walk-bucket/app";
        var inBucket = await Ok(server, "persist_save", new() { ["local"] = "notes.txt", ["remote"] = "state/notes.txt", ["bucket"] = bucket });
        var version = inBucket.GetProperty("commitId").GetString()!;
        Assert.Equal(1, (await Ok(server, "persist_history", new() { ["remote"] = "state/notes.txt", ["bucket"] = bucket })).GetProperty("total").GetInt32());
        await Ok(server, "persist_restore", new() { ["remote"] = "state/notes.txt", ["local"] = "from-bucket/notes.txt", ["bucket"] = bucket, ["revision"] = version });
        Assert.Equal("kept across restarts", File.ReadAllText(Path.Combine(server.Home, "from-bucket", "notes.txt")));
        await Ok(server, "download", new() { ["repo"] = dataset, ["repo_type"] = "dataset", ["local_dir"] = "snapshot" });
        Assert.Equal("kept across restarts", File.ReadAllText(Path.Combine(server.Home, "snapshot", "state", "notes.txt")));
        var api = await Ok(server, "hub_api_get", new() { ["path"] = "/api/whoami-v2" });
        Assert.Equal(user, api.GetProperty("name").GetString());

        Assert.DoesNotContain(token, server.SentByServer);
        Assert.DoesNotContain(token, server.SentToServer);
        Assert.DoesNotContain(token, server.Stderr);
        Assert.DoesNotContain(secret, server.SentByServer);
        Assert.DoesNotContain(secret, server.Stderr);
        // The client sends the value once, in the call that sets it; nothing else carries it.
        var carrying = server.SentToServer.Split('\n').Where(line => line.Contains(secret, StringComparison.Ordinal)).ToList();
        Assert.Single(carrying);
        Assert.Contains("\"space_secret_set\"", carrying[0]);
    }

    [Fact]
    public async Task Test_connection_checks_an_inference_endpoints_health_route_by_name()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = new HfHub.HubClient(new HfHub.HubClientOptions
        {
            Endpoint = hub.Endpoint,
            Token = HfHub.Auth.HfToken.FromValue(token),
            EndpointsApi = new Uri(hub.Endpoint, "_endpoints/v2"),
        });
        await client.Endpoints.CreateAsync("mcp-probe", new HfHub.Endpoints.InferenceEndpointCreateOptions
        {
            Repository = "openai-community/gpt2",
            Framework = "pytorch",
            Accelerator = "cpu",
            InstanceType = "intel-icl",
            InstanceSize = "x2",
            Vendor = "aws",
            Region = "us-east-1",
        });
        await client.Endpoints.WaitAsync("mcp-probe", new() { PollInterval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(30) });
        await using var server = await McpServerProcess.StartAsync(hub.EndpointText, token);

        var checkedEndpoint = await Ok(server, "test_connection", new() { ["inference_endpoint"] = "mcp-probe" });
        var both = await server.CallAsync("test_connection", new() { ["inference_endpoint"] = "mcp-probe", ["url"] = "https://example.com" });

        Assert.EndsWith($"/_endpoint-apps/{user}/mcp-probe/health", checkedEndpoint.GetProperty("url").GetString());
        Assert.True(checkedEndpoint.GetProperty("ok").GetBoolean());
        Assert.True(both.IsError);
        Assert.Equal("error: give --url or --inference-endpoint, not both\nexit 2: bad usage", Text(both));
    }

    [Fact]
    public async Task A_result_over_50_lines_is_cut_with_a_summary_that_says_how_to_narrow_it()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var http = hub.RawClient(token);
        for (var i = 0; i < 60; i++)
        {
            (await http.PostAsJsonAsync("/api/repos/create", new { name = $"m{i:D2}", type = "model" })).EnsureSuccessStatusCode();
        }
        await using var server = await McpServerProcess.StartAsync(hub.EndpointText, token);

        var result = await server.CallAsync("hub_api_get", new() { ["path"] = $"/api/models?author={user}&limit=100" });

        Assert.False(result.IsError, Text(result));
        var lines = Text(result).Split('\n');
        Assert.Equal(50, lines.Length);
        Assert.Equal("… 11 more items left out (60 in all); narrow it with query parameters such as ?limit=, ?search= or ?author=", lines[^1]);
        var structured = result.StructuredContent!.Value;
        Assert.Equal(60, structured.GetProperty("total").GetInt32());
        Assert.True(structured.GetProperty("truncated").GetBoolean());
        Assert.Equal(49, structured.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_tool_error_and_the_server_keeps_serving()
    {
        var (user, token) = await hub.CreateUserAsync();
        await using var server = await McpServerProcess.StartAsync(hub.EndpointText, token, "--allow-writes");

        var unknown = await server.CallAsync("space_delete", new() { ["space"] = "a/b" });
        Assert.True(unknown.IsError);
        Assert.Equal("error: unknown tool 'space_delete'; see tools/list\nexit 2: bad usage", Text(unknown));
        var cases = new (string Tool, Dictionary<string, object?> Arguments, string Message)[]
        {
            ("space_info", new() { ["space"] = 42 }, "argument 'space' must be a string, not number"),
            ("space_info", new(), "argument 'space' is required"),
            ("space_info", new() { ["space"] = "a/b", ["extra"] = true }, "unknown argument 'extra'; this tool takes: space"),
            ("space_logs", new() { ["space"] = "a/b", ["tail"] = "ten" }, "argument 'tail' must be a whole number, not string"),
            ("space_logs", new() { ["space"] = "a/b", ["log"] = "debug" }, "argument 'log' must be one of: run, build (got 'debug')"),
            ("space_info", new() { ["space"] = new string('x', 100_000) }, "argument 'space' is too long (100,000 characters; at most 65,536)"),
            ("persist_save", new() { ["local"] = "../../etc/passwd", ["remote"] = "p", ["dataset"] = $"{user}/d" }, "argument 'local' must be a path without '..' segments (got '../../etc/passwd')"),
            ("download", new() { ["repo"] = $"{user}/d", ["local_dir"] = "a/../../b" }, "argument 'local_dir' must be a path without '..' segments (got 'a/../../b')"),
            ("hub_api_get", new() { ["path"] = "https://example.com/api/whoami-v2" }, "refusing to call https://example.com"),
            ("space_info", new() { ["space"] = "not a valid id!" }, "Space id"),
        };
        foreach (var (tool, arguments, message) in cases)
        {
            var result = await server.CallAsync(tool, arguments);
            Assert.True(result.IsError, $"{tool}: {Text(result)}");
            var text = Text(result);
            Assert.Contains(message, text);
            Assert.Equal(2, text.Split('\n').Length);
            Assert.EndsWith("exit 2: bad usage", text);
        }
        var missing = await server.CallAsync("space_info", new() { ["space"] = $"{user}/no-such-space" });
        Assert.EndsWith("exit 5: not found", Text(missing));

        Assert.Equal(user, (await Ok(server, "whoami")).GetProperty("name").GetString());
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task A_wait_reports_progress_and_a_cancelled_call_stops_while_the_server_keeps_serving()
    {
        await using var slowHub = new SlowBuildHubFixture();
        await slowHub.InitializeAsync();
        var (user, token) = await slowHub.CreateUserAsync();
        await using var server = await McpServerProcess.StartAsync(slowHub.EndpointText, token, "--allow-writes");
        await Ok(server, "space_create", new() { ["name"] = "slow" });

        var reports = new List<ModelContextProtocol.ProgressNotificationValue>();
        var first = new TaskCompletionSource();
        var progress = new SynchronousProgress(value =>
        {
            lock (reports)
            {
                reports.Add(value);
            }
            first.TrySetResult();
        });
        using var cancel = new CancellationTokenSource();
        var waiting = server.CallAsync("space_wait", new() { ["space"] = $"{user}/slow", ["timeout"] = "10m" }, progress, cancel.Token);
        await first.Task.WaitAsync(TimeSpan.FromSeconds(30));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        Assert.Contains(reports, r => r.Message == $"{user}/slow: BUILDING");
        Assert.Equal(user, (await Ok(server, "whoami")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_READMEs_registration_snippet_starts_a_server_that_allows_writes()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var section = readme[readme.IndexOf("## AI agents over MCP", StringComparison.Ordinal)..];
        var start = section.IndexOf("```json\n", StringComparison.Ordinal) + "```json\n".Length;
        using var snippet = JsonDocument.Parse(section[start..section.IndexOf("```", start, StringComparison.Ordinal)]);
        var entry = snippet.RootElement.GetProperty("mcpServers").GetProperty("hfctl");
        Assert.Equal("hfctl", entry.GetProperty("command").GetString());
        var args = entry.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray();
        Assert.Equal("mcp", args[0]);

        var (user, token) = await hub.CreateUserAsync();
        await using var server = await McpServerProcess.StartAsync(hub.EndpointText, token, args[1..]);
        var created = await Ok(server, "space_create", new() { ["name"] = "from-readme" });
        Assert.Equal($"{user}/from-readme", created.GetProperty("name").GetString());
    }

    private static async Task<JsonElement> Ok(McpServerProcess server, string tool, Dictionary<string, object?>? arguments = null)
    {
        var result = await server.CallAsync(tool, arguments);
        Assert.False(result.IsError, $"{tool}: {Text(result)}");
        Assert.NotNull(result.StructuredContent);
        Assert.True(Text(result).Split('\n').Length <= 50);
        return result.StructuredContent.Value;
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this reports on the caller's thread, in order.</summary>
    private sealed class SynchronousProgress(Action<ModelContextProtocol.ProgressNotificationValue> report) : IProgress<ModelContextProtocol.ProgressNotificationValue>
    {
        public void Report(ModelContextProtocol.ProgressNotificationValue value) => report(value);
    }

    /// <summary>A hub whose Spaces build for an hour: a wait on one lasts until it is cancelled.</summary>
    private sealed class SlowBuildHubFixture : LocalHubFixture, IAsyncDisposable
    {
        protected override void Configure(HfHub.LocalHub.LocalHubOptions options)
        {
            options.Spaces = HfHub.LocalHub.Spaces.SpaceTimings.Fast();
            options.Spaces.Build = TimeSpan.FromHours(1);
        }

        ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());
    }
}
