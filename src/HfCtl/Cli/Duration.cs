using System.Globalization;

namespace HfCtl.Cli;

/// <summary>
/// The one duration grammar of hfctl's options and settings (<c>--timeout</c>, <c>--every</c>,
/// <c>HFCTL_POLL_INTERVAL</c>): a positive number with <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c>
/// (<c>500ms</c>, <c>90s</c>, <c>1.5m</c>, <c>1h</c>), or a bare number of seconds.
/// </summary>
internal static class Duration
{
    private static readonly (string Suffix, double Seconds)[] Units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        var value = text?.Trim().ToLowerInvariant() ?? "";
        var (number, scale) = (value, 1.0);
        foreach (var (suffix, seconds) in Units)
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal))
            {
                (number, scale) = (value[..^suffix.Length], seconds);
                break;
            }
        }
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !(amount > 0) || double.IsInfinity(amount * scale)
            || amount * scale > TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }
        duration = TimeSpan.FromSeconds(amount * scale);
        return true;
    }

    /// <summary>Parses the value of <paramref name="option"/>; a bad one (or one above <paramref name="max"/>) is a usage error, exit 2.</summary>
    public static TimeSpan Parse(string? text, string option, TimeSpan? max = null)
    {
        if (TryParse(text, out var duration) && (max is null || duration <= max))
        {
            return duration;
        }
        var limit = max is { } m ? $" (at most {Describe(m)})" : "";
        throw new UsageException($"{option} must be a duration like 30s, 500ms, 5m or 1h{limit}, not '{text}'");
    }

    /// <summary>A setting from the environment: its value when it is set, <paramref name="fallback"/> when it is not.</summary>
    public static TimeSpan FromEnvironment(HfHub.HfEnvironment environment, string name, TimeSpan fallback) =>
        environment.Get(name) is { Length: > 0 } text ? Parse(text, name) : fallback;

    private static string Describe(TimeSpan duration) =>
        duration.TotalHours >= 1 && duration.TotalHours % 1 == 0 ? $"{duration.TotalHours:0} hour{(duration.TotalHours == 1 ? "" : "s")}" : $"{duration.TotalSeconds:0.###} s";
}
