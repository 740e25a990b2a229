using System.Text.Json;
using System.Text.Json.Nodes;
using HfCtl.Cli;

namespace HfCtl.Mcp;

/// <summary>
/// Turns a command's JSON output into an MCP result: structured content (always an object, as MCP
/// wants) and a short text of <c>key=value</c> lines. Neither is ever longer than the seed's 50 lines
/// of items: a longer list is cut, and one summary line says how many were left out and how to narrow
/// the call. A log keeps its last lines instead of its first.
/// </summary>
internal static class ToolResultShaper
{
    public const int MaxLines = OutputSettings.MaxHumanLines;

    public sealed record Shaped(JsonObject Structured, string Text);

    public static Shaped FromJson(JsonNode? node, bool keepLast, string hint)
    {
        if (node is JsonArray array)
        {
            var total = array.Count;
            var keep = total > MaxLines ? MaxLines - 1 : total; // the summary line is the 50th
            var items = keepLast ? array.Skip(total - keep) : array.Take(keep);
            var kept = new JsonArray([.. items.Select(i => i?.DeepClone())]);
            var lines = kept.Select(RenderItem).ToList();
            var structured = new JsonObject { ["items"] = kept, ["total"] = total, ["truncated"] = keep < total };
            if (keep < total)
            {
                var summary = keepLast
                    ? $"… {total - keep} earlier lines left out ({total} in all); {hint}"
                    : $"… {total - keep} more items left out ({total} in all); {hint}";
                if (keepLast)
                {
                    lines.Insert(0, summary);
                }
                else
                {
                    lines.Add(summary);
                }
            }
            return new Shaped(structured, total == 0 ? "(none)" : string.Join('\n', lines));
        }
        if (node is JsonObject obj)
        {
            return new Shaped(obj, Cap(RenderObject(obj), hint));
        }
        var value = node?.DeepClone();
        return new Shaped(new JsonObject { ["value"] = value }, Scalar(value));
    }

    /// <summary>Output that is not JSON (an API answer in plain text): at most 50 lines, then a summary.</summary>
    public static Shaped FromText(string text, string hint)
    {
        var capped = Cap([.. text.TrimEnd('\n').Split('\n')], hint);
        return new Shaped(new JsonObject { ["text"] = capped }, capped);
    }

    public static string Cap(IReadOnlyList<string> lines, string hint)
    {
        if (lines.Count <= MaxLines)
        {
            return string.Join('\n', lines);
        }
        var shown = lines.Take(MaxLines - 1).Append($"… {lines.Count - (MaxLines - 1)} more lines left out ({lines.Count} in all); {hint}");
        return string.Join('\n', shown);
    }

    private static List<string> RenderObject(JsonObject obj)
    {
        var lines = new List<string>();
        foreach (var (key, value) in obj)
        {
            if (value is JsonArray { Count: > 0 } list && list.All(i => i is JsonObject))
            {
                lines.Add($"{key}:");
                lines.AddRange(list.Select(i => "  " + RenderItem(i)));
            }
            else
            {
                lines.Add($"{key}={Scalar(value)}");
            }
        }
        return lines;
    }

    /// <summary>One item on one line: its fields as tab-separated <c>key=value</c> pairs (nulls left out).</summary>
    private static string RenderItem(JsonNode? item) => item is JsonObject obj
        ? string.Join('\t', obj.Where(p => p.Value is not null).Select(p => $"{p.Key}={Scalar(p.Value)}"))
        : Scalar(item);

    private static string Scalar(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => OneLine(v.GetValue<string>()),
        JsonValue v => v.ToJsonString(),
        _ => value.ToJsonString(),
    };

    private static string OneLine(string text) => HfHub.DisplayText.OneLine(text, int.MaxValue);
}
