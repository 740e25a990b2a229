using System.Collections.Concurrent;
using System.Globalization;
using HfHub.LocalHub.Api;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Faults;

/// <summary>
/// Counts each caller's requests per pool in fixed windows (aligned to multiples of the window since
/// the epoch, like the Hub's fixed windows) and answers as the Hub does: every counted answer carries
/// <c>RateLimit: "api";r=&lt;remaining&gt;;t=&lt;seconds to reset&gt;</c> and
/// <c>RateLimit-Policy: "fixed window";"api";q=&lt;quota&gt;;w=&lt;window seconds&gt;</c>, and a request past
/// the quota gets 429 with <c>r=0</c> (hub-api account-and-auth.md §4.1). No <c>Retry-After</c> is sent:
/// the Hub documents the <c>RateLimit</c> headers, which is what clients must read to wait.
/// </summary>
internal sealed class RateLimiter(RateLimitOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<(string Caller, string Pool, long Window), int> _counts = new();

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value ?? "";
        var (pool, quota) = PoolOf(path);
        if (quota is not { } limit)
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        var windowSeconds = Math.Max(1, (long)options.Window.TotalSeconds);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var window = now / windowSeconds;
        var caller = context.Caller().User?.Id ?? "ip:" + context.Connection.RemoteIpAddress;
        var count = _counts.AddOrUpdate((caller, pool, window), 1, (_, n) => n + 1);
        if (count == 1)
        {
            foreach (var stale in _counts.Keys.Where(k => k.Window < window))
            {
                _counts.TryRemove(stale, out _);
            }
        }
        var reset = (window + 1) * windowSeconds - now;
        var remaining = Math.Max(0, limit - count);
        context.Response.Headers["RateLimit"] = string.Create(CultureInfo.InvariantCulture, $"\"{pool}\";r={remaining};t={reset}");
        context.Response.Headers["RateLimit-Policy"] = string.Create(CultureInfo.InvariantCulture, $"\"fixed window\";\"{pool}\";q={limit};w={windowSeconds}");
        if (count > limit)
        {
            await HubResponses.Error(context, StatusCodes.Status429TooManyRequests,
                $"You have exceeded our {pool} rate limit of {limit} requests per {windowSeconds} seconds. Please retry in {reset} seconds.").ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>The pool a path counts against: file downloads, the API, or none (admin, CAS, storage and app routes).</summary>
    private (string Pool, int? Quota) PoolOf(string path)
    {
        if (path.StartsWith("/_localhub", StringComparison.Ordinal) || path.StartsWith("/cas", StringComparison.Ordinal)
            || path.StartsWith("/lfs-storage", StringComparison.Ordinal) || path.StartsWith("/_", StringComparison.Ordinal))
        {
            return ("", null);
        }
        if (path.Contains("/resolve/", StringComparison.Ordinal))
        {
            return ("resolvers", options.Resolvers);
        }
        return path.StartsWith("/api/", StringComparison.Ordinal) ? ("api", options.Api) : ("", null);
    }
}
