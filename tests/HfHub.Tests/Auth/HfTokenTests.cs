using System.Text.Json;
using HfHub.Auth;

namespace HfHub.Tests.Auth;

public sealed class HfTokenTests
{
    private const string Secret = "hf_abcdefghijklmnopqrstuvwxyz0123wxyz";

    private sealed record Holder(string Name, HfToken Token);

    [Fact]
    public void ToString_and_string_interpolation_are_masked()
    {
        var token = new HfToken(Secret);
        Assert.Equal("hf_****wxyz", token.ToString());
        Assert.Equal("hf_****wxyz", token.Masked);
        Assert.Equal("token=hf_****wxyz", $"token={token}");
        Assert.Equal(Secret, token.Reveal());
    }

    [Fact]
    public void Records_holding_a_token_print_it_masked()
    {
        var holder = new Holder("me", new HfToken(Secret));
        Assert.DoesNotContain(Secret, holder.ToString());
        Assert.Contains("hf_****wxyz", holder.ToString());
    }

    [Fact]
    public void The_JSON_form_is_masked_and_reading_takes_the_raw_value()
    {
        var json = JsonSerializer.Serialize(new Holder("me", new HfToken(Secret)));
        Assert.Contains("\"Token\":\"hf_****wxyz\"", json);
        Assert.DoesNotContain(Secret, json);
        var read = JsonSerializer.Deserialize<HfToken>($"\"{Secret}\"");
        Assert.Equal(Secret, read!.Reveal());
    }

    [Theory]
    [InlineData("short", "****")]
    [InlineData("12345678", "****")]
    [InlineData("123456789", "123****6789")]
    [InlineData("api_org_abcdefghij", "api****ghij")]
    public void Mask_never_shows_more_than_seven_characters(string value, string masked) =>
        Assert.Equal(masked, HfToken.Mask(value));

    [Fact]
    public void Blank_values_are_not_tokens()
    {
        Assert.Null(HfToken.FromValue(null));
        Assert.Null(HfToken.FromValue(" \r\n "));
        Assert.Throws<ArgumentException>(() => new HfToken("\n"));
        Assert.True(new HfToken(Secret).HasHubPrefix);
        Assert.False(new HfToken("api_org_x12345678").HasHubPrefix);
    }

    [Fact]
    public void Equality_compares_the_secret()
    {
        Assert.Equal(new HfToken(Secret), new HfToken(" " + Secret + "\n"));
        Assert.NotEqual(new HfToken(Secret), new HfToken(Secret + "x"));
    }
}
