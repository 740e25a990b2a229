using System.Globalization;

namespace HfHub.Http;

/// <summary>
/// What the Hub's <c>RateLimit</c> and <c>RateLimit-Policy</c> headers say (IETF draft, as the Hub sends them:
/// <c>"api";r=&lt;remaining&gt;;t=&lt;seconds to reset&gt;</c> and <c>"fixed window";"api";q=&lt;quota&gt;;w=&lt;window seconds&gt;</c>).
/// </summary>
/// <param name="Pool">The quota's name, such as <c>api</c> or <c>resolvers</c>, when given.</param>
/// <param name="Remaining">Requests left in the current window.</param>
/// <param name="ResetIn">Until the window ends and the quota is whole again.</param>
/// <param name="Quota">Requests allowed per window (from the policy header), when sent.</param>
/// <param name="Window">The window's length (from the policy header), when sent.</param>
public sealed record RateLimitStatus(string? Pool, int Remaining, TimeSpan ResetIn, int? Quota = null, TimeSpan? Window = null)
{
    /// <summary>The status a response's headers give; null when it has no (readable) <c>RateLimit</c> header.</summary>
    public static RateLimitStatus? From(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.TryGetValues("RateLimit", out var limit)
            ? Parse(limit.FirstOrDefault(), response.Headers.TryGetValues("RateLimit-Policy", out var policy) ? policy.FirstOrDefault() : null)
            : null;
    }

    /// <summary>Parses the two header values; null when <paramref name="rateLimit"/> lacks <c>r</c> or <c>t</c>.</summary>
    public static RateLimitStatus? Parse(string? rateLimit, string? policy)
    {
        var (pool, numbers) = Split(rateLimit);
        if (!numbers.TryGetValue("r", out var remaining) || !numbers.TryGetValue("t", out var reset))
        {
            return null;
        }
        var (_, policyNumbers) = Split(policy);
        return new RateLimitStatus(pool, remaining, TimeSpan.FromSeconds(reset),
            policyNumbers.TryGetValue("q", out var quota) ? quota : null,
            policyNumbers.TryGetValue("w", out var window) ? TimeSpan.FromSeconds(window) : null);
    }

    /// <summary>The last quoted name (the policy header starts with its kind, "fixed window") and the <c>k=N</c> parameters.</summary>
    private static (string? Name, Dictionary<string, int> Numbers) Split(string? header)
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        string? name = null;
        foreach (var part in (header ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Length >= 2 && part[0] == '"' && part[^1] == '"')
            {
                name = part[1..^1];
            }
            else if (part.Split('=', 2) is [var key, var value] && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                numbers[key.Trim()] = number;
            }
        }
        return (name, numbers);
    }
}
