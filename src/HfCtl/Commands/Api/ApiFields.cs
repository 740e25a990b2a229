using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HfCtl.Cli;

namespace HfCtl.Commands.Api;

/// <summary>One <c>-f</c>/<c>-F</c> parameter: its key as typed, the key path, and its value.</summary>
internal sealed record ApiField(string Key, IReadOnlyList<string> Path, JsonNode? Value)
{
    /// <summary>The value as it goes into a query string (strings bare, everything else as JSON text).</summary>
    public string QueryValue => Value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => Value.ToJsonString(),
    };
}

/// <summary>
/// Parses <c>gh api</c>-style parameters: <c>-f key=value</c> is always a string; <c>-F key=value</c>
/// turns <c>true</c>, <c>false</c>, <c>null</c> and JSON numbers into their JSON types and reads
/// <c>@file</c> (or <c>@-</c> for stdin) as a string. Keys may nest: <c>a[b]=1</c> → <c>{"a":{"b":1}}</c>,
/// <c>tags[]=x</c> appends to an array.
/// </summary>
internal static partial class ApiFields
{
    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();

    public static ApiField Parse(string text, bool typed, Func<string, string> readFile)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(readFile);
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new UsageException($"field '{text}' must be key=value");
        }
        var key = text[..eq];
        var raw = text[(eq + 1)..];
        return new ApiField(key, KeyPath(key), typed ? Typed(raw, readFile) : JsonValue.Create(raw));
    }

    private static JsonValue? Typed(string raw, Func<string, string> readFile) => raw switch
    {
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        "null" => null,
        _ when raw.StartsWith('@') => JsonValue.Create(readFile(raw[1..])),
        _ when JsonNumber().IsMatch(raw) => long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
            ? JsonValue.Create(integer)
            : JsonValue.Create(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(raw),
    };

    /// <summary>Splits <c>a[b][]</c> into <c>a</c>, <c>b</c>, <c>""</c> (the empty segment means "append").</summary>
    internal static List<string> KeyPath(string key)
    {
        var open = key.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            return [key];
        }
        if (open == 0 || !key.EndsWith(']'))
        {
            throw new UsageException($"invalid field key '{key}': expected name, name[sub] or name[]");
        }
        var path = new List<string> { key[..open] };
        var rest = key[open..];
        while (rest.Length > 0)
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (rest[0] != '[' || close < 0)
            {
                throw new UsageException($"invalid field key '{key}': expected name, name[sub] or name[]");
            }
            path.Add(rest[1..close]);
            rest = rest[(close + 1)..];
        }
        return path;
    }

    /// <summary>Builds the JSON object body the fields describe.</summary>
    public static JsonObject Body(IEnumerable<ApiField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var root = new JsonObject();
        foreach (var field in fields)
        {
            JsonNode container = root;
            for (var i = 0; i < field.Path.Count; i++)
            {
                var segment = field.Path[i];
                var last = i == field.Path.Count - 1;
                var nextIsAppend = !last && field.Path[i + 1].Length == 0;
                switch (container)
                {
                    case JsonObject obj when segment.Length > 0:
                        if (last)
                        {
                            obj[segment] = field.Value?.DeepClone();
                        }
                        else
                        {
                            container = obj[segment] is { } existing && Fits(existing, nextIsAppend)
                                ? existing
                                : obj[segment] = nextIsAppend ? new JsonArray() : new JsonObject();
                        }
                        break;
                    case JsonArray array when segment.Length == 0:
                        if (last)
                        {
                            array.Add(field.Value?.DeepClone());
                        }
                        else
                        {
                            // tags[][name]=x starts a new object per occurrence, as gh does.
                            JsonNode child = nextIsAppend ? new JsonArray() : new JsonObject();
                            array.Add(child);
                            container = child;
                        }
                        break;
                    default:
                        throw new UsageException($"field '{field.Key}' conflicts with another field's shape");
                }
            }
        }
        return root;
    }

    private static bool Fits(JsonNode node, bool wantArray) => wantArray ? node is JsonArray : node is JsonObject;

    /// <summary>Appends the fields to a URL's query string (<c>key=value</c>, percent-encoded).</summary>
    public static Uri WithQuery(Uri url, IEnumerable<ApiField> fields)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(fields);
        var pairs = fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.QueryValue)}").ToList();
        if (pairs.Count == 0)
        {
            return url;
        }
        var builder = new UriBuilder(url);
        var existing = builder.Query.TrimStart('?');
        builder.Query = existing.Length == 0 ? string.Join('&', pairs) : existing + "&" + string.Join('&', pairs);
        return builder.Uri;
    }
}
