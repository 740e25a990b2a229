using System.Text;

namespace HfHub;

/// <summary>
/// Text from users or servers made fit for a one-line message: the client's own errors use it, and
/// so can an application that shows them. Control characters never reach a terminal, lone
/// surrogates become U+FFFD, and long text is cut with '…'.
/// </summary>
public static class DisplayText
{
    /// <summary>The most characters of a value quoted inside a message (a path, a repo id, a key).</summary>
    public const int QuoteLength = 200;

    /// <summary>The most characters of a whole message.</summary>
    public const int MessageLength = 1000;

    /// <summary>A value to quote: each control character becomes '?', so what was typed stays visible.</summary>
    public static string Printable(string text, int maxLength = QuoteLength) => Clean(text, maxLength, collapse: false);

    /// <summary>A message on one line: runs of whitespace and control characters become one space, trimmed.</summary>
    public static string OneLine(string text, int maxLength = MessageLength) => Clean(text, maxLength, collapse: true).Trim();

    private static string Clean(string text, int maxLength, bool collapse)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 1);
        var lastWasSpace = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (builder.Length >= maxLength)
            {
                builder.Append('…');
                break;
            }
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
                lastWasSpace = false;
                continue;
            }
            if (char.IsSurrogate(c))
            {
                builder.Append('\uFFFD');
                lastWasSpace = false;
                continue;
            }
            if (!collapse)
            {
                builder.Append(char.IsControl(c) ? '?' : c);
                continue;
            }
            var space = char.IsWhiteSpace(c) || char.IsControl(c);
            if (!(space && lastWasSpace))
            {
                builder.Append(space ? ' ' : c);
            }
            lastWasSpace = space;
        }
        return builder.ToString();
    }
}
