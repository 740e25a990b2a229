using HfHub.LocalHub.Api;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Services;

/// <summary>A refusal a service reports for its route to answer: the status, the Hub's message and its <c>X-Error-Code</c>, when it has one.</summary>
internal sealed record HubError(int Status, string Message, string? Code = null)
{
    /// <summary>For a 409 on a repo that already exists: its URL, sent beside the error.</summary>
    public string? ExistingUrl { get; init; }

    public static HubError BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static HubError Forbidden(string message) => new(StatusCodes.Status403Forbidden, message);

    public static HubError Conflict(string message, string existingUrl) => new(StatusCodes.Status409Conflict, message) { ExistingUrl = existingUrl };

    /// <summary>A repo that does not exist or that the caller may not see (see <see cref="HubResponses.RepoNotFound"/>).</summary>
    public static HubError RepoNotFound(HubCaller caller) =>
        new(caller.IsAnonymous ? StatusCodes.Status401Unauthorized : StatusCodes.Status404NotFound, "Repository not found", "RepoNotFound");

    public static HubError Unauthorized() => new(StatusCodes.Status401Unauthorized, HubResponses.InvalidCredentials);

    public static HubError RevisionNotFound(string revision) => new(StatusCodes.Status404NotFound, $"Invalid rev id: {revision}", "RevisionNotFound");

    public Task WriteAsync(HttpContext context)
    {
        if (ExistingUrl is not { } url)
        {
            return HubResponses.Error(context, Status, Message, Code);
        }
        context.Response.Headers["X-Error-Message"] = HubResponses.HeaderSafe(Message);
        return HubResponses.Json(context, new ConflictBody(Message, url), LocalHubJsonContext.Default.ConflictBody, Status);
    }
}

/// <summary>What a service returns: its value, or the <see cref="HubError"/> its route answers with instead.</summary>
internal readonly record struct HubResult<T>
{
    private readonly T? _value;

    private HubResult(T? value, HubError? error)
    {
        _value = value;
        Error = error;
    }

    public HubError? Error { get; }

    public T Value => Error is null ? _value! : throw new InvalidOperationException("The result is an error: " + Error.Message);

    public static implicit operator HubResult<T>(T value) => new(value, null);

    public static implicit operator HubResult<T>(HubError error) => new(default, error);
}
