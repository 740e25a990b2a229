using System.Globalization;
using System.Security.Cryptography;

namespace HfHub.LocalHub.Store;

/// <summary>Identifiers and timestamps in the Hub's own formats.</summary>
internal static class HubIds
{
    private const string TokenAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>A 24-hex-digit id like the Hub's MongoDB ObjectIds.</summary>
    public static string NewObjectId() => RandomNumberGenerator.GetHexString(24, lowercase: true);

    /// <summary>A user access token: <c>hf_</c> and 34 letters, the shape the Hub mints.</summary>
    public static string NewToken() => "hf_" + RandomNumberGenerator.GetString(TokenAlphabet, 34);

    /// <summary>An opaque secret for admin routes and signed URLs.</summary>
    public static string NewSecret() => RandomNumberGenerator.GetHexString(32, lowercase: true);

    /// <summary>ISO-8601 UTC with milliseconds, e.g. <c>2025-03-07T12:24:18.657Z</c>.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>True for <c>hf_</c> followed by 34 letters or digits.</summary>
    public static bool LooksLikeToken(string? value) =>
        value is { Length: 37 } && value.StartsWith("hf_", StringComparison.Ordinal) && value.AsSpan(3).ContainsAnyExcept(TokenAlphabetAndDigits) == false;

    private static readonly System.Buffers.SearchValues<char> TokenAlphabetAndDigits =
        System.Buffers.SearchValues.Create(TokenAlphabet + "0123456789");
}
