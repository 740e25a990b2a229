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
    /// <summary>
    /// The most characters one event's data (or one line) may hold. A longer event is read to its
    /// end and dropped, so a stream that never sends a newline cannot grow memory without bound.
    /// Real log lines are a few hundred characters; 1 Mi characters leaves ample room.
    /// </summary>
    internal const int MaxEventChars = 1 << 20;

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly char[] _chars = new char[4096];
    private readonly StringBuilder _line = new();
    private int _position;
    private int _length;
    private bool _skipLineFeed;

    internal SseReader(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        // UTF-8 only, as SSE is: a leading UTF-8 BOM is skipped, other BOMs are not looked for.
        _reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
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
        var oversized = false;
        while (true)
        {
            Line line;
            try
            {
                line = await ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null; // quiet for too long: the buffer is drained
            }
            if (line.Kind == LineKind.End)
            {
                return sawData && !oversized ? Parse(data.ToString()) : null;
            }
            if (line.Kind == LineKind.TooLong)
            {
                // Only a data line matters; an overlong comment or other field is simply skipped.
                if (line.IsData)
                {
                    oversized = true;
                    sawData = true;
                    data.Clear();
                }
                continue;
            }
            var text = line.Text!;
            if (text.Length == 0)
            {
                if (sawData && !oversized)
                {
                    return Parse(data.ToString());
                }
                // An oversized event is dropped whole; reading goes on with the next one.
                data.Clear();
                sawData = false;
                oversized = false;
                continue;
            }
            if (text.StartsWith("data:", StringComparison.Ordinal))
            {
                var value = text.AsSpan(5);
                if (value.Length > 0 && value[0] == ' ')
                {
                    value = value[1..];
                }
                if (oversized || data.Length + value.Length + 1 > MaxEventChars)
                {
                    oversized = true;
                    data.Clear();
                }
                else
                {
                    if (sawData)
                    {
                        data.Append('\n');
                    }
                    data.Append(value);
                }
                sawData = true;
            }
            // Other fields (event:, id:, retry:, comments) carry nothing for logs.
        }
    }

    private enum LineKind
    {
        Text,
        TooLong,
        End,
    }

    private readonly record struct Line(LineKind Kind, string? Text, bool IsData);

    /// <summary>
    /// The next line (ended by CR, LF or CRLF, as SSE allows), holding at most
    /// <see cref="MaxEventChars"/> characters: the rest of a longer line is read and discarded.
    /// </summary>
    private async Task<Line> ReadLineAsync(CancellationToken cancellationToken)
    {
        _line.Clear();
        var tooLong = false;
        var isData = false;
        while (true)
        {
            if (_position == _length)
            {
                _length = await _reader.ReadAsync(_chars, cancellationToken).ConfigureAwait(false);
                _position = 0;
                if (_length == 0)
                {
                    return _line.Length > 0 || tooLong ? Finish() : new Line(LineKind.End, null, false);
                }
            }
            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (_chars[_position] == '\n')
                {
                    _position++;
                    continue;
                }
            }
            var span = _chars.AsSpan(_position, _length - _position);
            var end = span.IndexOfAny('\r', '\n');
            var take = end < 0 ? span.Length : end;
            if (!tooLong)
            {
                if (_line.Length + take > MaxEventChars)
                {
                    isData = IsDataLine(_line, span[..take]);
                    tooLong = true;
                    _line.Clear();
                }
                else
                {
                    _line.Append(span[..take]);
                }
            }
            _position += take;
            if (end >= 0)
            {
                _skipLineFeed = span[end] == '\r';
                _position++;
                return Finish();
            }
        }

        Line Finish() => tooLong ? new Line(LineKind.TooLong, null, isData) : new Line(LineKind.Text, _line.ToString(), false);
    }

    private static bool IsDataLine(StringBuilder start, ReadOnlySpan<char> rest)
    {
        Span<char> head = stackalloc char[5];
        var n = 0;
        for (var i = 0; i < start.Length && n < 5; i++)
        {
            head[n++] = start[i];
        }
        for (var i = 0; i < rest.Length && n < 5; i++)
        {
            head[n++] = rest[i];
        }
        return head[..n].SequenceEqual("data:");
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
