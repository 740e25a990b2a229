using System.Text.Json;
using System.Text.Json.Nodes;

namespace HfCtl.Mcp;

/// <summary>One argument of a tool: its JSON type, what it means, and what values it takes.</summary>
internal sealed record ToolProperty(string Name, string Type, string Description, bool Required = false)
{
    public IReadOnlyList<string>? Enum { get; init; }
    public int Minimum { get; init; } = int.MinValue;
    public int Maximum { get; init; } = int.MaxValue;

    public static ToolProperty Text(string name, string description, bool required = false) => new(name, "string", description, required);
    public static ToolProperty Flag(string name, string description) => new(name, "boolean", description);
    public static ToolProperty Number(string name, string description, int minimum, int maximum) =>
        new(name, "integer", description) { Minimum = minimum, Maximum = maximum };
    public static ToolProperty Choice(string name, string description, params string[] values) =>
        new(name, "string", description) { Enum = values };
    public static ToolProperty List(string name, string description) => new(name, "array", description);
}

/// <summary>A tool's input schema: an object of the given properties and nothing else.</summary>
internal sealed class ToolSchema(params ToolProperty[] properties)
{
    public IReadOnlyList<ToolProperty> Properties { get; } = properties;

    public ToolProperty? Find(string name) => Properties.FirstOrDefault(p => p.Name == name);

    /// <summary>The JSON Schema the client sees (<c>additionalProperties: false</c>: unknown arguments are refused).</summary>
    public JsonElement ToJson()
    {
        var props = new JsonObject();
        foreach (var p in Properties)
        {
            var schema = new JsonObject { ["type"] = p.Type, ["description"] = p.Description };
            if (p.Enum is { } values)
            {
                schema["enum"] = new JsonArray([.. values.Select(v => JsonValue.Create(v))]);
            }
            if (p.Type == "integer")
            {
                if (p.Minimum != int.MinValue)
                {
                    schema["minimum"] = p.Minimum;
                }
                if (p.Maximum != int.MaxValue)
                {
                    schema["maximum"] = p.Maximum;
                }
            }
            if (p.Type == "array")
            {
                schema["items"] = new JsonObject { ["type"] = "string" };
            }
            props[p.Name] = schema;
        }
        var root = new JsonObject { ["type"] = "object", ["properties"] = props, ["additionalProperties"] = false };
        var required = Properties.Where(p => p.Required).Select(p => JsonValue.Create(p.Name)).ToArray();
        if (required.Length > 0)
        {
            root["required"] = new JsonArray(required);
        }
        using var document = JsonDocument.Parse(root.ToJsonString());
        return document.RootElement.Clone();
    }
}
