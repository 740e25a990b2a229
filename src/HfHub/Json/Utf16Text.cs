namespace HfHub.Json;

/// <summary>
/// Whether a .NET string is well-formed UTF-16 (no lone surrogates): only such text survives a
/// round trip through UTF-8, JSON and the terminal.
/// </summary>
public static class Utf16Text
{
    /// <summary>True when <paramref name="text"/> has no lone surrogate.</summary>
    public static bool IsWellFormed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }
        return true;
    }
}
