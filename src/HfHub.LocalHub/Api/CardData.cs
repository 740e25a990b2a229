using System.Globalization;
using System.Text.Json;

namespace HfHub.LocalHub.Api;

/// <summary>
/// The <c>cardData</c> of repo info: the YAML front matter of the README, between the leading
/// <c>---</c> lines. Only the flat subset model, dataset and Space cards use at the top level is
/// read (scalars, inline <c>[a, b]</c> lists and <c>- item</c> lists); nested maps are skipped.
/// </summary>
internal static class CardData
{
    public static IReadOnlyList<(string Key, object Value)>? Parse(string? readme)
    {
        if (readme is null)
        {
            return null;
        }
        var lines = readme.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length < 2 || lines[0].Trim() != "---")
        {
            return null;
        }
        var result = new List<(string Key, object Value)>();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim() == "---")
            {
                return result;
            }
            if (line.Length == 0 || char.IsWhiteSpace(line[0]) || line.StartsWith('#') || line.StartsWith('-'))
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (value.Length == 0)
            {
                var items = new List<object>();
                while (i + 1 < lines.Length && lines[i + 1].TrimStart().StartsWith("- ", StringComparison.Ordinal))
                {
                    items.Add(Scalar(lines[++i].TrimStart()[2..].Trim()));
                }
                if (items.Count > 0)
                {
                    result.Add((key, items));
                }
                continue;
            }
            if (value.StartsWith('[') && value.EndsWith(']'))
            {
                result.Add((key, value[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Scalar).ToList()));
                continue;
            }
            result.Add((key, Scalar(value)));
        }
        return null; // no closing ---
    }

    private static object Scalar(string text)
    {
        if (text.Length >= 2 && (text[0] == '"' && text[^1] == '"' || text[0] == '\'' && text[^1] == '\''))
        {
            return text[1..^1];
        }
        return text switch
        {
            "true" => true,
            "false" => false,
            _ when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && text.Contains('.', StringComparison.Ordinal) => d,
            _ => text,
        };
    }

    public static void Write(Utf8JsonWriter writer, IReadOnlyList<(string Key, object Value)> card)
    {
        writer.WriteStartObject("cardData");
        foreach (var (key, value) in card)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value);
        }
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object value)
    {
        switch (value)
        {
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case long n:
                writer.WriteNumberValue(n);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case List<object> list:
                writer.WriteStartArray();
                list.ForEach(item => WriteValue(writer, item));
                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }
}
