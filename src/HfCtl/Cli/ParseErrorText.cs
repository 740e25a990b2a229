using System.Globalization;
using System.Text.RegularExpressions;

namespace HfCtl.Cli;

/// <summary>
/// System.CommandLine's parse errors in the user's terms and on one line: its lists of choices
/// come as newline + tab + quoted item (which the one-line guard would print as '??'), and a value
/// that does not parse names the CLR type it was meant for (<c>System.Nullable`1[System.Int32]</c>).
/// </summary>
internal static partial class ParseErrorText
{
    public static string Render(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = ExpectedType().Replace(message, m =>
        {
            var target = m.Groups["kind"].Value switch
            {
                "option" => $" for {m.Groups["target"].Value}",
                "command" => $" for an argument of '{m.Groups["target"].Value}'",
                _ => "",
            };
            return $"'{m.Groups["value"].Value}' is not a valid value{target}: expected {Describe(m.Groups["type"].Value)}";
        });
        var lines = text.Split(["\r\n", "\n"], StringSplitOptions.None);
        if (lines.Length > 1)
        {
            var items = lines.Skip(1).Select(l => l.Trim().Trim('\'')).Where(l => l.Length > 0);
            text = $"{lines[0].TrimEnd()} {string.Join(", ", items)}";
        }
        // "… not recognized. Must be one of: a, b" reads as one sentence with a semicolon.
        return text.Replace(". Must be one of:", "; must be one of:", StringComparison.Ordinal)
            .Replace(". Did you mean one of the following?", "; did you mean one of:", StringComparison.Ordinal);
    }

    /// <summary>What a value of a CLR type looks like to someone typing it.</summary>
    internal static string Describe(string clrType)
    {
        var nullable = NullableOf().Match(clrType);
        var type = nullable.Success ? nullable.Groups["inner"].Value : clrType;
        return type switch
        {
            "System.Int32" => Range("a whole number", int.MinValue, int.MaxValue),
            "System.Int64" => Range("a whole number", long.MinValue, long.MaxValue),
            "System.UInt32" or "System.UInt64" or "System.Int16" or "System.Byte" => "a whole number in range",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.TimeSpan" => "a duration such as 00:05:00",
            _ => "a value of another form (see --help)",
        };
    }

    private static string Range(string what, long min, long max) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} from {min} to {max}");

    [GeneratedRegex(@"Cannot parse argument '(?<value>.*?)'( for (?<kind>option|command) '(?<target>.*?)')? as expected type '(?<type>[^']*)'\.", RegexOptions.Singleline)]
    private static partial Regex ExpectedType();

    [GeneratedRegex(@"^System\.Nullable`1\[(?<inner>.+)\]$")]
    private static partial Regex NullableOf();
}
