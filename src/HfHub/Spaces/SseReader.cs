using System.Text;
using System.Text.Json;
using HfHub.Http;

namespace HfHub.Spaces;

/// <summary>One server-sent event of a log stream: a line, or a keep-alive (an empty <c>data:</c>).</summary>
internal readonly record struct SseEvent(SpaceLogLine? Line);

/// <summary>
/// Reads the Hub's log streams: events of <c>data: {"data": text, "timestamp": iso}</c> lines
/// separated by blank lines, with empty <c>data:</c> events as keep-alives.
/// </summary>
internal sealed class SseReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseReader(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _reader = new StreamReader(stream, Encoding.UTF8);
    }

    public static async Task<SseReader> OpenAsync(HubPipeline pipeline, string path, CancellationToken cancellationToken)
    {
        using var request = pipeline.Request(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await pipeline.SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new SseReader(response, stream);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The next event; null at the end of the stream or after <paramref name="idle"/> without one.</summary>
    public async Task<SseEvent?> ReadAsync(TimeSpan? idle, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (idle is { } limit)
        {
            timeout.CancelAfter(limit);
        }
        var data = new StringBuilder();
        var sawData = false;
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null; // quiet for too long: the buffer is drained
            }
            if (line is null)
            {
                return sawData ? Parse(data.ToString()) : null;
            }
            if (line.Length == 0)
            {
                if (sawData)
                {
                    return Parse(data.ToString());
                }
                continue;
            }
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var value = line.AsSpan(5);
                if (value.Length > 0 && value[0] == ' ')
                {
                    value = value[1..];
                }
                if (sawData)
                {
                    data.Append('\n');
                }
                data.Append(value);
                sawData = true;
            }
            // Other fields (event:, id:, retry:, comments) carry nothing for logs.
        }
    }

    private static SseEvent Parse(string data)
    {
        if (string.IsNullOrWhiteSpace(data) || data.TrimStart()[0] != '{')
        {
            return new SseEvent(null);
        }
        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            var text = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() ?? "" : "";
            DateTimeOffset? timestamp = root.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(t.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : null;
            // Log text usually ends with a newline; a line is a line.
            return new SseEvent(new SpaceLogLine(0, text.TrimEnd('\n').TrimEnd('\r'), timestamp));
        }
        catch (JsonException)
        {
            return new SseEvent(null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
