using System.Text.Json;

namespace HfHub.Json;

/// <summary>Describes why a JSON document could not be read, in words for the person reading the error.</summary>
public static class JsonErrorText
{
    /// <summary>
    /// What was wrong with a body, in words a user can pass on: the serializer's own message names
    /// .NET types ("could not be converted to HfHub.Auth.WhoAmIAuth"), which says nothing to them.
    /// A reader error (not JSON at all) comes wrapped, with the reader's exception inside.
    /// The client's own errors use it for Hub answers; an application can use it for any JSON it reads.
    /// </summary>
    public static string Describe(JsonException e)
    {
        var at = e.Path is { Length: > 1 } path ? $" at {path}" : "";
        var position = e.LineNumber is { } line
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (line {line + 1}, byte {(e.BytePositionInLine ?? 0) + 1})")
            : "";
        return e.InnerException is JsonException
            ? $"a body that is not valid JSON{position}"
            : $"JSON of an unexpected shape: the value{at} is not of the type the Hub's API documents, or a required field is missing";
    }
}
