using HfHub.Http;

namespace HfHub.Tests.Http;

public sealed class EndpointTests
{
    [Theory]
    [InlineData("https://huggingface.co/", "https://huggingface.co/")]
    [InlineData("https://huggingface.co", "https://huggingface.co/")]
    [InlineData("  http://127.0.0.1:8080///  ", "http://127.0.0.1:8080/")]
    [InlineData("https://hub.example.com/mirror/", "https://hub.example.com/mirror")]
    public void Trailing_slashes_are_stripped(string given, string expected) =>
        Assert.Equal(expected, HubClientOptions.Normalize(given).ToString());

    [Theory]
    [InlineData("huggingface.co")]
    [InlineData("ftp://huggingface.co")]
    [InlineData("local")]
    [InlineData("")]
    public void Non_http_endpoints_are_rejected_with_one_line(string given)
    {
        var e = Assert.Throws<ArgumentException>(() => HubClientOptions.Normalize(given));
        Assert.Contains("expected an http:// or https:// URL", e.Message);
    }

    [Fact]
    public void The_endpoint_comes_from_the_option_then_HF_ENDPOINT_then_the_default()
    {
        using var env = new TestEnvironment();
        Assert.Equal(HubClientOptions.DefaultEndpoint, new HubClientOptions { Environment = env.Environment }.ResolveEndpoint());
        env.Variables["HF_ENDPOINT"] = "http://127.0.0.1:9999/";
        Assert.Equal("http://127.0.0.1:9999/", new HubClientOptions { Environment = env.Environment }.ResolveEndpoint().ToString());
        var explicitEndpoint = new HubClientOptions { Environment = env.Environment, Endpoint = new Uri("https://mirror.test/") };
        Assert.Equal("https://mirror.test/", explicitEndpoint.ResolveEndpoint().ToString());
    }

    [Theory]
    [InlineData("https://huggingface.co", "api/whoami-v2", "https://huggingface.co/api/whoami-v2")]
    [InlineData("https://huggingface.co/", "/api/whoami-v2", "https://huggingface.co/api/whoami-v2")]
    [InlineData("https://hub.example.com/mirror/", "api/models?limit=1", "https://hub.example.com/mirror/api/models?limit=1")]
    public void Request_URLs_keep_an_endpoint_path_prefix(string endpoint, string path, string expected)
    {
        using var env = new TestEnvironment();
        var options = new HubClientOptions { Environment = env.Environment, Anonymous = true };
        using var pipeline = new HubPipeline(HubClientOptions.Normalize(endpoint), null, options);
        Assert.Equal(expected, pipeline.Url(path).ToString());
    }
}
