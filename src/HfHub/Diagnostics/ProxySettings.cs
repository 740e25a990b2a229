using System.Net;

namespace HfHub.Diagnostics;

/// <summary>
/// The proxy the usual variables ask for: <c>HTTPS_PROXY</c> for https URLs, <c>HTTP_PROXY</c> for
/// http ones (lower-case spellings too), <c>ALL_PROXY</c> as a fallback, minus the hosts in
/// <c>NO_PROXY</c>. Loopback hosts never go through a proxy (a local hub is on this machine).
/// </summary>
public static class ProxySettings
{
    /// <summary>The proxy for a URL, or null to connect directly.</summary>
    public static Uri? For(Uri target, HfEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(environment);
        if (target.IsLoopback || Bypassed(target.Host, environment.Get("NO_PROXY") ?? environment.Get("no_proxy")))
        {
            return null;
        }
        var value = target.Scheme == Uri.UriSchemeHttps
            ? environment.Get("HTTPS_PROXY") ?? environment.Get("https_proxy")
            : environment.Get("HTTP_PROXY") ?? environment.Get("http_proxy");
        value ??= environment.Get("ALL_PROXY") ?? environment.Get("all_proxy");
        if (value is null)
        {
            return null;
        }
        // curl accepts "proxy:3128" without a scheme; so do we.
        var text = value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value;
        return Uri.TryCreate(text, UriKind.Absolute, out var proxy) ? proxy : null;
    }

    /// <summary>The proxy URL without its credentials, for display.</summary>
    public static string Display(Uri proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        return $"{proxy.Scheme}://{proxy.Authority}";
    }

    /// <summary>A <see cref="WebProxy"/> for a proxy URL, with its user:password as credentials.</summary>
    public static WebProxy ToWebProxy(Uri proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        var web = new WebProxy(new Uri($"{proxy.Scheme}://{proxy.Authority}"));
        if (Credentials(proxy) is { } credentials)
        {
            web.Credentials = credentials;
        }
        return web;
    }

    /// <summary>The credentials in a proxy URL's user info, if any.</summary>
    public static NetworkCredential? Credentials(Uri proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        if (string.IsNullOrEmpty(proxy.UserInfo))
        {
            return null;
        }
        var parts = proxy.UserInfo.Split(':', 2);
        return new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
    }

    /// <summary>NO_PROXY: comma-separated hosts or domain suffixes (<c>.example.com</c> or <c>example.com</c>), or <c>*</c>.</summary>
    internal static bool Bypassed(string host, string? noProxy)
    {
        if (string.IsNullOrWhiteSpace(noProxy))
        {
            return false;
        }
        foreach (var raw in noProxy.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw == "*")
            {
                return true;
            }
            var entry = raw.TrimStart('.');
            var colon = entry.LastIndexOf(':');
            if (colon > 0 && !entry.Contains(']', StringComparison.Ordinal) && entry.Count(c => c == ':') == 1)
            {
                entry = entry[..colon]; // "host:port" entries match the host
            }
            if (host.Equals(entry, StringComparison.OrdinalIgnoreCase)
                || host.EndsWith("." + entry, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
