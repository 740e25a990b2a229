using System.Collections.Concurrent;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace HfHub.LocalHub.Faults;

/// <summary>
/// The middleware that injects <see cref="FaultOptions"/> faults. Every request but the admin
/// routes draws a sequence number; a hash of (seed, number) decides whether it fails and how,
/// so a given seed and request order always produce the same faults. Faults that fail a request
/// (500, 429, drop) strike before the handler runs, so they never leave half-done state; a
/// truncated body strikes after the handler, as a broken download does; a late answer is held
/// after the handler has made its change.
/// </summary>
public sealed class FaultInjector
{
    private FaultOptions _options;
    private long _sequence;
    private readonly ConcurrentDictionary<FaultKind, long> _counts = new();

    internal FaultInjector(FaultOptions? options) => _options = options ?? FaultOptions.None;

    /// <summary>The current settings; setting them restarts the sequence (and the counts) from zero.</summary>
    public FaultOptions Options
    {
        get => Volatile.Read(ref _options);
        set
        {
            Volatile.Write(ref _options, value ?? FaultOptions.None);
            Interlocked.Exchange(ref _sequence, 0);
            _counts.Clear();
        }
    }

    /// <summary>How many faults of each kind were injected since the settings last changed.</summary>
    public IReadOnlyDictionary<FaultKind, long> Counts => new Dictionary<FaultKind, long>(_counts);

    /// <summary>The fault for the next request, or null; advances the sequence.</summary>
    internal FaultKind? Next()
    {
        var options = Options;
        if (!options.Enabled)
        {
            return null;
        }
        var n = (ulong)Interlocked.Increment(ref _sequence);
        var seed = (ulong)(uint)options.Seed;
        var draw = (Mix(seed * 0x9E3779B97F4A7C15UL + n) >> 11) * (1.0 / (1UL << 53));
        if (draw >= options.Rate)
        {
            return null;
        }
        var kind = options.Kinds[(int)(Mix(n ^ (seed << 32) ^ 0xD1B54A32D192ED03UL) % (ulong)options.Kinds.Count)];
        _counts.AddOrUpdate(kind, 1, (_, c) => c + 1);
        return kind;
    }

    internal async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Request.Path.StartsWithSegments("/_localhub")
            || !Options.Applies(context.Request.Method, context.Request.Path.Value ?? "")
            || Next() is not { } fault)
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        var options = Options;
        switch (fault)
        {
            case FaultKind.ServerError:
                await HubResponses.Error(context, StatusCodes.Status500InternalServerError, "Internal Error (injected by the local hub)").ConfigureAwait(false);
                return;
            case FaultKind.TooManyRequests:
                context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers["RateLimit"] = $"\"api\";r=0;t={options.RetryAfterSeconds}";
                context.Response.Headers["RateLimit-Policy"] = "\"fixed window\";\"api\";q=1000;w=300";
                await HubResponses.Error(context, StatusCodes.Status429TooManyRequests, "You have exceeded our request rate limit (injected by the local hub). Please retry later.").ConfigureAwait(false);
                return;
            case FaultKind.Drop:
                context.Abort();
                return;
            case FaultKind.Slow:
                await Task.Delay(options.SlowDelay, context.RequestAborted).ConfigureAwait(false);
                await next(context).ConfigureAwait(false);
                return;
            case FaultKind.Late:
                var held = new HeldResponseStream(context, options.SlowDelay);
                await WithBodyAsync(context, held, async body =>
                {
                    await next(context).ConfigureAwait(false);
                    // Also holds an answer with no body: its headers go out when the body completes.
                    await body.CompleteAsync().ConfigureAwait(false);
                }).ConfigureAwait(false);
                return;
            default:
                await WithBodyAsync(context, new TruncatingStream(context), _ => next(context)).ConfigureAwait(false);
                // A response with no body to cut (HEAD, 204, an empty body) fails as a dropped connection instead.
                context.Abort();
                return;
        }
    }

    /// <summary>Runs the rest of the pipeline with the response body written through <paramref name="wrapper"/>.</summary>
    private static async Task WithBodyAsync(HttpContext context, WrappingStream wrapper, Func<IHttpResponseBodyFeature, Task> run)
    {
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        wrapper.Inner = original.Stream;
        var body = new StreamResponseBodyFeature(wrapper, original);
        context.Features.Set<IHttpResponseBodyFeature>(body);
        try
        {
            await run(body).ConfigureAwait(false);
        }
        finally
        {
            context.Features.Set(original);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A write-only stream in front of the real response body.</summary>
    private abstract class WrappingStream : WriteOnlyStream
    {
        public Stream Inner { get; set; } = Null;
    }

    /// <summary>Passes about half of the declared body through, flushes it, then aborts the connection.</summary>
    private sealed class TruncatingStream(HttpContext context) : WrappingStream
    {
        private long? _budget;
        private bool _cut;

        public override Task FlushAsync(CancellationToken cancellationToken) => _cut ? Task.CompletedTask : Inner.FlushAsync(cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_cut)
            {
                return;
            }
            _budget ??= (context.Response.ContentLength ?? buffer.Length) / 2;
            var take = (int)Math.Min(buffer.Length, _budget.Value);
            if (take > 0)
            {
                await Inner.WriteAsync(buffer[..take], cancellationToken).ConfigureAwait(false);
                _budget -= take;
            }
            if (_budget <= 0)
            {
                _cut = true;
                await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
                context.Abort();
            }
        }
    }

    /// <summary>Holds the first byte of the answer (and so its status and headers) for a while, then passes everything through.</summary>
    private sealed class HeldResponseStream(HttpContext context, TimeSpan delay) : WrappingStream
    {
        private Task? _hold;

        private Task HoldAsync() => _hold ??= Task.Delay(delay, context.RequestAborted);

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await HoldAsync().ConfigureAwait(false);
            await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await HoldAsync().ConfigureAwait(false);
            await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
    }
}
