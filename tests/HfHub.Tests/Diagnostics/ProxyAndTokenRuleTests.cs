using HfHub.Diagnostics;

namespace HfHub.Tests.Diagnostics;

public sealed class ProxyAndTokenRuleTests
{
    [Fact]
    public void HTTPS_PROXY_applies_to_https_and_HTTP_PROXY_to_http()
    {
        using var env = new TestEnvironment();
        env.Variables["HTTPS_PROXY"] = "http://user:p%40ss@proxy.corp:3128";
        env.Variables["http_proxy"] = "plain.corp:8080";
        var https = ProxySettings.For(new Uri("https://huggingface.co"), env.Environment);
        Assert.Equal("http://proxy.corp:3128", ProxySettings.Display(https!));
        Assert.Equal("p@ss", ProxySettings.Credentials(https!)!.Password);
        Assert.Equal("http://plain.corp:8080", ProxySettings.Display(ProxySettings.For(new Uri("http://mirror.test"), env.Environment)!));
    }

    [Theory]
    [InlineData("huggingface.co", true)]
    [InlineData(".huggingface.co", true)]
    [InlineData("example.com,huggingface.co:443", true)]
    [InlineData("*", true)]
    [InlineData("face.co", false)]
    [InlineData("other.org", false)]
    public void NO_PROXY_lists_hosts_and_domain_suffixes(string noProxy, bool bypassed)
    {
        using var env = new TestEnvironment();
        env.Variables["HTTPS_PROXY"] = "http://proxy.corp:3128";
        env.Variables["NO_PROXY"] = noProxy;
        var proxy = ProxySettings.For(new Uri("https://cdn.huggingface.co"), env.Environment);
        Assert.Equal(bypassed, proxy is null);
    }

    [Fact]
    public void Loopback_never_goes_through_a_proxy()
    {
        using var env = new TestEnvironment();
        env.Variables["ALL_PROXY"] = "http://proxy.corp:3128";
        Assert.Null(ProxySettings.For(new Uri("http://127.0.0.1:5000"), env.Environment));
        Assert.Null(ProxySettings.For(new Uri("http://localhost:5000"), env.Environment));
        Assert.NotNull(ProxySettings.For(new Uri("http://mirror.test"), env.Environment));
    }

    [Theory]
    [InlineData("https://me-my-app.hf.space/predict", false, true)]
    [InlineData("https://abc123.us-east-1.aws.endpoints.huggingface.cloud", false, true)]
    [InlineData("http://me-my-app.hf.space", false, false)] // never in clear text
    [InlineData("https://hf.space.attacker.example", false, false)]
    [InlineData("https://example.com/hook", false, false)]
    [InlineData("https://example.com/hook", true, true)]
    [InlineData("https://huggingface.co/api/spaces", false, true)] // the endpoint's own origin
    [InlineData("http://huggingface.co/api/spaces", false, false)]
    public void The_token_goes_to_a_dedicated_URL_only_where_it_is_expected(string url, bool explicitlyAllowed, bool sent) =>
        Assert.Equal(sent, ConnectionTester.ShouldSendToken(new Uri(url), new Uri("https://huggingface.co"), explicitlyAllowed));
}
