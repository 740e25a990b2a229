using System.Net;

namespace HfHub.Http;

/// <summary>
/// The one exception the client throws for a failed Hub call. It carries the HTTP status
/// (0 when no response came back), the Hub's machine-readable <c>X-Error-Code</c>, a one-line
/// message and the request id to quote to Hugging Face support. Subclasses name the common classes.
/// </summary>
public class HubException : Exception
{
    public HubException(string message) : base(message) { }

    public HubException(string message, Exception innerException) : base(message, innerException) { }

    public HubException(string message, int status, string? errorCode = null, string? requestId = null, string? url = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ErrorCode = errorCode;
        RequestId = requestId;
        Url = url;
    }

    public HubException() { }

    /// <summary>The HTTP status, or 0 when the request never got a response.</summary>
    public int Status { get; }

    /// <summary>The Hub's <c>X-Error-Code</c> header (e.g. <c>RepoNotFound</c>, <c>EntryNotFound</c>).</summary>
    public string? ErrorCode { get; }

    /// <summary>The Hub's <c>X-Request-Id</c>, when it sent one.</summary>
    public string? RequestId { get; }

    /// <summary>The URL that failed (no query secrets are ever put in URLs by this client).</summary>
    public string? Url { get; }

    /// <summary>
    /// The exception a failed response stands for, as the client's own calls throw it: the Hub's
    /// message (from the JSON body or <c>X-Error-Message</c>, on one line), its <c>X-Error-Code</c>, the
    /// request id, and for a 429 the wait it asked for. Reads at most 64 KiB of the body.
    /// </summary>
    public static Task<HubException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        return HubErrorReader.ReadAsync(response, cancellationToken);
    }

    /// <summary>Builds the subclass that matches a status and error code.</summary>
    public static HubException For(int status, string message, string? errorCode, string? requestId, string? url, TimeSpan? retryAfter = null) =>
        status switch
        {
            (int)HttpStatusCode.NotFound => new HubNotFoundException(message, errorCode, requestId, url),
            (int)HttpStatusCode.Unauthorized when errorCode == "RepoNotFound" => new HubNotFoundException(message, errorCode, requestId, url, status),
            (int)HttpStatusCode.Unauthorized => new HubAuthenticationException(message, errorCode, requestId, url),
            (int)HttpStatusCode.Forbidden => new HubForbiddenException(message, errorCode, requestId, url),
            (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed => new HubConflictException(message, status, errorCode, requestId, url),
            (int)HttpStatusCode.TooManyRequests => new HubRateLimitedException(message, errorCode, requestId, url, retryAfter),
            _ => new HubException(message, status, errorCode, requestId, url),
        };
}

/// <summary>404: the repo, revision or file does not exist, or is private to someone else.</summary>
public sealed class HubNotFoundException(string message, string? errorCode, string? requestId, string? url, int status = 404)
    : HubException(message, status, errorCode, requestId, url);

/// <summary>401: the token is missing, invalid, expired or revoked.</summary>
public sealed class HubAuthenticationException(string message, string? errorCode, string? requestId, string? url)
    : HubException(message, 401, errorCode, requestId, url);

/// <summary>403: the token is valid but lacks the permission (for example a read token writing).</summary>
public sealed class HubForbiddenException(string message, string? errorCode, string? requestId, string? url)
    : HubException(message, 403, errorCode, requestId, url);

/// <summary>409 or 412: the resource exists already, or someone else committed first.</summary>
public sealed class HubConflictException(string message, int status, string? errorCode, string? requestId, string? url)
    : HubException(message, status, errorCode, requestId, url);

/// <summary>429: rate-limited; <see cref="RetryAfter"/> says how long the Hub asked to wait.</summary>
public sealed class HubRateLimitedException(string message, string? errorCode, string? requestId, string? url, TimeSpan? retryAfter)
    : HubException(message, 429, errorCode, requestId, url)
{
    /// <summary>The wait the Hub asked for, when it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>No response: DNS, connection, TLS or timeout failure.</summary>
public sealed class HubConnectionException(string message, string? url, Exception innerException)
    : HubException(message, 0, null, null, url, innerException);

/// <summary>
/// A download's bytes do not match the hash the Hub lists for the file (its SHA-256 or git blob
/// id): the copy was damaged in storage or in transit. The partial file is discarded.
/// </summary>
public sealed class HubContentMismatchException(string message, string? url)
    : HubException(message, 0, null, null, url);
