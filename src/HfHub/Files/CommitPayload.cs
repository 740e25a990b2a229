using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace HfHub.Files;

/// <summary>An operation as it goes on the wire: regular files carry their content, LFS files only their id.</summary>
internal abstract record PayloadLine(string Path);

internal sealed record RegularFileLine(string Path, ContentSource Content) : PayloadLine(Path);

internal sealed record LfsFileLine(string Path, string Sha256, long Size) : PayloadLine(Path);

internal sealed record DeletedFileLine(string Path) : PayloadLine(Path);

internal sealed record DeletedFolderLine(string Path) : PayloadLine(Path);

/// <summary>
/// The NDJSON body of <c>POST …/commit/{rev}</c>, written straight to the socket: a header line,
/// then one line per operation. Regular files are base64-encoded on the fly from their source in
/// 768 KiB steps, so a commit of many files never sits in memory. Every line ends with '\n', as
/// the Python client sends it.
/// </summary>
internal sealed class CommitPayload(string summary, string? description, string? parentCommit, IReadOnlyList<PayloadLine> lines) : HttpContent
{
    // A multiple of 3, so every chunk but the last encodes without padding.
    private const int RawChunk = 3 * 256 * 1024;
    private static readonly byte[] Newline = "\n"u8.ToArray();

    public string Summary { get; } = summary;
    public string? Description { get; } = description;
    public string? ParentCommit { get; } = parentCommit;
    public IReadOnlyList<PayloadLine> Lines { get; } = lines;

    public static MediaTypeHeaderValue MediaType { get; } = new("application/x-ndjson");

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        WriteToAsync(stream, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        WriteToAsync(stream, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    /// <summary>Writes the whole payload.</summary>
    public async Task WriteToAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("key", "header");
            json.WriteStartObject("value");
            json.WriteString("summary", Summary);
            json.WriteString("description", Description ?? "");
            if (ParentCommit is not null)
            {
                json.WriteString("parentCommit", ParentCommit);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        buffer.Write(Newline);
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        foreach (var line in Lines)
        {
            buffer.ResetWrittenCount();
            if (line is RegularFileLine file)
            {
                await WriteRegularFileAsync(stream, file, cancellationToken).ConfigureAwait(false);
                continue;
            }
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                switch (line)
                {
                    case LfsFileLine lfs:
                        json.WriteString("key", "lfsFile");
                        json.WriteStartObject("value");
                        json.WriteString("path", lfs.Path);
                        json.WriteString("algo", "sha256");
                        json.WriteString("oid", lfs.Sha256);
                        json.WriteNumber("size", lfs.Size);
                        json.WriteEndObject();
                        break;
                    case DeletedFileLine deleted:
                        json.WriteString("key", "deletedFile");
                        json.WriteStartObject("value");
                        json.WriteString("path", deleted.Path);
                        json.WriteEndObject();
                        break;
                    case DeletedFolderLine folder:
                        json.WriteString("key", "deletedFolder");
                        json.WriteStartObject("value");
                        json.WriteString("path", folder.Path);
                        json.WriteEndObject();
                        break;
                    default:
                        throw new InvalidOperationException($"unknown commit line {line.GetType().Name}");
                }
                json.WriteEndObject();
            }
            buffer.Write(Newline);
            await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteRegularFileAsync(Stream stream, RegularFileLine file, CancellationToken cancellationToken)
    {
        // {"key":"file","value":{"path":…,"encoding":"base64","content":"<streamed>"}}
        var prefix = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(prefix))
        {
            json.WriteStartObject();
            json.WriteString("key", "file");
            json.WriteStartObject("value");
            json.WriteString("path", file.Path);
            json.WriteString("encoding", "base64");
            json.WritePropertyName("content");
            json.WriteStringValue("");
            json.Flush();
        }
        // Drop the closing quote of the empty placeholder; the content is streamed in its place.
        await stream.WriteAsync(prefix.WrittenMemory[..^1], cancellationToken).ConfigureAwait(false);
        var raw = ArrayPool<byte>.Shared.Rent(RawChunk);
        var encoded = ArrayPool<byte>.Shared.Rent(Base64.GetMaxEncodedToUtf8Length(RawChunk));
        try
        {
            await using var source = await file.Content.OpenAsync(cancellationToken).ConfigureAwait(false);
            long total = 0;
            while (true)
            {
                var filled = 0;
                int read;
                while (filled < RawChunk && (read = await source.ReadAsync(raw.AsMemory(filled, RawChunk - filled), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                }
                if (filled == 0)
                {
                    break;
                }
                total += filled;
                Base64.EncodeToUtf8(raw.AsSpan(0, filled), encoded, out _, out var written, isFinalBlock: filled < RawChunk);
                await stream.WriteAsync(encoded.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
                if (filled < RawChunk)
                {
                    break;
                }
            }
            if (total != file.Content.Length)
            {
                throw new IOException($"{file.Content.Description} changed size while it was being committed ({file.Content.Length} → {total} bytes)");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
            ArrayPool<byte>.Shared.Return(encoded);
        }
        await stream.WriteAsync("\"}}\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }
}
