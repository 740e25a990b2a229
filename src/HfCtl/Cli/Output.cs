using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace HfCtl.Cli;

/// <summary>A column of a listing: its header and how to render a row's cell.</summary>
public sealed record Column<T>(string Header, Func<T, string> Value);

/// <summary>How the user asked for output: JSON (with optional fields), everything, or quiet.</summary>
public sealed record OutputSettings(bool Json, IReadOnlyList<string>? JsonFields, bool All, bool Quiet)
{
    /// <summary>Human listings longer than this are cut, with a summary line.</summary>
    public const int MaxHumanLines = 50;
}

/// <summary>
/// The output layer: aligned tables with headers on a terminal, TSV without headers when piped,
/// JSON with <c>--json</c> (optionally only some fields), and the 50-line cap with a summary line.
/// </summary>
public sealed class Output(CliConsole console, OutputSettings settings)
{
    public CliConsole Console { get; } = console;
    public OutputSettings Settings { get; } = settings;
    public bool Json => Settings.Json;

    /// <summary>A line of human output (suppressed by <c>--quiet</c>).</summary>
    public void Line(string text = "")
    {
        if (!Settings.Quiet)
        {
            Console.Out.WriteLine(text);
        }
    }

    /// <summary>A success line, with a check mark on a terminal.</summary>
    public void Success(string text) => Line(Console.IsOutputTerminal ? $"{Mark(true)} {text}" : text);

    /// <summary>A warning on stderr.</summary>
    public void Warn(string text) => Console.Err.WriteLine($"warning: {text}");

    /// <summary>✓ or ✗, coloured when colour is on.</summary>
    public string Mark(bool ok) => (ok, Console.Color) switch
    {
        (true, true) => "\u001b[32m✓\u001b[0m",
        (false, true) => "\u001b[31m✗\u001b[0m",
        (true, false) => "✓",
        (false, false) => "✗",
    };

    /// <summary>Prints a value as JSON, honouring <c>--json field,field</c>.</summary>
    public void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var node = JsonSerializer.SerializeToNode(value, typeInfo);
        if (Settings.JsonFields is { Count: > 0 } fields)
        {
            var available = FieldNames(typeInfo);
            var unknown = fields.FirstOrDefault(f => !available.Contains(f));
            if (unknown is not null)
            {
                throw new UsageException($"unknown JSON field '{unknown}'; available fields: {string.Join(", ", available)}");
            }
            node = SelectFields(node, fields);
        }
        var text = node?.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = Console.IsOutputTerminal,
            TypeInfoResolver = typeInfo.Options.TypeInfoResolver,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // printed, never embedded in HTML
        }) ?? "null";
        Console.Out.WriteLine(text);
    }

    /// <summary>
    /// Prints a listing: JSON (all items) with <c>--json</c>; otherwise a table or TSV, cut at
    /// 50 lines unless <c>--all</c>, with a summary of what was left out.
    /// </summary>
    /// <remarks><paramref name="moreAtSource"/>: the source was asked for one item more than can be
    /// shown, so the count of what is left out is a lower bound ("at least").</remarks>
    public void WriteList<T>(IReadOnlyList<T> items, IReadOnlyList<Column<T>> columns, JsonTypeInfo<List<T>> typeInfo, string noun, bool moreAtSource = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(columns);
        if (Settings.Json)
        {
            WriteJson(items as List<T> ?? [.. items], typeInfo);
            return;
        }
        var headerLines = Console.IsOutputTerminal ? 1 : 0;
        var shown = Settings.All || items.Count + headerLines <= OutputSettings.MaxHumanLines
            ? items.Count
            : OutputSettings.MaxHumanLines - headerLines;
        var rows = items.Take(shown).Select(item => columns.Select(c => Clean(c.Value(item))).ToArray()).ToList();
        if (Console.IsOutputTerminal)
        {
            if (items.Count == 0)
            {
                Console.Out.WriteLine($"No {noun} found.");
                return;
            }
            RenderTable(columns.Select(c => c.Header).ToArray(), rows);
        }
        else
        {
            foreach (var row in rows)
            {
                Console.Out.WriteLine(string.Join('\t', row));
            }
        }
        if (shown < items.Count)
        {
            WriteSummary(Summary(items.Count - shown, noun, moreAtSource));
        }
    }

    /// <summary>Prints lines, keeping at most 50 unless <c>--all</c>, with a summary of the rest.</summary>
    public void WriteCapped(IReadOnlyList<string> lines, string noun)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var shown = Settings.All || lines.Count <= OutputSettings.MaxHumanLines ? lines.Count : OutputSettings.MaxHumanLines;
        foreach (var line in lines.Take(shown))
        {
            Console.Out.WriteLine(line);
        }
        if (shown < lines.Count)
        {
            WriteSummary(Summary(lines.Count - shown, noun));
        }
    }

    public static string Summary(int hidden, string noun, bool atLeast = false) =>
        $"… {(atLeast ? "at least " : "")}{hidden} more {noun}; --all to show all, --json for machine output";

    /// <summary>
    /// The summary line below a cut listing: on a terminal it follows the rows; piped, it goes to
    /// stderr, so that the TSV a program reads holds only rows.
    /// </summary>
    public void WriteSummary(string summary)
    {
        if (Console.IsOutputTerminal)
        {
            Console.Out.WriteLine(summary);
        }
        else
        {
            Console.Err.WriteLine(summary);
        }
    }

    private void RenderTable(string[] headers, List<string[]> rows)
    {
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = Console.Color ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = Console.Color ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        ansi.Profile.Width = Console.Width;
        var table = new Table().NoBorder().HideHeaders();
        table.ShowRowSeparators = false;
        foreach (var _ in headers)
        {
            table.AddColumn(new TableColumn("") { Padding = new Padding(0, 0, 2, 0) });
        }
        table.AddRow(headers.Select(h => (IRenderable)new Text(h.ToUpperInvariant(), new Style(decoration: Decoration.Bold))).ToArray());
        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell)).ToArray());
        }
        ansi.Write(table);
    }

    /// <summary>Cells never break a TSV row: tabs and newlines become spaces.</summary>
    private static string Clean(string value) =>
        value.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    /// <summary>The JSON property names of an object type, or of the element type of a list.</summary>
    private static List<string> FieldNames(JsonTypeInfo typeInfo)
    {
        var objectInfo = typeInfo.Kind == JsonTypeInfoKind.Enumerable && typeInfo.ElementType is { } element
            ? typeInfo.Options.GetTypeInfo(element)
            : typeInfo;
        return [.. objectInfo.Properties.Select(p => p.Name)];
    }

    private static JsonNode? SelectFields(JsonNode? node, IReadOnlyList<string> fields)
    {
        switch (node)
        {
            case JsonArray array:
                var result = new JsonArray();
                foreach (var item in array)
                {
                    result.Add(SelectFields(item, fields));
                }
                return result;
            case JsonObject obj:
                var selected = new JsonObject();
                foreach (var field in fields)
                {
                    selected[field] = obj[field]?.DeepClone();
                }
                return selected;
            default:
                return node;
        }
    }
}
