using HfHub.LocalHub.Api;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Services;

/// <summary>A refusal a service reports for its route to answer: the status, the Hub's message and its <c>X-Error-Code</c>, when it has one.</summary>
internal sealed record HubError(int Status, string Message, string? Code = null)
{
    public static HubError BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static HubError RevisionNotFound(string revision) => new(StatusCodes.Status404NotFound, $"Invalid rev id: {revision}", "RevisionNotFound");

    public Task WriteAsync(HttpContext context) => HubResponses.Error(context, Status, Message, Code);
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
