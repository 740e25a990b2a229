using System.Text.Json;

namespace HfCtl.Mcp;

/// <summary>
/// A tool call's arguments, read against the tool's schema: a wrong type, an unknown name, a missing
/// required value or an oversized one is a <see cref="ToolArgumentException"/> with one plain line,
/// before anything runs. Models send what they like; nothing here trusts it.
/// </summary>
internal sealed class ToolArguments
{
    /// <summary>No single argument is longer than this (a Space id is 96 characters; a secret value may be a key file).</summary>
    public const int MaxLength = 64 * 1024;

    private readonly IReadOnlyDictionary<string, JsonElement> _values;

    public ToolArguments(IReadOnlyDictionary<string, JsonElement>? values, ToolSchema schema)
    {
        _values = values ?? new Dictionary<string, JsonElement>();
        foreach (var (name, value) in _values)
        {
            var property = schema.Find(name) ?? throw new ToolArgumentException(
                $"unknown argument '{Clip(name)}'; this tool takes: {(schema.Properties.Count == 0 ? "no arguments" : string.Join(", ", schema.Properties.Select(p => p.Name)))}");
            CheckType(property, value);
        }
        foreach (var property in schema.Properties.Where(p => p.Required))
        {
            if (!_values.TryGetValue(property.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                throw new ToolArgumentException($"argument '{property.Name}' is required: {property.Description}");
            }
        }
    }

    public string? String(string name) =>
        _values.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public string RequiredString(string name) => String(name) ?? throw new ToolArgumentException($"argument '{name}' is required");

    public bool Bool(string name) =>
        _values.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.True;

    public int? Int(string name) =>
        _values.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    public IReadOnlyList<string> Strings(string name) =>
        _values.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Select(e => e.GetString()!)]
            : [];

    /// <summary>
    /// A local path for the server to read or write. Absolute or relative to the server's folder, but
    /// never through '..': a model that was told "save ./data.db" has no business climbing out.
    /// </summary>
    public string? LocalPath(string name)
    {
        var path = String(name);
        if (path is null)
        {
            return null;
        }
        if (path.Length == 0 || path.Split('/', '\\').Any(segment => segment == ".."))
        {
            throw new ToolArgumentException($"argument '{name}' must be a path without '..' segments (got '{Clip(path)}')");
        }
        return path;
    }

    private static void CheckType(ToolProperty property, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null && !property.Required)
        {
            return;
        }
        switch (property.Type)
        {
            case "string":
                if (value.ValueKind != JsonValueKind.String)
                {
                    throw WrongType(property, "a string", value);
                }
                CheckString(property, value.GetString()!);
                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw WrongType(property, "true or false", value);
                }
                break;
            case "integer":
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
                {
                    throw WrongType(property, "a whole number", value);
                }
                if (number < property.Minimum || number > property.Maximum)
                {
                    throw new ToolArgumentException($"argument '{property.Name}' must be from {property.Minimum} to {property.Maximum} (got {number})");
                }
                break;
            case "array":
                if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                {
                    throw WrongType(property, "an array of strings", value);
                }
                if (value.GetArrayLength() > 1000)
                {
                    throw new ToolArgumentException($"argument '{property.Name}' takes at most 1000 items");
                }
                foreach (var item in value.EnumerateArray())
                {
                    CheckString(property, item.GetString()!);
                }
                break;
            default:
                throw new InvalidOperationException($"schema type {property.Type} has no reader");
        }
    }

    private static void CheckString(ToolProperty property, string text)
    {
        if (text.Length > MaxLength)
        {
            throw new ToolArgumentException($"argument '{property.Name}' is too long ({text.Length:N0} characters; at most {MaxLength:N0})");
        }
        if (property.Enum is { } allowed && !allowed.Contains(text, StringComparer.Ordinal))
        {
            throw new ToolArgumentException($"argument '{property.Name}' must be one of: {string.Join(", ", allowed)} (got '{Clip(text)}')");
        }
    }

    private static ToolArgumentException WrongType(ToolProperty property, string expected, JsonElement value) =>
        new($"argument '{property.Name}' must be {expected}, not {value.ValueKind.ToString().ToLowerInvariant()}");

    /// <summary>Quoted input is cut short, so a huge argument cannot make a huge error.</summary>
    private static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "…";
}

/// <summary>A tool call whose arguments do not fit its schema (an MCP tool error, exit-code meaning "usage").</summary>
internal sealed class ToolArgumentException(string message) : Exception(message);
