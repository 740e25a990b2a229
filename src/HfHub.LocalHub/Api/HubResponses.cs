using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Api;

/// <summary>Writes JSON and errors the way the Hub does: <c>{"error": …}</c> plus <c>X-Error-Code</c> / <c>X-Error-Message</c>.</summary>
internal static class HubResponses
{
    public const string InvalidCredentials = "Invalid credentials in Authorization header";

    public static Task Json<T>(HttpContext context, T value, JsonTypeInfo<T> typeInfo, int status = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(value, typeInfo, contentType: "application/json; charset=utf-8");
    }

    /// <summary>A service's result: its value as JSON, or its error.</summary>
    public static Task Result<T>(HttpContext context, Services.HubResult<T> result, JsonTypeInfo<T> typeInfo) =>
        result.Error is { } error ? error.WriteAsync(context) : Json(context, result.Value, typeInfo);

    public static Task Error(HttpContext context, int status, string message, string? errorCode = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        context.Response.Headers["X-Error-Message"] = HeaderSafe(message);
        if (errorCode is not null)
        {
            context.Response.Headers["X-Error-Code"] = errorCode;
        }
        return context.Response.WriteAsJsonAsync(new ErrorBody(message), LocalHubJsonContext.Default.ErrorBody, contentType: "application/json; charset=utf-8");
    }

    /// <summary>Header values must be printable ASCII: other characters (e.g. in file names) become '?'; the JSON body keeps them.</summary>
    public static string HeaderSafe(string value) =>
        string.Create(value?.Length ?? 0, value ?? "", static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = text[i] is >= ' ' and <= '~' ? text[i] : '?';
            }
        });

    public static Task Unauthorized(HttpContext context) => Error(context, StatusCodes.Status401Unauthorized, InvalidCredentials);

    /// <summary>
    /// A repo that does not exist or that the caller may not see. The Hub answers 401 to anonymous
    /// callers (private and missing repos alike, so nothing tells them apart) and 404 to signed-in
    /// ones (hub-api account-and-auth.md §3.3, files.md §6); both carry <c>X-Error-Code: RepoNotFound</c>,
    /// which clients on plain http need to classify the 401. The message text is the documented
    /// emulator text: the production wording of the anonymous 401 is UNCONFIRMED.
    /// </summary>
    public static Task RepoNotFound(HttpContext context) => Services.HubError.RepoNotFound(context.Caller()).WriteAsync(context);

    public static Task Forbidden(HttpContext context, string message) => Error(context, StatusCodes.Status403Forbidden, message);

    public static Task BadRequest(HttpContext context, string message) => Error(context, StatusCodes.Status400BadRequest, message);

    /// <summary>The caller resolved by the authentication middleware.</summary>
    public static HubCaller Caller(this HttpContext context) =>
        context?.Features.Get<HubCaller>() ?? HubCaller.Anonymous;
}

/// <summary>The Hub's error body.</summary>
internal sealed record ErrorBody(string Error);

/// <summary>A 409 for a repo that already exists: the error and the existing repo's URL.</summary>
internal sealed record ConflictBody(string Error, string Url);

/// <summary>An answer that names a repo's URL (move, duplicate).</summary>
internal sealed record UrlBody(string Url);

/// <summary><c>{"success": true}</c>.</summary>
internal sealed record SuccessBody(bool Success);

/// <summary>
/// A repo's <c>gated</c>: <c>false</c>, or the gating mode (<c>"auto"</c>, <c>"manual"</c>) — a
/// boolean or a string on the wire, as on the Hub.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(GatedValueConverter))]
internal readonly record struct GatedValue(string? Mode)
{
    public static GatedValue Off => new(null);
}

internal sealed class GatedValueConverter : System.Text.Json.Serialization.JsonConverter<GatedValue>
{
    public override GatedValue Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        new(reader.TokenType == System.Text.Json.JsonTokenType.String ? reader.GetString() : null);

    public override void Write(System.Text.Json.Utf8JsonWriter writer, GatedValue value, System.Text.Json.JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.Mode is { } mode)
        {
            writer.WriteStringValue(mode);
        }
        else
        {
            writer.WriteBooleanValue(false);
        }
    }
}
