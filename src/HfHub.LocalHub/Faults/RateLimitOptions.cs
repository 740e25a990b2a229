using System.Globalization;

namespace HfHub.LocalHub.Faults;

/// <summary>
/// Per-caller request quotas in fixed windows, as the Hub enforces them (hub-docs rate-limits: separate
/// pools for the API and for file downloads, "resolvers", five-minute windows). A signed-in caller is
/// counted per user, an anonymous one per client address. A pool without a quota is not limited.
/// </summary>
public sealed record RateLimitOptions
{
    /// <summary>Requests a caller may make to <c>/api/…</c> in one window; null for no limit.</summary>
    public int? Api { get; init; }

    /// <summary>File downloads (<c>…/resolve/…</c>) a caller may make in one window; null for no limit.</summary>
    public int? Resolvers { get; init; }

    /// <summary>The length of a window; the Hub's is five minutes.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Parses <c>api=1000,resolvers=5000[,window=300]</c> (the window in seconds), as
    /// <c>hfctl local-hub serve --rate-limit</c> takes it; throws <see cref="FormatException"/> with a one-line message.
    /// </summary>
    public static RateLimitOptions Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = new RateLimitOptions();
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = part.IndexOf('=', StringComparison.Ordinal);
            var key = at < 0 ? part : part[..at];
            var text = at < 0 ? "" : part[(at + 1)..];
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                throw new FormatException($"'{part}': expected {key}=N with N a whole number of at least 1");
            }
            options = key switch
            {
                "api" => options with { Api = value },
                "resolvers" => options with { Resolvers = value },
                "window" => options with { Window = TimeSpan.FromSeconds(value) },
                _ => throw new FormatException($"unknown rate-limit pool '{key}' (api, resolvers, window)"),
            };
        }
        if (options.Api is null && options.Resolvers is null)
        {
            throw new FormatException("give a quota for api or resolvers, e.g. api=1000,resolvers=5000");
        }
        return options;
    }
}
