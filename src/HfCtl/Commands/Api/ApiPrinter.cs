using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using HfCtl.Cli;

namespace HfCtl.Commands.Api;

/// <summary>
/// Prints <c>hfctl api</c> responses: the status line and headers with <c>--include</c>, then the body
/// as it came (JSON pretty-printed on a terminal). Pages of a <c>--paginate</c> run are held until
/// the end so that JSON arrays can be joined into one array. On a terminal a body longer than 50
/// lines is cut there with a one-line summary of the rest (the seed's output-size rule); piped or
/// with <c>--all</c>, everything is printed, since a program reads it. An agent (agent mode) reads it
/// as a person would: indented JSON cut at 50 lines, the summary telling how to get the rest.
/// </summary>
internal sealed class ApiPrinter(CliConsole console, bool include, bool silent, bool all = false, Output? output = null)
{
    private readonly List<(byte[] Body, bool Json)> _pages = [];

    private bool Agent => output?.Settings.Agent == true;

    /// <summary>Whether bodies are shaped for a reader (indented, cut at 50 lines) rather than passed to a program.</summary>
    private bool ForReader => console.IsOutputTerminal || Agent;

    public void Headers(HttpResponseMessage response)
    {
        if (!include)
        {
            return;
        }
        var output = console.Out;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"HTTP/{response.Version.ToString(2)} {(int)response.StatusCode} {response.ReasonPhrase}"));
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            output.WriteLine($"{name}: {string.Join(", ", values)}");
        }
        output.WriteLine();
    }

    /// <summary>Prints one response body now.</summary>
    public void Body(HttpResponseMessage response, byte[] body)
    {
        if (silent || body.Length == 0)
        {
            return;
        }
        if (ForReader && IsJson(response) && TryIndent(body) is { } pretty)
        {
            WriteForTerminal(pretty, body);
            return;
        }
        var text = Encoding.UTF8.GetString(body);
        if (ForReader)
        {
            WriteForTerminal(text, null);
            return;
        }
        console.Out.Write(text);
    }

    /// <summary>Prints text on a terminal, cut at 50 lines unless <c>--all</c>, with what was left out.</summary>
    private void WriteForTerminal(string text, byte[]? json)
    {
        var lines = text.TrimEnd('\n').Split('\n');
        if (all || lines.Length <= OutputSettings.MaxHumanLines)
        {
            console.Out.WriteLine(text.TrimEnd('\n'));
            return;
        }
        foreach (var line in lines.Take(OutputSettings.MaxHumanLines))
        {
            console.Out.WriteLine(line);
        }
        var hidden = lines.Length - OutputSettings.MaxHumanLines;
        if (Agent)
        {
            output!.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"… {hidden} more lines{Shape(json)}; --all to show all, or ask for less (e.g. -F limit=10)"));
            return;
        }
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"… {hidden} more lines{Shape(json)}; --all to show all, or pipe the output for everything"));
    }

    /// <summary>" of a JSON array of 632 items (keys: id, author, …)" or " of a JSON object (keys: …)".</summary>
    private static string Shape(byte[]? json)
    {
        using var document = json is null ? null : TryParse(json);
        if (document is null)
        {
            return "";
        }
        static string Keys(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return "";
            }
            var names = element.EnumerateObject().Select(p => p.Name).Distinct().ToList();
            var shown = string.Join(", ", names.Take(8).Select(n => App.Printable(n)));
            return names.Count == 0 ? "" : $" (keys: {shown}{(names.Count > 8 ? ", …" : "")})";
        }
        var root = document.RootElement;
        return root.ValueKind switch
        {
            JsonValueKind.Array => string.Create(CultureInfo.InvariantCulture,
                $" of a JSON array of {root.GetArrayLength()} items{(root.GetArrayLength() > 0 ? Keys(root[0]) : "")}"),
            JsonValueKind.Object => $" of a JSON object{Keys(root)}",
            _ => "",
        };
    }

    /// <summary>Holds one page of a paginated run.</summary>
    public void Page(HttpResponseMessage response, byte[] body) => _pages.Add((body, IsJson(response)));

    /// <summary>Prints the held pages: one joined array when every page is a JSON array, else each page as it came.</summary>
    public void Flush()
    {
        if (_pages.Count == 0)
        {
            return;
        }
        var pages = _pages.ToList();
        _pages.Clear();
        if (silent)
        {
            return;
        }
        var documents = new List<JsonDocument>();
        try
        {
            foreach (var (body, json) in pages)
            {
                if (!json || TryParse(body) is not { RootElement.ValueKind: JsonValueKind.Array } document)
                {
                    break;
                }
                documents.Add(document);
            }
            if (documents.Count == pages.Count)
            {
                var buffer = new ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer, WriterOptions(ForReader)))
                {
                    writer.WriteStartArray();
                    foreach (var item in documents.SelectMany(d => d.RootElement.EnumerateArray()))
                    {
                        item.WriteTo(writer);
                    }
                    writer.WriteEndArray();
                }
                if (ForReader)
                {
                    WriteForTerminal(Encoding.UTF8.GetString(buffer.WrittenSpan), buffer.WrittenSpan.ToArray());
                }
                else
                {
                    console.Out.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
                }
                return;
            }
        }
        finally
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
        }
        foreach (var (body, _) in pages)
        {
            var text = Encoding.UTF8.GetString(body);
            console.Out.Write(text);
            if (!text.EndsWith('\n'))
            {
                console.Out.WriteLine();
            }
        }
    }

    private static bool IsJson(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is { } type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static JsonDocument? TryParse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? TryIndent(byte[] body)
    {
        using var document = TryParse(body);
        if (document is null)
        {
            return null;
        }
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions(indented: true)))
        {
            document.RootElement.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // Printed for people and pipes, never embedded in HTML: keep non-ASCII and quotes readable.
    private static JsonWriterOptions WriterOptions(bool indented) =>
        new() { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
