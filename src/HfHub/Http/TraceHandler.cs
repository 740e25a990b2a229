using System.Diagnostics;
using HfHub.Auth;

namespace HfHub.Http;

/// <summary>
/// Writes one line per request and response for <c>--verbose</c>, with the token masked.
/// Header values that could carry credentials are never written in clear.
/// </summary>
internal sealed class TraceHandler(Action<string> trace) : DelegatingHandler
{
    private static readonly string[] ResponseHeadersShown = ["X-Request-Id", "X-Error-Code", "X-Error-Message", "Retry-After", "Link", "X-Repo-Commit"];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var auth = request.Headers.Authorization is { } header
            ? $" Authorization: {header.Scheme} {(header.Parameter is null ? "" : HfToken.Mask(header.Parameter))}"
            : "";
        trace($"> {request.Method} {Redact(request.RequestUri)}{auth}");
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var shown = ResponseHeadersShown
                .Where(h => response.Headers.Contains(h))
                .Select(h => $" {h}: {string.Join(",", response.Headers.GetValues(h))}");
            trace($"< {(int)response.StatusCode} {response.ReasonPhrase} ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms){string.Concat(shown)}");
            return response;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            trace($"< failed after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms: {e.GetType().Name}: {HubErrorReader.OneLine(e.Message)}");
            throw;
        }
    }

    /// <summary>Pre-signed upload URLs carry their signature in the query; show only the path.</summary>
    private static string Redact(Uri? uri)
    {
        if (uri is null)
        {
            return "";
        }
        uri = UrlRedaction.Redacted(uri);
        return string.IsNullOrEmpty(uri.Query) ? uri.ToString() : uri.GetLeftPart(UriPartial.Path) + "?…";
    }
}
