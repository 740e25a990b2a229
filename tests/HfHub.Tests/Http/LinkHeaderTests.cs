using HfHub.Http;

namespace HfHub.Tests.Http;

public sealed class LinkHeaderTests
{
    [Fact]
    public void The_Hubs_next_link_is_an_absolute_URL()
    {
        const string header = "<https://huggingface.co/api/spaces?author=me&cursor=eyJfaWQiOnsiJGd0IjoiNjQ%3D&limit=100>; rel=\"next\"";
        Assert.Equal("https://huggingface.co/api/spaces?author=me&cursor=eyJfaWQiOnsiJGd0IjoiNjQ%3D&limit=100", LinkHeader.Find(header));
    }

    [Fact]
    public void The_right_link_is_picked_among_several()
    {
        const string header = "<https://hub/api/x?page=1>; rel=\"prev\", <https://hub/api/x?page=3>; rel=\"next\", <https://hub/api/x?page=9>; rel=\"last\"";
        Assert.Equal("https://hub/api/x?page=3", LinkHeader.Find(header));
        Assert.Equal("https://hub/api/x?page=1", LinkHeader.Find(header, "prev"));
        Assert.Equal("https://hub/api/x?page=9", LinkHeader.Find(header, "LAST"));
    }

    [Fact]
    public void Commas_inside_quotes_and_inside_the_URL_do_not_split_links()
    {
        const string header = "<https://hub/api/x?filter=a,b>; title=\"one, two\"; rel=\"next\", <https://hub/other>; rel=\"prev\"";
        Assert.Equal("https://hub/api/x?filter=a,b", LinkHeader.Find(header));
        Assert.Equal("https://hub/other", LinkHeader.Find(header, "prev"));
    }

    [Theory]
    [InlineData("<https://hub/a>; rel=next", "https://hub/a")]
    [InlineData("<https://hub/a>; rel=\"prefetch next\"", "https://hub/a")]
    [InlineData("<https://hub/a> ; REL = \"next\"", "https://hub/a")]
    [InlineData("</api/x?cursor=2>; rel=\"next\"", "/api/x?cursor=2")]
    public void Parameter_spellings_are_tolerated(string header, string expected) =>
        Assert.Equal(expected, LinkHeader.Find(header));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("<https://hub/a>; rel=\"prev\"")]
    [InlineData("https://hub/a; rel=\"next\"")]
    [InlineData("<https://hub/a>; relation=\"next\"")]
    public void No_next_link_gives_null(string? header) => Assert.Null(LinkHeader.Find(header));
}
