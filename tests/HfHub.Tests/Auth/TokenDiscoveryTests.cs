using HfHub.Auth;

namespace HfHub.Tests.Auth;

public sealed class TokenDiscoveryTests
{
    private const string EnvToken = "hf_envenvenvenvenvenvenvenvenvenvenv1";
    private const string LegacyToken = "hf_legacylegacylegacylegacylegacyleg2";
    private const string PathToken = "hf_pathpathpathpathpathpathpathpathpa3";
    private const string HomeToken = "hf_homehomehomehomehomehomehomehomeho4";
    private const string DefaultToken = "hf_defaultdefaultdefaultdefaultdefau5";

    /// <summary>Sets every source, then removes them one by one from the top: each time the next one wins.</summary>
    [Fact]
    public void Sources_win_in_the_official_order()
    {
        using var env = new TestEnvironment();
        env.Variables["HF_TOKEN"] = EnvToken;
        env.Variables["HUGGING_FACE_HUB_TOKEN"] = LegacyToken;
        env.Variables["HF_TOKEN_PATH"] = env.Write("custom/token-file", PathToken + "\n");
        env.Variables["HF_HOME"] = Path.Combine(env.Home, "hf-home");
        env.Write("hf-home/token", HomeToken);
        env.Write(".cache/huggingface/token", DefaultToken);

        AssertFound(env, EnvToken, TokenSourceKind.HfTokenVariable, "HF_TOKEN");
        env.Variables.Remove("HF_TOKEN");
        AssertFound(env, LegacyToken, TokenSourceKind.LegacyVariable, "HUGGING_FACE_HUB_TOKEN");
        env.Variables.Remove("HUGGING_FACE_HUB_TOKEN");
        AssertFound(env, PathToken, TokenSourceKind.TokenFile, env.Variables["HF_TOKEN_PATH"]);
        env.Variables.Remove("HF_TOKEN_PATH");
        AssertFound(env, HomeToken, TokenSourceKind.TokenFile, Path.Combine(env.Home, "hf-home", "token"));
        env.Variables.Remove("HF_HOME");
        AssertFound(env, DefaultToken, TokenSourceKind.TokenFile, Path.Combine(env.Home, ".cache", "huggingface", "token"));
        File.Delete(Path.Combine(env.Home, ".cache", "huggingface", "token"));
        Assert.Null(TokenDiscovery.Discover(env.Environment));
    }

    [Fact]
    public void A_missing_HF_TOKEN_PATH_file_means_no_token_as_in_the_Python_client()
    {
        // Python reads exactly one file: HF_TOKEN_PATH when set, else $HF_HOME/token.
        using var env = new TestEnvironment();
        env.Variables["HF_TOKEN_PATH"] = Path.Combine(env.Home, "nowhere", "token");
        env.Write(".cache/huggingface/token", DefaultToken);
        Assert.Null(TokenDiscovery.Discover(env.Environment));
    }

    [Fact]
    public void XDG_CACHE_HOME_moves_the_default_token_file()
    {
        using var env = new TestEnvironment();
        env.Variables["XDG_CACHE_HOME"] = Path.Combine(env.Home, "xdg");
        env.Write("xdg/huggingface/token", HomeToken);
        AssertFound(env, HomeToken, TokenSourceKind.TokenFile, Path.Combine(env.Home, "xdg", "huggingface", "token"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("YES")]
    [InlineData("on")]
    public void HF_HUB_DISABLE_IMPLICIT_TOKEN_turns_discovery_off(string value)
    {
        using var env = new TestEnvironment();
        env.Variables["HF_TOKEN"] = EnvToken;
        env.Write(".cache/huggingface/token", DefaultToken);
        env.Variables["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = value;
        Assert.Null(TokenDiscovery.Discover(env.Environment));
        env.Variables["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "0";
        AssertFound(env, EnvToken, TokenSourceKind.HfTokenVariable, "HF_TOKEN");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n")]
    public void A_blank_variable_falls_through_to_the_next_source(string blank)
    {
        using var env = new TestEnvironment();
        env.Variables["HF_TOKEN"] = blank;
        env.Variables["HUGGING_FACE_HUB_TOKEN"] = LegacyToken;
        AssertFound(env, LegacyToken, TokenSourceKind.LegacyVariable, "HUGGING_FACE_HUB_TOKEN");
    }

    [Fact]
    public void Tokens_are_cleaned_of_CR_LF_and_spaces()
    {
        using var env = new TestEnvironment();
        env.Write(".cache/huggingface/token", "  " + DefaultToken[..10] + "\r\n" + DefaultToken[10..] + "\n");
        AssertFound(env, DefaultToken, TokenSourceKind.TokenFile, Path.Combine(env.Home, ".cache", "huggingface", "token"));
    }

    [Fact]
    public void An_explicit_option_beats_the_environment()
    {
        using var env = new TestEnvironment();
        env.Variables["HF_TOKEN"] = EnvToken;
        using var client = new HubClient(new HubClientOptions { Environment = env.Environment, Token = new HfToken(PathToken) });
        Assert.Equal(PathToken, client.Token!.Token.Reveal());
        Assert.Equal(TokenSourceKind.Explicit, client.Token.Kind);
        using var anonymous = new HubClient(new HubClientOptions { Environment = env.Environment, Anonymous = true });
        Assert.Null(anonymous.Token);
    }

    private static void AssertFound(TestEnvironment env, string token, TokenSourceKind kind, string location)
    {
        var found = TokenDiscovery.Discover(env.Environment);
        Assert.NotNull(found);
        Assert.Equal(token, found.Token.Reveal());
        Assert.Equal(kind, found.Kind);
        Assert.Equal(location, found.Location);
    }
}
