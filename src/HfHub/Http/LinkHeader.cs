namespace HfHub.Http;

/// <summary>Parses the <c>Link</c> header the Hub uses for pagination: <c>&lt;absolute-url&gt;; rel="next"</c>.</summary>
public static class LinkHeader
{
    /// <summary>The URL of the link with the given relation, or null.</summary>
    public static string? Find(string? header, string relation = "next")
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }
        foreach (var link in SplitLinks(header))
        {
            var open = link.IndexOf('<', StringComparison.Ordinal);
            var close = open < 0 ? -1 : link.IndexOf('>', open + 1);
            if (close < 0)
            {
                continue;
            }
            foreach (var parameter in link[(close + 1)..].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = parameter.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0 || !parameter[..eq].Trim().Equals("rel", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                var relations = parameter[(eq + 1)..].Trim().Trim('"').Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (relations.Contains(relation, StringComparer.OrdinalIgnoreCase))
                {
                    return link[(open + 1)..close];
                }
            }
        }
        return null;
    }

    /// <summary>Splits on commas that are outside quotes and outside the URL brackets.</summary>
    private static IEnumerable<string> SplitLinks(string header)
    {
        var start = 0;
        var quoted = false;
        var inUrl = false;
        for (var i = 0; i < header.Length; i++)
        {
            switch (header[i])
            {
                case '"' when !inUrl:
                    quoted = !quoted;
                    break;
                case '<' when !quoted:
                    inUrl = true;
                    break;
                case '>' when !quoted:
                    inUrl = false;
                    break;
                case ',' when !quoted && !inUrl:
                    yield return header[start..i];
                    start = i + 1;
                    break;
            }
        }
        yield return header[start..];
    }
}
