using System.Text;
using HfHub.Xet;

namespace HfHub.Tests.Xet;

/// <summary>The CAS's reconstruction answers, v2 and v1, read into one shape; incomplete or malformed answers refused.</summary>
public sealed class XetReconstructionTests
{
    private const string XorbA = "6f2ce16ca5e317f0100ff0e7e5bf40a0de9032e9ee1ad04b6b8ff4e36cdfbf6c";
    private const string XorbB = "0689e5de3d33f7cabfbd0f1b46e0401502fff2603454707b795d10ccb8a051b8";

    private static XetReconstruction Parse(string json) => XetReconstruction.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void A_v2_answer_gives_terms_and_multi_range_fetches()
    {
        var answer = Parse($$$"""
            {"offset_into_first_range": 100,
             "terms": [{"hash": "{{{XorbA}}}", "unpacked_length": 263873, "range": {"start": 0, "end": 4}},
                       {"hash": "{{{XorbB}}}", "unpacked_length": 5000, "range": {"start": 2, "end": 3}},
                       {"hash": "{{{XorbA}}}", "unpacked_length": 65536, "range": {"start": 6, "end": 7}}],
             "xorbs": {"{{{XorbA}}}": [{"url": "https://cas.example/xorb/a?sig=1",
                                      "ranges": [{"chunks": {"start": 0, "end": 4}, "bytes": {"start": 0, "end": 131071}},
                                                 {"chunks": {"start": 6, "end": 7}, "bytes": {"start": 200000, "end": 265543}}]}],
                       "{{{XorbB}}}": [{"url": "https://cas.example/xorb/b", "ranges": [{"chunks": {"start": 2, "end": 3}, "bytes": {"start": 10, "end": 5017}}]}]},
             "unknown_field": true}
            """);
        Assert.Equal(100, answer.OffsetIntoFirstRange);
        Assert.Equal(3, answer.Terms.Count);
        Assert.Equal(new XetReconstructionTerm(XetHash.Parse(XorbA), new XetChunkRange(0, 4), 263873), answer.Terms[0]);
        var fetch = Assert.Single(answer.Fetches[XetHash.Parse(XorbA)]);
        Assert.Equal(new Uri("https://cas.example/xorb/a?sig=1"), fetch.Url);
        Assert.Equal([new XetFetchRange(new XetChunkRange(0, 4), 0, 131071), new XetFetchRange(new XetChunkRange(6, 7), 200000, 265543)], fetch.Ranges);
    }

    [Fact]
    public void A_v1_answer_becomes_one_range_per_url()
    {
        var answer = Parse($$$"""
            {"offset_into_first_range": 0,
             "terms": [{"hash": "{{{XorbA}}}", "unpacked_length": 10, "range": {"start": 1, "end": 2}}],
             "fetch_info": {"{{{XorbA}}}": [{"range": {"start": 0, "end": 3}, "url": "http://127.0.0.1:5000/x", "url_range": {"start": 0, "end": 99}}]}}
            """);
        var fetch = Assert.Single(answer.Fetches[XetHash.Parse(XorbA)]);
        Assert.Equal(new XetFetchRange(new XetChunkRange(0, 3), 0, 99), Assert.Single(fetch.Ranges));
    }

    [Fact]
    public void An_empty_file_has_no_terms()
    {
        var answer = Parse("""{"offset_into_first_range": 0, "terms": [], "xorbs": {}}""");
        Assert.Empty(answer.Terms);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"offset_into_first_range": 0}""", "no terms")]
    [InlineData($$$"""{"terms": [{"hash": "{{{XorbA}}}", "unpacked_length": 1, "range": {"start": 0, "end": 1}}]}""", "fetch nothing")]
    [InlineData($$$"""{"terms": [{"hash": "{{{XorbA}}}", "unpacked_length": 1, "range": {"start": 0, "end": 2}}], "xorbs": {"{{{XorbA}}}": [{"url": "https://c/x", "ranges": [{"chunks": {"start": 0, "end": 1}, "bytes": {"start": 0, "end": 9}}]}]}}""", "does not say where to fetch chunks [0, 2)")]
    [InlineData($$$"""{"terms": [{"hash": "{{{XorbA}}}", "unpacked_length": 1, "range": {"start": 0, "end": 1}}], "xorbs": {"{{{XorbB}}}": [{"url": "https://c/x", "ranges": [{"chunks": {"start": 0, "end": 1}, "bytes": {"start": 0, "end": 9}}]}]}}""", "does not say where to fetch")]
    [InlineData("""{"terms": [{"hash": "abc", "unpacked_length": 1, "range": {"start": 0, "end": 1}}], "xorbs": {}}""", "'abc' is not a Xet hash")]
    [InlineData($$$"""{"terms": [{"hash": "{{{XorbA}}}", "unpacked_length": 1, "range": {"start": 1, "end": 1}}], "xorbs": {}}""", "empty or negative chunk range")]
    [InlineData($$$"""{"terms": [], "xorbs": {"{{{XorbA}}}": [{"url": "file:///etc/passwd", "ranges": []}]}}""", "no absolute http(s) URL")]
    [InlineData($$$"""{"terms": [], "xorbs": {"{{{XorbA}}}": [{"url": "https://c/x", "ranges": [{"chunks": {"start": 0, "end": 1}, "bytes": {"start": 9, "end": 1}}]}]}}""", "byte range")]
    public void Malformed_or_incomplete_answers_are_refused(string json, string message) =>
        Assert.Contains(message, Assert.Throws<InvalidDataException>(() => Parse(json)).Message);
}
