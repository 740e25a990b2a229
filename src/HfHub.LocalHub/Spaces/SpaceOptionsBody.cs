using System.Text.Json;

namespace HfHub.LocalHub.Spaces;

/// <summary>
/// The Space options of a create or duplicate body (<c>sdk</c>, <c>hardware</c>,
/// <c>sleepTimeSeconds</c>, <c>devModeEnabled</c>, <c>secrets</c>, <c>variables</c>, <c>files</c>):
/// checking them before anything is created, and reading them once they are known to be good.
/// </summary>
internal static class SpaceOptionsBody
{
    /// <summary>The 400 message for the Space options of a create body, or null when they are fine.</summary>
    public static string? ValidateCreate(JsonElement body)
    {
        var sdk = String(body, "sdk");
        if (sdk is null)
        {
            return "Invalid sdk: a Space needs an sdk (gradio, docker or static)";
        }
        if (sdk is not ("gradio" or "docker" or "static" or "streamlit"))
        {
            return $"Invalid sdk '{sdk}': expected gradio, docker or static";
        }
        if (String(body, "hardware") is { } hardware)
        {
            if (SpaceHardwareCatalog.Find(hardware) is null && hardware != "zerogpu")
            {
                return SpaceHardwareCatalog.InvalidMessage(hardware);
            }
            if (hardware is "zero-a10g" or "zerogpu" && sdk != "gradio")
            {
                return "If you select 'zero-a10g' or 'zerogpu', the SDK must be Gradio";
            }
        }
        if (body.TryGetProperty("sleepTimeSeconds", out var sleep) && sleep.ValueKind != JsonValueKind.Null
            && (sleep.ValueKind != JsonValueKind.Number || !sleep.TryGetInt64(out var seconds) || (seconds <= 0 && seconds != -1)))
        {
            return "sleepTimeSeconds must be a positive number of seconds, or -1 to never sleep";
        }
        return ValidateSettings(body, "secrets") ?? ValidateSettings(body, "variables");
    }

    /// <summary>The requested sleep time: absent (null), or a number of seconds where -1 means never (a null <c>Seconds</c>).</summary>
    public static (long? Seconds, bool Given) SleepTime(JsonElement body)
    {
        if (body.TryGetProperty("sleepTimeSeconds", out var sleep) && sleep.ValueKind == JsonValueKind.Number)
        {
            var seconds = sleep.GetInt64();
            return (seconds == -1 ? null : seconds, true);
        }
        return (null, false);
    }

    /// <summary>The secrets (<paramref name="field"/> = <c>secrets</c>) or variables of a body, skipping malformed entries.</summary>
    public static IEnumerable<(string Key, string Value, string? Description)> Settings(JsonElement body, string field)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(field, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        foreach (var item in list.EnumerateArray())
        {
            if (String(item, "key") is { } key && SpaceSettings.KeyRule().IsMatch(key))
            {
                yield return (key, String(item, "value") ?? "", String(item, "description"));
            }
        }
    }

    /// <summary>Both kinds of setting of a body, each with the kind it is stored under.</summary>
    public static IEnumerable<(string Kind, string Key, string Value, string? Description)> AllSettings(JsonElement body)
    {
        foreach (var (kind, field) in new[] { (SpaceSettings.SecretKind, "secrets"), (SpaceSettings.VariableKind, "variables") })
        {
            foreach (var (key, value, description) in Settings(body, field))
            {
                yield return (kind, key, value, description);
            }
        }
    }

    public static string? String(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? ValidateSettings(JsonElement body, string field)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(field, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            return $"{field} must be an array of {{key, value, description}}";
        }
        foreach (var item in list.EnumerateArray())
        {
            var key = item.ValueKind == JsonValueKind.Object ? String(item, "key") : null;
            if (SpaceSettings.KeyError(key, field.TrimEnd('s')) is { } error)
            {
                return error;
            }
        }
        return null;
    }
}
