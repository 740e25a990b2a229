using System.Text;
using System.Text.Json;

namespace HfHub.Http;

/// <summary>Turns a failed response into a <see cref="HubException"/> with a one-line message.</summary>
internal static class HubErrorReader
{
    private const int MaxBodyBytes = 64 * 1024;
    private const int MaxMessageLength = 400;

    public static async Task<HubException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var errorCode = Header(response, "X-Error-Code");
        var headerMessage = Header(response, "X-Error-Message");
        var requestId = Header(response, "X-Request-Id") ?? Header(response, "X-Amzn-Trace-Id");
        var url = response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Path);

        string? bodyMessage = null;
        if (response.RequestMessage?.Method != HttpMethod.Head)
        {
            try
            {
                var body = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
                bodyMessage = MessageFromBody(body, response.Content.Headers.ContentType?.MediaType);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // A truncated error body still leaves the status and headers to report.
            }
        }

        var message = bodyMessage ?? headerMessage ?? $"{status} {response.ReasonPhrase}".Trim();
        if (headerMessage is not null && bodyMessage is not null && !bodyMessage.Contains(headerMessage, StringComparison.Ordinal))
        {
            message = $"{bodyMessage} ({headerMessage})";
        }
        return HubException.For(status, OneLine(message), errorCode, requestId, url, RetryPolicy.RetryAfter(response));
    }

    /// <summary>The message of a Hub error body, in the formats the official clients understand.</summary>
    internal static string? MessageFromBody(string body, string? mediaType)
    {
        var trimmed = body.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }
        if (trimmed[0] == '{')
        {
            try
            {
                using var doc = JsonDocument.Parse(trimmed);
                return MessageFromJson(doc.RootElement);
            }
            catch (JsonException)
            {
                return null;
            }
        }
        // HTML error pages (proxies, gateways) say nothing useful in one line.
        if (mediaType is "text/html" || trimmed.StartsWith('<'))
        {
            return null;
        }
        return trimmed;
    }

    private static string? MessageFromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        string? message = null;
        if (root.TryGetProperty("error", out var error))
        {
            message = error.ValueKind switch
            {
                JsonValueKind.String => error.GetString(),
                JsonValueKind.Array => string.Join("; ", error.EnumerateArray().Select(e => e.ToString())),
                _ => null,
            };
        }
        if (message is null && root.TryGetProperty("message", out var plain) && plain.ValueKind == JsonValueKind.String)
        {
            message = plain.GetString();
        }
        if (root.TryGetProperty("error_description", out var description) && description.ValueKind == JsonValueKind.String)
        {
            message = message is null ? description.GetString() : $"{message}: {description.GetString()}";
        }
        if (message is null && root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
        {
            message = string.Join("; ", errors.EnumerateArray()
                .Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m) ? m.ToString() : e.ToString()));
        }
        return string.IsNullOrWhiteSpace(message) ? null : message;
    }

    // A server's words are one part of a message that also names the call and the request id.
    internal static string OneLine(string message) => DisplayText.OneLine(message, MaxMessageLength);

    private static async Task<string> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxBodyBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
