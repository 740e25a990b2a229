using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace HfCtl.Cli;

/// <summary>A column of a listing: its header and how to render a row's cell.</summary>
public sealed record Column<T>(string Header, Func<T, string> Value)
{
    /// <summary>A cell's colour on a colour terminal (a Spectre.Console colour name such as "green"), or null for none.</summary>
    public Func<T, string?>? Color { get; init; }
}

/// <summary>How the user asked for output: JSON (with optional fields), everything, or quiet; and whether an agent reads it.</summary>
public sealed record OutputSettings(bool Json, IReadOnlyList<string>? JsonFields, bool All, bool Quiet)
{
    /// <summary>Human listings longer than this are cut, with a summary line.</summary>
    public const int MaxHumanLines = 50;

    /// <summary>An AI agent reads the output (<c>--format agent</c>, or detected): see <see cref="OutputFormat.Agent"/>.</summary>
    public bool Agent { get; init; }

    /// <summary>The one format these settings amount to (JSON and quiet first, as they shape the result).</summary>
    public OutputFormat Format => Json ? OutputFormat.Json : Quiet ? OutputFormat.Quiet : Agent ? OutputFormat.Agent : OutputFormat.Human;
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

    /// <summary>Where summary lines go in agent mode: around the agent mode's own line cap (null: stdout).</summary>
    internal TextWriter? SummaryOut { get; init; }

    /// <summary>
    /// Stdout without agent mode's line cap, for output the user sized explicitly (<c>logs -n 200</c>,
    /// <c>logs -f</c>); the same as <c>Console.Out</c> in every other mode.
    /// </summary>
    public TextWriter Uncapped => SummaryOut ?? Console.Out;

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
        // An agent gets a header row on its TSV, as from the official CLI: it names the columns it reads.
        var headerLines = Console.IsOutputTerminal || Settings.Agent ? 1 : 0;
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
            RenderTable(columns.Select(c => c.Header).ToArray(), rows,
                [.. items.Take(shown).Select(item => columns.Select(c => c.Color?.Invoke(item)).ToArray())]);
        }
        else
        {
            if (Settings.Agent && items.Count == 0)
            {
                Console.Out.WriteLine($"No {noun} found.");
                return;
            }
            if (Settings.Agent)
            {
                Console.Out.WriteLine(string.Join('\t', columns.Select(c => Key(c.Header))));
            }
            foreach (var row in rows)
            {
                Console.Out.WriteLine(string.Join('\t', row));
            }
        }
        if (shown < items.Count)
        {
            WriteSummary(Settings.Agent
                ? $"{Summary(items.Count - shown, noun, moreAtSource).Split(';')[0]}; --all to show all, or --json with some of: {string.Join(',', FieldNames(typeInfo))}"
                : Summary(items.Count - shown, noun, moreAtSource));
        }
    }

    /// <summary>
    /// Prints one record: <c>key: value</c> lines, aligned, for people; <c>key=value</c> lines for an agent
    /// (keys in snake case, values on one line). Fields whose value is null are left out.
    /// <paramref name="verbatimKeys"/> keeps keys as given, for keys that are data (a card's <c>colorFrom</c>).
    /// </summary>
    public void WriteRecord(IReadOnlyList<(string Key, string? Value)> fields, bool verbatimKeys = false)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var present = fields.Where(f => f.Value is not null).ToList();
        var width = present.Count == 0 ? 0 : present.Max(f => f.Key.Length) + 2;
        foreach (var (key, value) in present)
        {
            Line(Settings.Agent ? $"{(verbatimKeys ? key : Key(key))}={Clean(value!)}" : $"{(key + ":").PadRight(width)}{value}");
        }
    }

    /// <summary>
    /// A point in time as a cell or a record value: ISO 8601 in UTC for an agent (<c>2026-12-07T14:03:45Z</c>),
    /// <c>2026-12-07 14:03:45Z</c> for people and pipes; "-" for none.
    /// </summary>
    public string Time(DateTimeOffset? value) => value?.UtcDateTime.ToString(Settings.Agent ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>A header or record key as an agent reads it: lower case, words joined by '_'.</summary>
    private static string Key(string header) => header.Trim().ToLowerInvariant().Replace(' ', '_');

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
    /// stderr, so that the TSV a program reads holds only rows. An agent gets it on stdout, after the
    /// rows, where it reads them: the cut exists to spare its context, and it must see that it was cut.
    /// </summary>
    public void WriteSummary(string summary)
    {
        if (Settings.Agent)
        {
            (SummaryOut ?? Console.Out).WriteLine(summary);
        }
        else if (Console.IsOutputTerminal)
        {
            Console.Out.WriteLine(summary);
        }
        else
        {
            Console.Err.WriteLine(summary);
        }
    }

    /// <remarks>
    /// A column holding URLs is never wrapped: a URL broken across lines cannot be clicked or copied.
    /// When the terminal is too narrow for it, the table is laid out wider than the terminal (the other
    /// columns still wrap), and the terminal shows the long lines as it does any other.
    /// </remarks>
    private void RenderTable(string[] headers, List<string[]> rows, List<string?[]> colors)
    {
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = Console.Color ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = Console.Color ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        var urlColumns = Enumerable.Range(0, headers.Length).Where(c => rows.Any(r => IsUrl(r[c]))).ToHashSet();
        // Each wrapped column keeps at least a few characters beside the URLs at full length.
        var needed = urlColumns.Sum(c => rows.Max(r => r[c].Length) + 2) + ((headers.Length - urlColumns.Count) * 12);
        ansi.Profile.Width = urlColumns.Count > 0 ? Math.Max(Console.Width, needed) : Console.Width;
        var table = new Table().NoBorder().HideHeaders();
        table.ShowRowSeparators = false;
        for (var c = 0; c < headers.Length; c++)
        {
            table.AddColumn(new TableColumn("") { Padding = new Padding(0, 0, 2, 0), NoWrap = urlColumns.Contains(c) });
        }
        table.AddRow(headers.Select(h => (IRenderable)new Text(h.ToUpperInvariant(), new Style(decoration: Decoration.Bold))).ToArray());
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            table.AddRow(row.Select((cell, c) => (IRenderable)new Text(cell, CellStyle(colors[r][c]))).ToArray());
        }
        ansi.Write(table);
    }

    private Style CellStyle(string? color)
    {
        return Console.Color && color is not null && Style.TryParse(color, out Style style) ? style : Style.Plain;
    }

    private static bool IsUrl(string cell) =>
        cell.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || cell.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

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
