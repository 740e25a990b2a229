using System.Globalization;

namespace HfHub.LocalHub.Faults;

/// <summary>The failures the local hub can inject.</summary>
public enum FaultKind
{
    /// <summary>HTTP 500 with the Hub's JSON error body.</summary>
    ServerError,

    /// <summary>HTTP 429 with <c>Retry-After</c> and a <c>RateLimit</c> header.</summary>
    TooManyRequests,

    /// <summary>The connection is aborted before any response.</summary>
    Drop,

    /// <summary>The response declares its full <c>Content-Length</c>, sends about half the body, then the connection is aborted.</summary>
    Truncate,

    /// <summary>The response is delayed by <see cref="FaultOptions.SlowDelay"/>, then served normally.</summary>
    Slow,

    /// <summary>
    /// The request is handled at once, but its answer is held for <see cref="FaultOptions.SlowDelay"/>:
    /// the change has happened while the client still waits (a commit that landed, its answer late).
    /// </summary>
    Late,
}

/// <summary>
/// Fault injection: a share of requests (all but the <c>/_localhub/</c> admin routes) fail in one
/// of the chosen ways. Which request fails and how is decided by the seed and the request's
/// sequence number, so the same sequence of requests meets the same faults in every run.
/// </summary>
public sealed record FaultOptions
{
    /// <summary>The share of requests that fail, 0 to 1.</summary>
    public double Rate { get; init; }

    public IReadOnlyList<FaultKind> Kinds { get; init; } = [FaultKind.ServerError, FaultKind.TooManyRequests, FaultKind.Drop, FaultKind.Truncate];

    public int Seed { get; init; }

    /// <summary>How long a <see cref="FaultKind.Slow"/> or <see cref="FaultKind.Late"/> response waits.</summary>
    public TimeSpan SlowDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The <c>Retry-After</c> value of injected 429s, in seconds.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>Only requests whose path starts with one of these prefixes are faulted; empty = every path.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Only requests with one of these methods are faulted (e.g. GET, HEAD, PUT to spare non-idempotent commits); empty = every method.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];

    public static FaultOptions None { get; } = new();

    /// <summary>True when a request with this method and path is eligible for a fault.</summary>
    public bool Applies(string method, string path) =>
        (Methods.Count == 0 || Methods.Contains(method, StringComparer.OrdinalIgnoreCase))
        && (Paths.Count == 0 || Paths.Any(p => path.StartsWith(p, StringComparison.Ordinal)));

    public bool Enabled => Rate > 0 && Kinds.Count > 0;

    /// <summary>
    /// Parses <c>rate=0.1,kinds=500+429+drop+truncate+slow+late,seed=42[,delay=250][,retry-after=1][,methods=GET+PUT][,paths=/lfs-storage+/api]</c>
    /// (<c>delay</c> in milliseconds); <c>off</c> or an empty text disables faults.
    /// </summary>
    public static FaultOptions Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim() is "off" or "none")
        {
            return None;
        }
        var result = new FaultOptions();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2)
            {
                throw new FormatException($"expected key=value, not '{part}'");
            }
            var value = pair[1];
            result = pair[0].ToLowerInvariant() switch
            {
                "rate" => result with { Rate = ParseRate(value) },
                "kinds" => result with { Kinds = value.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseKind).Distinct().ToList() },
                "seed" => result with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                "delay" => result with { SlowDelay = TimeSpan.FromMilliseconds(ParseNonNegative(value, "delay")) },
                "retry-after" => result with { RetryAfterSeconds = (int)ParseNonNegative(value, "retry-after") },
                "methods" => result with { Methods = [.. value.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToUpperInvariant())] },
                "paths" => result with { Paths = [.. value.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] },
                _ => throw new FormatException($"unknown fault setting '{pair[0]}' (rate, kinds, seed, delay, retry-after, methods, paths)"),
            };
        }
        return result;
    }

    public static FaultKind ParseKind(string text) => text.ToLowerInvariant() switch
    {
        "500" or "error" or "server-error" => FaultKind.ServerError,
        "429" or "rate-limit" => FaultKind.TooManyRequests,
        "drop" => FaultKind.Drop,
        "truncate" => FaultKind.Truncate,
        "slow" => FaultKind.Slow,
        "late" => FaultKind.Late,
        _ => throw new FormatException($"unknown fault kind '{text}' (500, 429, drop, truncate, slow, late)"),
    };

    public static string KindName(FaultKind kind) => kind switch
    {
        FaultKind.ServerError => "500",
        FaultKind.TooManyRequests => "429",
        FaultKind.Drop => "drop",
        FaultKind.Truncate => "truncate",
        FaultKind.Slow => "slow",
        _ => "late",
    };

    private static double ParseRate(string value)
    {
        var rate = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
        return rate is >= 0 and <= 1 ? rate : throw new FormatException("rate must be between 0 and 1");
    }

    private static long ParseNonNegative(string value, string name)
    {
        var number = long.Parse(value, CultureInfo.InvariantCulture);
        return number >= 0 ? number : throw new FormatException($"{name} must not be negative");
    }
}
