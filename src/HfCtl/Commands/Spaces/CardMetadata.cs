using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HfCtl.Commands.Spaces;

/// <summary>
/// A card's YAML front matter as JSON, typed as <c>huggingface_hub</c> reads it (PyYAML's safe loader, YAML 1.1
/// core scalars): plain <c>true</c>/<c>false</c>, null (<c>~</c>, <c>null</c>, empty), integers and floats
/// become JSON values of those types; quoted scalars stay strings; key order is kept.
/// </summary>
internal static class CardMetadata
{
    /// <summary>The front matter as a JSON object; an empty one when there is none. Not YAML, or not a mapping: a <see cref="FormatException"/>.</summary>
    public static JsonObject Parse(string? frontMatter)
    {
        if (string.IsNullOrWhiteSpace(frontMatter))
        {
            return [];
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(frontMatter));
        }
        catch (YamlException e)
        {
            throw new FormatException($"the card's YAML front matter is not valid YAML (line {e.Start.Line}): {e.Message}", e);
        }
        if (stream.Documents.Count == 0)
        {
            return [];
        }
        return Convert(stream.Documents[0].RootNode) as JsonObject
            ?? throw new FormatException("the card's YAML front matter is not a mapping of keys to values");
    }

    /// <summary>A value as one line: scalars as they are, lists and maps as compact JSON.</summary>
    public static string OneLine(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue scalar when scalar.TryGetValue<string>(out var text) => HfHub.DisplayText.OneLine(text),
        _ => value.ToJsonString(),
    };

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", Convert(c.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(text);
        }
        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
            _ when text.Any(c => c is '.' or 'e' or 'E') && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => JsonValue.Create(d),
            _ => JsonValue.Create(text),
        };
    }
}
