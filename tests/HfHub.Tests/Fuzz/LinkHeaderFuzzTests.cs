using CsCheck;
using HfHub.Http;

namespace HfHub.Tests.Fuzz;

/// <summary>Properties of the <c>Link</c> header parser: agrees with a model on well-formed headers, never throws on any string.</summary>
public sealed class LinkHeaderFuzzTests
{
    private sealed record LinkModel(string Url, IReadOnlyList<string> Parameters, IReadOnlyList<string> Relations);

    // URLs may hold anything but the brackets; quoted parameter values may hold ',', ';', '=' and '<'.
    private static readonly Gen<string> UrlChars = Gen.String[Gen.Char["abcXYZ019:/?&=%.,;\" -_~é"], 0, 30];
    private static readonly Gen<string> QuotedChars = Gen.OneOf(
        Gen.String[Gen.Char["abc,;= <>/nextrl"], 0, 12],
        Gen.OneOf(";rel=next", "a, <b>; rel=next", "rel=next"));
    private static readonly Gen<string> Relation = Gen.OneOf("next", "NEXT", "Next", "prev", "last", "first", "nextish", "nex");
    private static readonly Gen<string> Space = Gen.OneOf("", " ", "  ", "\t");

    private static readonly Gen<LinkModel> Link =
        Gen.Select(UrlChars, Relation.Array[0, 3], Gen.Bool, QuotedChars.Array[0, 2], Space, (url, rels, quoteRel, others, space) =>
        {
            var parameters = new List<string>();
            foreach (var other in others)
            {
                parameters.Add($"title=\"{other}\"");
            }
            if (rels.Length > 0)
            {
                var value = string.Join(' ', rels);
                parameters.Insert(parameters.Count / 2, quoteRel || rels.Length > 1 ? $"rel{space}={space}\"{value}\"" : $"rel={value}");
            }
            return new LinkModel(url, parameters, rels);
        });

    private static string Render(IEnumerable<LinkModel> links, string space) =>
        string.Join("," + space, links.Select(l => $"<{l.Url}>" + string.Concat(l.Parameters.Select(p => $";{space}{p}"))));

    [Fact]
    public void Well_formed_headers_give_the_first_next_link()
    {
        Gen.Select(Link.Array[0, 4], Space).Sample((links, space) =>
        {
            var expected = links.FirstOrDefault(l => l.Relations.Contains("next", StringComparer.OrdinalIgnoreCase))?.Url;
            Assert.Equal(expected, LinkHeader.Find(Render(links, space)));
        }, iter: FuzzSettings.Iter(5000));
    }

    [Fact]
    public void Any_string_parses_without_throwing_and_answers_a_bracketed_part_of_it()
    {
        var chars = Gen.Char["<>;,=\" relnxtRELNEXT\t\\\0a/"];
        Gen.OneOf(Gen.String[chars, 0, 60], Gen.String).Sample(header =>
        {
            var found = LinkHeader.Find(header);
            if (found is not null)
            {
                Assert.Contains("<" + found + ">", header, StringComparison.Ordinal);
            }
            _ = LinkHeader.Find(header, "prev");
        }, iter: FuzzSettings.Iter(20000));
    }

    // Found by Well_formed_headers_give_the_first_next_link: a quoted value was split on its ';'.
    [Theory]
    [InlineData("<>;title=\";rel=next\"")]
    [InlineData("<https://h/a>; title=\"x;rel=next\", <https://h/b>; rel=prev")]
    public void A_relation_inside_a_quoted_value_is_not_a_relation(string header) => Assert.Null(LinkHeader.Find(header));

    [Fact]
    public void A_huge_header_is_parsed_in_one_pass()
    {
        var header = string.Concat(Enumerable.Repeat("<https://h/x?a=1>; rel=\"prev\", ", 100_000)) + "<https://h/next>; rel=\"next\"";
        Assert.Equal("https://h/next", LinkHeader.Find(header));
    }
}
