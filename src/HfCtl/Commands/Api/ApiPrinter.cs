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
/// the end so that JSON arrays can be joined into one array.
/// </summary>
internal sealed class ApiPrinter(CliConsole console, bool include, bool silent)
{
    private readonly List<(byte[] Body, bool Json)> _pages = [];

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
        if (console.IsOutputTerminal && IsJson(response) && TryIndent(body) is { } pretty)
        {
            console.Out.WriteLine(pretty);
            return;
        }
        var text = Encoding.UTF8.GetString(body);
        console.Out.Write(text);
        if (console.IsOutputTerminal && !text.EndsWith('\n'))
        {
            console.Out.WriteLine();
        }
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
                using (var writer = new Utf8JsonWriter(buffer, WriterOptions(console.IsOutputTerminal)))
                {
                    writer.WriteStartArray();
                    foreach (var item in documents.SelectMany(d => d.RootElement.EnumerateArray()))
                    {
                        item.WriteTo(writer);
                    }
                    writer.WriteEndArray();
                }
                console.Out.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
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
