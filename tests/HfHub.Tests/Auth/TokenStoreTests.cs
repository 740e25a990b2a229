using HfHub.Auth;

namespace HfHub.Tests.Auth;

public sealed class TokenStoreTests
{
    private const string First = "hf_firstfirstfirstfirstfirstfirstfir1";
    private const string Second = "hf_secondsecondsecondsecondsecondsec2";
    private const string Third = "hf_thirdthirdthirdthirdthirdthirdthi3";

    [Fact]
    public void Save_writes_the_token_file_and_stored_tokens_with_mode_0600()
    {
        using var env = new TestEnvironment();
        env.Variables["HF_HOME"] = Path.Combine(env.Home, "fresh", "hf");
        TokenStore.Save(env.Environment, new HfToken(First), "laptop");

        var tokenPath = Path.Combine(env.Home, "fresh", "hf", "token");
        Assert.Equal(First, File.ReadAllText(tokenPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenPath));
        var stored = Path.Combine(env.Home, "fresh", "hf", "stored_tokens");
        Assert.Equal($"[laptop]\nhf_token = {First}\n\n", File.ReadAllText(stored));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stored));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.Combine(env.Home, "fresh", "hf")));
        Assert.Empty(Directory.GetFiles(Path.Combine(env.Home, "fresh", "hf"), "*.tmp"));
    }

    [Fact]
    public void Stored_tokens_keep_their_order_and_other_keys_across_saves_and_logouts()
    {
        using var env = new TestEnvironment();
        env.Variables["HF_HOME"] = env.Home;
        // As the Python client leaves it: an OAuth entry with a refresh token and expiry.
        env.Write("stored_tokens", $"[oauth-me]\nhf_token = {Third}\nrefresh_token = r-123\nexpires_at = 1893456000\n\n");

        TokenStore.Save(env.Environment, new HfToken(First), "a");
        TokenStore.Save(env.Environment, new HfToken(Second), "b");
        Assert.Equal(["oauth-me", "a", "b"], TokenStore.StoredNames(env.Environment));

        Assert.True(TokenStore.RemoveActive(env.Environment)); // removes "b", the active one
        Assert.Equal(["oauth-me", "a"], TokenStore.StoredNames(env.Environment));
        TokenStore.Save(env.Environment, new HfToken(Second), "c");
        TokenStore.Save(env.Environment, new HfToken(Third), "a"); // re-login under an existing name: same place
        Assert.Equal(["oauth-me", "a", "c"], TokenStore.StoredNames(env.Environment));

        var text = File.ReadAllText(Path.Combine(env.Home, "stored_tokens"));
        Assert.Contains("refresh_token = r-123\nexpires_at = 1893456000\n", text);
        Assert.Contains($"[a]\nhf_token = {Third}\n", text);
        Assert.Equal(Third, File.ReadAllText(Path.Combine(env.Home, "token")));
    }

    [Fact]
    public void Logout_without_a_token_file_reports_false_and_keeps_stored_tokens()
    {
        using var env = new TestEnvironment();
        env.Variables["HF_HOME"] = env.Home;
        env.Write("stored_tokens", $"[keep]\nhf_token = {First}\n");
        Assert.False(TokenStore.RemoveActive(env.Environment));
        Assert.Equal(["keep"], TokenStore.StoredNames(env.Environment));
    }

    [Fact]
    public void HF_TOKEN_PATH_puts_stored_tokens_beside_it()
    {
        using var env = new TestEnvironment();
        env.Variables["HF_TOKEN_PATH"] = Path.Combine(env.Home, "elsewhere", "my-token");
        TokenStore.Save(env.Environment, new HfToken(First), "[weird]\nname");
        Assert.Equal(First, File.ReadAllText(Path.Combine(env.Home, "elsewhere", "my-token")));
        Assert.Equal(["weirdname"], TokenStore.StoredNames(env.Environment));
    }
}
