using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Faults;

/// <summary>
/// A token bucket shared by every connection of the hub: bytes are taken before they are written
/// (or after they are read) and a taker that overdraws waits until the debt is repaid at the rate,
/// so concurrent transfers share the link rather than each getting its own. The bucket holds 50 ms
/// of traffic (at least 16 KiB): short answers pass at once, long ones settle at the rate.
/// </summary>
internal sealed class BandwidthBucket
{
    private readonly double _rate;
    private readonly double _capacity;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _stamp;

    public BandwidthBucket(double bytesPerSecond, TimeProvider clock)
    {
        _rate = bytesPerSecond;
        _capacity = Math.Max(16 * 1024, bytesPerSecond / 20);
        _clock = clock;
        _tokens = _capacity;
        _stamp = clock.GetTimestamp();
    }

    /// <summary>Takes <paramref name="bytes"/> and waits until the bucket has paid for them.</summary>
    public Task TakeAsync(int bytes, CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_gate)
        {
            var now = _clock.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + _clock.GetElapsedTime(_stamp, now).TotalSeconds * _rate) - bytes;
            _stamp = now;
            wait = _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _rate);
        }
        return wait == TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, _clock, cancellationToken);
    }
}

/// <summary>
/// The middleware of <c>--bandwidth</c>: every request body is read, and every response body written,
/// through the hub's two buckets (one per direction), in slices of at most 16 KiB so that
/// connections take turns.
/// </summary>
internal sealed class BandwidthThrottle(BandwidthOptions options, TimeProvider clock)
{
    internal const int Slice = 16 * 1024;

    private readonly BandwidthBucket _down = new(options.BytesPerSecond, clock);
    private readonly BandwidthBucket _up = new(options.BytesPerSecond, clock);

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        context.Request.Body = new ThrottledReadStream(context.Request.Body, _up);
        context.Response.Body = new ThrottledWriteStream(context.Response.Body, _down);
        return next(context);
    }

    private sealed class ThrottledReadStream(Stream inner, BandwidthBucket bucket) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, Slice)], cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                await bucket.TakeAsync(read, cancellationToken).ConfigureAwait(false);
            }
            return read;
        }
    }

    private sealed class ThrottledWriteStream(Stream inner, BandwidthBucket bucket) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (buffer.Length > 0)
            {
                var slice = buffer[..Math.Min(buffer.Length, Slice)];
                await bucket.TakeAsync(slice.Length, cancellationToken).ConfigureAwait(false);
                await inner.WriteAsync(slice, cancellationToken).ConfigureAwait(false);
                buffer = buffer[slice.Length..];
            }
        }
    }
}
