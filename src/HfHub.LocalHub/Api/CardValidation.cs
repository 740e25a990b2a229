using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HfHub.LocalHub.Api;

/// <summary>
/// What <c>POST /api/validate-yaml</c> checks in a README's front matter (the YAML between a first
/// line <c>---</c> and the next <c>---</c> line). The Hub's full rule set is not published; these are
/// the rules the local hub enforces, each one the Hub is known to enforce too:
/// <list type="bullet">
/// <item>no front matter, or an empty one: valid, with the warning "empty or missing yaml metadata in repo card";</item>
/// <item>front matter that is not YAML (syntax error, duplicate key), or not a mapping: an error;</item>
/// <item><c>license</c>, <c>license_name</c>, <c>license_link</c>, <c>pipeline_tag</c>, <c>library_name</c>,
///   <c>base_model</c>, <c>title</c>, <c>emoji</c>, <c>sdk_version</c>, <c>app_file</c>, <c>short_description</c>:
///   strings (<c>base_model</c> may also be a list of strings);</item>
/// <item><c>tags</c>, <c>datasets</c>, <c>metrics</c>, <c>language</c>, <c>models</c>: a string or a list of strings;</item>
/// <item>Spaces only: <c>sdk</c> one of <c>gradio</c>, <c>streamlit</c>, <c>docker</c>, <c>static</c>;
///   <c>app_port</c> an integer in 1–65535; <c>pinned</c> a boolean; <c>colorFrom</c>/<c>colorTo</c> one of
///   red, yellow, green, blue, indigo, purple, pink, gray.</item>
/// </list>
/// Keys the local hub does not know are accepted, as the Hub accepts free-form metadata.
/// </summary>
internal static class CardValidation
{
    public const string EmptyMetadataWarning = "empty or missing yaml metadata in repo card (https://huggingface.co/docs/hub/model-cards#model-card-metadata)";

    private static readonly string[] StringKeys =
        ["license", "license_name", "license_link", "pipeline_tag", "library_name", "title", "emoji", "sdk_version", "app_file", "short_description"];

    private static readonly string[] StringOrListKeys = ["tags", "datasets", "metrics", "language", "models", "base_model"];

    private static readonly string[] SpaceSdks = ["gradio", "streamlit", "docker", "static"];

    private static readonly string[] SpaceColors = ["red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"];

    /// <summary>The errors (the card is refused) and warnings (it is accepted) for a README of a repo type.</summary>
    public static (List<string> Errors, List<string> Warnings) Validate(string readme, string repoType)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        var yaml = FrontMatter(readme);
        if (string.IsNullOrWhiteSpace(yaml))
        {
            warnings.Add(EmptyMetadataWarning);
            return (errors, warnings);
        }
        YamlNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            errors.Add($"Invalid YAML in README.md metadata (line {e.Start.Line}, column {e.Start.Column}): {e.Message}");
            return (errors, warnings);
        }
        if (root is null || root is YamlScalarNode { Value: null or "" })
        {
            warnings.Add(EmptyMetadataWarning);
            return (errors, warnings);
        }
        if (root is not YamlMappingNode mapping)
        {
            errors.Add("README.md metadata must be a YAML mapping (key: value pairs)");
            return (errors, warnings);
        }
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (StringKeys.Contains(key) && !IsString(value) && !(key == "base_model" && IsStringList(value)))
            {
                errors.Add($"\"{key}\" must be a string");
            }
            else if (StringOrListKeys.Contains(key) && !IsString(value) && !IsStringList(value))
            {
                errors.Add($"\"{key}\" must be a string or a list of strings");
            }
            if (repoType != "space")
            {
                continue;
            }
            switch (key)
            {
                case "sdk" when !(value is YamlScalarNode { Value: { } sdk } && SpaceSdks.Contains(sdk)):
                    errors.Add($"\"sdk\" must be one of [{string.Join(", ", SpaceSdks)}]");
                    break;
                case "app_port" when !(value is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } port }
                    && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535):
                    errors.Add("\"app_port\" must be an integer between 1 and 65535");
                    break;
                case "pinned" when !(value is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" }):
                    errors.Add("\"pinned\" must be a boolean");
                    break;
                case "colorFrom" or "colorTo" when !(value is YamlScalarNode { Value: { } color } && SpaceColors.Contains(color)):
                    errors.Add($"\"{key}\" must be one of [{string.Join(", ", SpaceColors)}]");
                    break;
            }
        }
        return (errors, warnings);
    }

    /// <summary>The YAML between the first line <c>---</c> and the next <c>---</c> line; null when there is none.</summary>
    internal static string? FrontMatter(string readme)
    {
        var lines = readme.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length < 2 || lines[0].TrimEnd() != "---")
        {
            return null;
        }
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd() == "---")
            {
                return string.Join('\n', lines[1..i]);
            }
        }
        return null;
    }

    /// <summary>A YAML string: a quoted scalar, or a plain one YAML would not read as a number, boolean or null.</summary>
    private static bool IsString(YamlNode node) => node is YamlScalarNode scalar && (scalar.Style != ScalarStyle.Plain || (scalar.Value is { } text
        && text is not ("true" or "false" or "null" or "~" or "") && !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)));

    private static bool IsStringList(YamlNode node) => node is YamlSequenceNode sequence && sequence.Children.All(IsString);
}
