using HfHub.Repos;

namespace HfHub.Tests.Repos;

public sealed class RepoIdTests
{
    [Theory]
    [InlineData("foo", null, "foo")]
    [InlineData("foo/bar", "foo", "bar")]
    [InlineData("123", null, "123")]
    [InlineData("Foo-BAR_foo.bar123", null, "Foo-BAR_foo.bar123")]
    [InlineData("user/model.v2_final", "user", "model.v2_final")]
    [InlineData("a/b", "a", "b")]
    public void Valid_ids_parse(string text, string? ns, string name)
    {
        Assert.True(RepoId.TryParse(text, out var id, out var error), error);
        Assert.Equal(ns, id.Namespace);
        Assert.Equal(name, id.Name);
        Assert.Equal(text, id.ToString());
    }

    [Theory]
    [InlineData("datasets/foo/bar", "at most one '/'")]
    [InlineData(".repo_id", "not starting or ending")]
    [InlineData("repo-", "not starting or ending")]
    [InlineData("-repo", "not starting or ending")]
    [InlineData("foo--bar", "'--' and '..'")]
    [InlineData("foo..bar", "'--' and '..'")]
    [InlineData("foo.git", "'.git'")]
    [InlineData("me/foo.git", "'.git'")]
    [InlineData("", "cannot be empty")]
    [InlineData("foo bar", "letters, digits")]
    [InlineData("foo/", "letters, digits")]
    [InlineData("/foo", "letters, digits")]
    [InlineData("café", "letters, digits")]
    public void Invalid_ids_give_a_one_line_reason(string text, string reason)
    {
        Assert.False(RepoId.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.DoesNotContain('\n', error);
        Assert.Throws<ArgumentException>(() => RepoId.Parse(text));
    }

    [Fact]
    public void Names_are_limited_to_96_characters()
    {
        Assert.True(RepoId.TryParse("me/" + new string('a', 96), out _, out _));
        Assert.False(RepoId.TryParse("me/" + new string('a', 97), out _, out _));
    }

    [Fact]
    public void Control_characters_never_reach_the_message()
    {
        Assert.False(RepoId.TryParse("bad\nname\u001b[31m", out _, out var error));
        Assert.DoesNotContain('\n', error);
        Assert.DoesNotContain('\u001b', error);
    }
}
