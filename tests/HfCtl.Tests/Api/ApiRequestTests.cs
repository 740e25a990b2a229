using System.Text.Json;

namespace HfCtl.Tests.Api;

/// <summary>
/// What <c>hfctl api</c> puts on the wire (method, query, JSON body, headers, raw input) and how it
/// follows <c>Link</c> pages, checked against a recording HTTP server used as the endpoint.
/// </summary>
public sealed class ApiRequestTests
{
    private const string Token = "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH";

    private static CliRunner Runner(RecordingServer server)
    {
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = server.Origin;
        cli.Variables["HF_TOKEN"] = Token;
        // The recording is of what 'api' sends: a set format needs no agent detection, so no registry request.
        cli.Variables["HFCTL_FORMAT"] = "human";
        return cli;
    }

    private static ScriptedResponse Echo(RecordedRequest request, string origin) => new(200, "{\"ok\":true}");

    [Fact]
    public async Task Typed_and_string_fields_become_a_json_body_and_default_to_post()
    {
        using var server = new RecordingServer(Echo);
        using var cli = Runner(server);
        var file = Path.Combine(cli.HfHome, "value.txt");
        await File.WriteAllTextAsync(file, "from a file");

        var result = await cli.RunAsync("api", "/api/spaces/me/app/secrets",
            "-f", "key=SECRET_NAME", "-f", "n=7", "-F", "private=true", "-F", "count=3", "-F", "line=3\n", "-F", "ratio=0.5",
            "-F", "gone=null", "-F", "description=@" + file, "-F", "tags[]=a", "-F", "tags[]=b", "-F", "meta[sdk]=docker");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/spaces/me/app/secrets", request.PathAndQuery);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal($"Bearer {Token}", request.Headers["Authorization"]);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal("SECRET_NAME", root.GetProperty("key").GetString());
        Assert.Equal("7", root.GetProperty("n").GetString());
        Assert.True(root.GetProperty("private").GetBoolean());
        Assert.Equal(3, root.GetProperty("count").GetInt32());
        Assert.Equal("3\n", root.GetProperty("line").GetString()); // a number only when the whole value is one
        Assert.Equal(0.5, root.GetProperty("ratio").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("gone").ValueKind);
        Assert.Equal("from a file", root.GetProperty("description").GetString());
        Assert.Equal(["a", "b"], root.GetProperty("tags").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("docker", root.GetProperty("meta").GetProperty("sdk").GetString());
        Assert.Equal("{\"ok\":true}", result.Stdout.Trim());
    }

    [Fact]
    public async Task Fields_of_a_get_go_to_the_query_string()
    {
        using var server = new RecordingServer(Echo);
        using var cli = Runner(server);
        var result = await cli.RunAsync("api", "-X", "get", "/api/models?sort=likes", "-f", "search=bert base", "-F", "limit=2", "-F", "full=true");
        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/api/models?sort=likes&search=bert%20base&limit=2&full=true", request.PathAndQuery);
        Assert.Equal("", request.Body);
    }

    [Fact]
    public async Task Delete_with_fields_sends_a_json_body_and_headers_are_added()
    {
        using var server = new RecordingServer(Echo);
        using var cli = Runner(server);
        var result = await cli.RunAsync("api", "-X", "DELETE", "/api/spaces/me/app/secrets", "-f", "key=OLD",
            "-H", "X-Custom: one two", "-H", "Accept: application/json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Requests);
        Assert.Equal("DELETE", request.Method);
        Assert.Equal("{\"key\":\"OLD\"}", request.Body);
        Assert.Equal("one two", request.Headers["X-Custom"]);
        Assert.Equal("application/json", request.Headers["Accept"]);
    }

    [Fact]
    public async Task Input_sends_the_file_or_stdin_as_the_raw_body()
    {
        using var server = new RecordingServer(Echo);
        using var cli = Runner(server);
        var file = Path.Combine(cli.HfHome, "body.json");
        await File.WriteAllTextAsync(file, "{\"flavor\":\"cpu-basic\"}");
        var fromFile = await cli.RunAsync("api", "/api/spaces/me/app/hardware", "--input", file, "-f", "dry=1");
        Assert.True(fromFile.ExitCode == 0, fromFile.ToString());

        cli.Stdin = "plain text";
        var fromStdin = await cli.RunAsync("api", "-X", "PUT", "/api/x", "--input", "-", "-H", "Content-Type: text/plain");
        Assert.True(fromStdin.ExitCode == 0, fromStdin.ToString());

        var requests = server.Requests.ToArray();
        Assert.Equal("POST", requests[0].Method);
        Assert.Equal("/api/spaces/me/app/hardware?dry=1", requests[0].PathAndQuery);
        Assert.Equal("{\"flavor\":\"cpu-basic\"}", requests[0].Body);
        Assert.Equal("application/json", requests[0].Headers["Content-Type"]);
        Assert.Equal("PUT", requests[1].Method);
        Assert.Equal("plain text", requests[1].Body);
        Assert.Equal("text/plain", requests[1].Headers["Content-Type"]);
    }

    [Fact]
    public async Task Paginate_follows_link_headers_and_joins_the_pages_into_one_array()
    {
        using var server = new RecordingServer((request, origin) =>
        {
            var page = request.PathAndQuery.Contains("cursor=2", StringComparison.Ordinal) ? 2
                : request.PathAndQuery.Contains("cursor=3", StringComparison.Ordinal) ? 3 : 1;
            var headers = page < 3
                ? new Dictionary<string, string> { ["Link"] = $"<{origin}/api/models?limit=2&cursor={page + 1}>; rel=\"next\"" }
                : null;
            var body = page < 3 ? $"[{{\"id\":\"m{page}a\"}},{{\"id\":\"m{page}b\"}}]" : "[{\"id\":\"m3a\"}]";
            return new ScriptedResponse(200, body, Headers: headers);
        });
        using var cli = Runner(server);
        var result = await cli.RunAsync("api", "--paginate", "/api/models?limit=2");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal($"Bearer {Token}", r.Headers["Authorization"]));
        using var body = JsonDocument.Parse(result.Stdout);
        Assert.Equal(["m1a", "m1b", "m2a", "m2b", "m3a"], body.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()));

        var single = await cli.RunAsync("api", "/api/models?limit=2");
        Assert.Equal("[{\"id\":\"m1a\"},{\"id\":\"m1b\"}]", single.Stdout.Trim());
    }

    [Fact]
    public async Task Paginate_refuses_a_next_link_on_another_host()
    {
        using var elsewhere = new RecordingServer(Echo);
        using var server = new RecordingServer((_, _) => new ScriptedResponse(200, "[1]",
            Headers: new Dictionary<string, string> { ["Link"] = $"<{elsewhere.Origin}/api/models?cursor=2>; rel=\"next\"" }));
        using var cli = Runner(server);
        var result = await cli.RunAsync("api", "--paginate", "/api/models");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("another host", result.Stderr);
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task Conflict_and_forbidden_map_to_their_exit_codes()
    {
        using var server = new RecordingServer((request, _) => request.PathAndQuery.Contains("conflict", StringComparison.Ordinal)
            ? new ScriptedResponse(409, "{\"error\":\"You already created this model repo\"}")
            : new ScriptedResponse(403, "{\"error\":\"You don't have the rights\"}", Headers: new Dictionary<string, string> { ["X-Error-Code"] = "Forbidden" }));
        using var cli = Runner(server);
        var conflict = await cli.RunAsync("api", "-X", "POST", "/api/conflict");
        Assert.Equal(7, conflict.ExitCode);
        Assert.Equal("{\"error\":\"You already created this model repo\"}", conflict.Stdout);
        Assert.Equal("error: You already created this model repo", conflict.Stderr.Trim());
        var forbidden = await cli.RunAsync("api", "-X", "POST", "/api/forbidden");
        Assert.Equal(6, forbidden.ExitCode);
        Assert.Contains("forbidden: You don't have the rights", forbidden.Stderr);
    }
}
