using System.Text.Json;
using System.Text.Json.Serialization;

namespace HfHub.Auth;

/// <summary>
/// A Hugging Face access token. It never prints itself: <see cref="ToString"/> and its JSON form
/// are masked (<c>hf_****wxyz</c>); only <see cref="Reveal"/> gives the secret, for the one place
/// that builds the Authorization header or writes the token file.
/// </summary>
[JsonConverter(typeof(MaskedTokenJsonConverter))]
public sealed class HfToken : IEquatable<HfToken>
{
    private readonly string _value;

    /// <summary>Wraps a token after trimming it and removing CR/LF, as the official clients clean tokens.</summary>
    public HfToken(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var cleaned = value.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Trim();
        if (cleaned.Length == 0)
        {
            throw new ArgumentException("A token cannot be empty.", nameof(value));
        }
        _value = cleaned;
    }

    /// <summary>Returns a token for a value, or null when the value is null or blank.</summary>
    public static HfToken? FromValue(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Trim().Length == 0
            ? null
            : new HfToken(value);

    /// <summary>The masked form: the first three and last four characters, e.g. <c>hf_****wxyz</c>.</summary>
    public string Masked => Mask(_value);

    /// <summary>True for the user access token shape the Hub mints (<c>hf_</c> prefix).</summary>
    public bool HasHubPrefix => _value.StartsWith("hf_", StringComparison.Ordinal);

    /// <summary>The secret itself. Call it only to authenticate a request or to store the token.</summary>
    public string Reveal() => _value;

    /// <summary>Masks any token-like string the same way as <see cref="Masked"/>.</summary>
    public static string Mask(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length <= 8 ? "****" : string.Concat(value.AsSpan(0, 3), "****", value.AsSpan(value.Length - 4));
    }

    /// <inheritdoc/>
    public override string ToString() => Masked;

    /// <inheritdoc/>
    public bool Equals(HfToken? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HfToken);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);
}

/// <summary>Writes a token as its masked form; reads a raw token.</summary>
public sealed class MaskedTokenJsonConverter : JsonConverter<HfToken>
{
    /// <inheritdoc/>
    public override HfToken? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        HfToken.FromValue(reader.GetString());

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, HfToken value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.Masked);
    }
}
