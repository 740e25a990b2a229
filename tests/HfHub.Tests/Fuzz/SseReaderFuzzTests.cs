using System.Text;
using System.Text.Json;
using CsCheck;
using HfHub.Spaces;

namespace HfHub.Tests.Fuzz;

/// <summary>
/// The SSE log reader: any byte stream split at any chunk boundaries is read without an
/// unhandled exception and gives the same events however it is chunked; well-formed streams give
/// exactly the events sent; a line or event that never ends is dropped in bounded memory.
/// </summary>
public sealed class SseReaderFuzzTests
{
    /// <summary>Serves bytes in chunks of the given sizes (cycled), completing synchronously, allocating nothing per read.</summary>
    private sealed class ChunkedStream(Func<long, byte> source, long length, int[] chunks) : Stream
    {
        private long _position;
        private int _next;

        public ChunkedStream(byte[] bytes, int[] chunks) : this(i => bytes[i], bytes.Length, chunks) { }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(Span<byte> buffer)
        {
            var size = (int)Math.Min(Math.Min(buffer.Length, chunks[_next++ % chunks.Length]), length - _position);
            for (var i = 0; i < size; i++)
            {
                buffer[i] = source(_position + i);
            }
            _position += size;
            return size;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>All events until the end of the stream: the line's text and timestamp, or null for a keep-alive.</summary>
    private static List<(string? Text, DateTimeOffset? Timestamp)> ReadAll(Stream stream)
    {
        var events = new List<(string?, DateTimeOffset?)>();
        using var response = new HttpResponseMessage();
        var reader = new SseReader(response, stream);
        try
        {
            while (reader.ReadAsync(null, CancellationToken.None).GetAwaiter().GetResult() is { } item)
            {
                events.Add((item.Line?.Text, item.Line?.Timestamp));
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return events;
    }

    private static readonly Gen<int[]> Chunks = Gen.Frequency(
        (3, Gen.Int[1, 8].Array[1, 12]),
        (2, Gen.Int[1, 5000].Array[1, 6]));

    private static readonly Gen<string> Newline = Gen.OneOf("\n", "\r\n", "\r");

    private sealed record LogEvent(string? Text, DateTimeOffset? Timestamp, string[] Endings, bool Space, bool Comment);

    private static readonly Gen<LogEvent> Event = Gen.Select(
        CommitPayloadFuzzTests.Text.Null(0.15),
        Gen.Long[0, DateTimeOffset.MaxValue.UtcTicks].Select(t => new DateTimeOffset(t, TimeSpan.Zero)).Nullable(0.3),
        Newline.Array[3, 3], Gen.Bool, Gen.Bool,
        (text, ts, endings, space, comment) => new LogEvent(text, ts, endings, space, comment));

    private static string Render(LogEvent e)
    {
        var builder = new StringBuilder();
        if (e.Comment)
        {
            builder.Append(": keep-alive").Append(e.Endings[0]).Append("event: log").Append(e.Endings[1]);
        }
        builder.Append(e.Space ? "data: " : "data:");
        if (e.Text is not null)
        {
            var fields = new Dictionary<string, string> { ["data"] = e.Text };
            if (e.Timestamp is { } ts)
            {
                fields["timestamp"] = ts.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            }
            builder.Append(JsonSerializer.Serialize(fields, FuzzJsonContext.Default.DictionaryStringString));
        }
        // "\r" then "\n" would read as one CRLF: the blank line that ends the event must stay a line.
        var blank = e.Endings[1] == "\r" && e.Endings[2] == "\n" ? "\r" : e.Endings[2];
        return builder.Append(e.Endings[1]).Append(blank).ToString();
    }

    private static (string?, DateTimeOffset?) Expected(LogEvent e) =>
        e.Text is null ? (null, null) : (e.Text.TrimEnd('\n').TrimEnd('\r'), e.Timestamp);

    [Fact]
    public void Well_formed_streams_give_the_events_sent_however_they_are_chunked()
    {
        Gen.Select(Event.Array[0, 8], Gen.Bool, Chunks).Sample((events, bom, chunks) =>
        {
            var text = (bom ? "\uFEFF" : "") + string.Concat(events.Select(Render));
            var got = ReadAll(new ChunkedStream(Encoding.UTF8.GetBytes(text), chunks));
            Assert.Equal(events.Select(Expected), got);
        }, iter: FuzzSettings.Iter(3000));
    }

    private static readonly Gen<byte[]> Noise = Gen.Frequency(
        (3, Gen.OneOf("data:", "data: ", "\n", "\r", "\r\n", "{", "}", "\"data\"", ":", "\"", "x", "é", "\uFEFF", ": c", "\"timestamp\":\"2024-01-01T00:00:00Z\"", ",")
            .Array[0, 40].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts)))),
        (1, Gen.Byte.Array[0, 400]),
        (1, Gen.Byte[0xC0, 0xFF].Array[0, 40]));

    [Fact]
    public void Any_bytes_are_read_without_throwing_and_the_same_however_they_are_chunked()
    {
        Gen.Select(Noise, Chunks, Chunks).Sample((bytes, a, b) =>
        {
            var whole = ReadAll(new MemoryStream(bytes));
            Assert.Equal(whole, ReadAll(new ChunkedStream(bytes, a)));
            Assert.Equal(whole, ReadAll(new ChunkedStream(bytes, b)));
        }, iter: FuzzSettings.Iter(5000));
    }

    private const string Good = "data: {\"data\": \"after\"}\n\n";

    private static ChunkedStream Endless(string head, long count, char filler, string tail)
    {
        var headBytes = Encoding.ASCII.GetBytes(head);
        var tailBytes = Encoding.ASCII.GetBytes(tail);
        var length = headBytes.Length + count + tailBytes.Length;
        return new ChunkedStream(i => i < headBytes.Length ? headBytes[i] : i < headBytes.Length + count ? (byte)filler : tailBytes[i - headBytes.Length - count], length, [65536]);
    }

    [Theory]
    [InlineData("", 32L << 20, 'x', "\n\n" + Good)]          // a 32 MiB line without a newline, then an event
    [InlineData("data: ", 16L << 20, 'x', "\n\n" + Good)]    // a 16 MiB data line
    [InlineData(": ", 16L << 20, 'x', "\r" + Good)]          // a 16 MiB comment
    public void An_endless_line_is_dropped_in_bounded_memory(string head, long count, char filler, string tail)
    {
        var stream = Endless(head, count, filler, tail);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var events = ReadAll(stream);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal([("after", (DateTimeOffset?)null)], events);
        Assert.True(allocated < 16L << 20, $"reading {count >> 20} MiB allocated {allocated >> 20} MiB");
    }

    [Fact]
    public void An_event_of_endless_data_lines_is_dropped_in_bounded_memory()
    {
        // 10 MiB of 1 KiB data lines and no blank line: the event never ends until the stream does.
        var line = "data: " + new string('y', 1018) + "\n";
        var stream = Endless("", 0, ' ', string.Concat(Enumerable.Repeat(line, 10 * 1024)) + "\n" + Good);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var events = ReadAll(stream);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal([("after", (DateTimeOffset?)null)], events);
        // Each line is one small string; the event's data stops growing at the cap.
        Assert.True(allocated < 48L << 20, $"allocated {allocated >> 20} MiB");
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class FuzzJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
