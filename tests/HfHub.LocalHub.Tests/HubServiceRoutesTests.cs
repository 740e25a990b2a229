using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests;

/// <summary><c>/api/validate-yaml</c> and <c>/api/agent-harnesses</c>, as the Python client reads them.</summary>
public sealed class HubServiceRoutesTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    private async Task<(HttpStatusCode Status, List<string> Errors, List<string> Warnings)> ValidateAsync(string content, string repoType = "model")
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var response = await client.PostAsJsonAsync("/api/validate-yaml", new { content, repoType });
        var body = await response.JsonAsync();
        static List<string> Messages(JsonElement list) => list.EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToList();
        return (response.StatusCode, Messages(body.GetProperty("errors")), Messages(body.GetProperty("warnings")));
    }

    [Fact]
    public async Task A_card_with_valid_metadata_is_accepted_without_warnings()
    {
        var (status, errors, warnings) = await ValidateAsync("---\nlicense: mit\ntags:\n- text\n- 'x'\nlanguage: en\n---\n# Model\n");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(errors);
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("# no front matter\n")]
    [InlineData("---\n---\nbody\n")]
    public async Task Missing_or_empty_metadata_is_accepted_with_a_warning(string content)
    {
        var (status, errors, warnings) = await ValidateAsync(content);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(errors);
        Assert.Equal([Api.CardValidation.EmptyMetadataWarning], warnings);
    }

    [Theory]
    [InlineData("---\nlicense: [unclosed\n---\n", "model", "Invalid YAML")]
    [InlineData("---\nlicense: mit\nlicense: apache-2.0\n---\n", "model", "Invalid YAML")]
    [InlineData("---\n- a\n- b\n---\n", "model", "must be a YAML mapping")]
    [InlineData("---\nlicense: 3\n---\n", "dataset", "\"license\" must be a string")]
    [InlineData("---\ntags: {a: b}\n---\n", "model", "\"tags\" must be a string or a list of strings")]
    [InlineData("---\nsdk: flask\n---\n", "space", "\"sdk\" must be one of")]
    [InlineData("---\nsdk: docker\napp_port: http\n---\n", "space", "\"app_port\" must be an integer")]
    [InlineData("---\nsdk: docker\napp_port: 70000\n---\n", "space", "\"app_port\" must be an integer")]
    [InlineData("---\ncolorFrom: mauve\n---\n", "space", "\"colorFrom\" must be one of")]
    public async Task Metadata_that_breaks_a_rule_is_refused_with_400_and_the_error(string content, string repoType, string expected)
    {
        var (status, errors, _) = await ValidateAsync(content, repoType);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Space_rules_apply_to_spaces_only_and_a_docker_space_card_passes()
    {
        Assert.Equal(HttpStatusCode.OK, (await ValidateAsync("---\nsdk: flask\n---\n", "model")).Status);
        var (status, errors, _) = await ValidateAsync("---\ntitle: App\nemoji: 🚀\ncolorFrom: blue\ncolorTo: gray\nsdk: docker\napp_port: 7860\npinned: false\n---\n", "space");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_body_without_content_or_with_an_unknown_type_is_400()
    {
        using var client = hub.RawClient();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/validate-yaml", new { repoType = "model" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/validate-yaml", new { content = "", repoType = "bucket" })).StatusCode);
    }

    [Fact]
    public async Task The_agent_harness_registry_has_the_shape_clients_read()
    {
        using var client = hub.RawClient();
        var response = await client.GetAsync("/api/agent-harnesses");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(["AI_AGENT", "AGENT"], body.GetProperty("standardEnvVars").EnumerateArray().Select(e => e.GetString()).ToList());
        var claude = body.GetProperty("harnesses").GetProperty("claude-code").GetProperty("envVars");
        Assert.Equal("1", claude.GetProperty("CLAUDECODE").GetString());
        Assert.All(body.GetProperty("harnesses").EnumerateObject(), h => Assert.NotEmpty(h.Value.GetProperty("envVars").EnumerateObject()));
    }
}
