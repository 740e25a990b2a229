namespace HfHub.Files;

/// <summary>
/// Where the bytes of an added file come from. Every upload step opens its own view (hashing,
/// the base64 commit line, each multipart slice), so content is streamed and never held whole.
/// </summary>
public abstract class ContentSource
{
    /// <summary>The content's length in bytes.</summary>
    public abstract long Length { get; }

    /// <summary>A description for messages (the local path, or "stream").</summary>
    public abstract string Description { get; }

    /// <summary>True when slices may be read at the same time (parallel multipart parts).</summary>
    public virtual bool SupportsParallelSlices => true;

    /// <summary>Opens a read-only view of <paramref name="length"/> bytes from <paramref name="offset"/>.</summary>
    public abstract ValueTask<Stream> OpenSliceAsync(long offset, long length, CancellationToken cancellationToken);

    /// <summary>Opens the whole content.</summary>
    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) => OpenSliceAsync(0, Length, cancellationToken);

    /// <summary>A local file. Its size is taken now; a file that changes size before upload fails clearly.</summary>
    public static ContentSource FromFile(string path) => new FileContentSource(path);

    /// <summary>A seekable stream, read from its current position.</summary>
    public static ContentSource FromStream(Stream stream) => new StreamContentSource(stream);

    /// <summary>In-memory bytes.</summary>
    public static ContentSource FromBytes(ReadOnlyMemory<byte> bytes) => new BytesContentSource(bytes);
}

internal sealed class FileContentSource : ContentSource
{
    public FileContentSource(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"no such file: {path}", path);
        }
        Path = info.FullName;
        Length = info.Length;
    }

    public string Path { get; }

    public override long Length { get; }

    public override string Description => Path;

    public override ValueTask<Stream> OpenSliceAsync(long offset, long length, CancellationToken cancellationToken)
    {
        var file = ContentHasher.OpenSequential(Path);
        if (file.Length < offset + length)
        {
            file.Dispose();
            throw new IOException($"{Path} shrank to {file.Length} bytes while it was being uploaded");
        }
        file.Position = offset;
        return ValueTask.FromResult<Stream>(new SliceStream(file, length, null));
    }
}

// The gate is a SemaphoreSlim without a wait handle: nothing to release when it is collected.
#pragma warning disable CA1001
internal sealed class StreamContentSource : ContentSource
#pragma warning restore CA1001
{
    private readonly Stream _stream;
    private readonly long _start;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public StreamContentSource(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException("the stream must be readable and seekable: it is read once to hash it and again to upload it", nameof(stream));
        }
        _stream = stream;
        _start = stream.Position;
        Length = stream.Length - _start;
    }

    public override long Length { get; }

    public override string Description => "stream";

    public override bool SupportsParallelSlices => false;

    public override async ValueTask<Stream> OpenSliceAsync(long offset, long length, CancellationToken cancellationToken)
    {
        // One reader at a time: the slice holds the gate until it is disposed.
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        _stream.Position = _start + offset;
        return new SliceStream(_stream, length, () => _gate.Release(), ownsInner: false);
    }
}

internal sealed class BytesContentSource(ReadOnlyMemory<byte> bytes) : ContentSource
{
    public override long Length => bytes.Length;

    public override string Description => "bytes";

    public override ValueTask<Stream> OpenSliceAsync(long offset, long length, CancellationToken cancellationToken) =>
        ValueTask.FromResult<Stream>(new ReadOnlyMemoryStream(bytes.Slice((int)offset, (int)length)));
}

/// <summary>A read-only window of a stream, optionally running an action when disposed.</summary>
internal sealed class SliceStream(Stream inner, long sliceLength, Action? onDispose, bool ownsInner = true) : Stream
{
    private readonly long _length = sliceLength;
    private long _remaining = sliceLength;
    private int _disposed;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _length - _remaining; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0)
        {
            return 0;
        }
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0)
        {
            return 0;
        }
        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= read;
        return read;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (ownsInner)
            {
                inner.Dispose();
            }
            onDispose?.Invoke();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (ownsInner)
            {
                await inner.DisposeAsync().ConfigureAwait(false);
            }
            onDispose?.Invoke();
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A stream over read-only memory (no copy).</summary>
internal sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => memory.Length;
    public override long Position { get => _position; set => _position = (int)Math.Clamp(value, 0, memory.Length); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, memory.Length - _position);
        memory.Span.Slice(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => memory.Length + offset,
        };
        return _position;
    }

    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
