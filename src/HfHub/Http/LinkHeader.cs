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
            foreach (var parameter in SplitOutsideQuotes(link[(close + 1)..], ';'))
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

    /// <summary>
    /// The link's parameters: split on ';' outside quoted strings, so a quoted value holding
    /// "; rel=next" is not taken for a relation.
    /// </summary>
    private static IEnumerable<string> SplitOutsideQuotes(string text, char separator)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] == '"')
            {
                quoted = !quoted;
            }
            else if (i == text.Length || (text[i] == separator && !quoted))
            {
                var part = text[start..i].Trim();
                if (part.Length > 0)
                {
                    yield return part;
                }
                start = i + 1;
            }
        }
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
