using System.Text;

namespace HfHub.LocalHub.Store;

/// <summary>
/// Which object keys a bucket accepts. The rules are the ones the Hub states for its S3 gateway
/// (buckets.md §2: no leading or trailing '/', no '//', no '../', no leading './', no trailing
/// '..', no '\' or NUL); that the Hub API enforces the same set is UNCONFIRMED, and this hub does,
/// because one bucket is reached through both. Two additions of this hub, also UNCONFIRMED: a '.'
/// segment is refused like '..' (a key that names no file on any disk), and a key is at most 1024
/// bytes of UTF-8, S3's own limit.
/// </summary>
internal static class BucketKeys
{
    public const int MaxBytes = 1024;

    /// <summary>Why a key is refused, or null when it is acceptable.</summary>
    public static string? Problem(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "the path is empty";
        }
        if (Encoding.UTF8.GetByteCount(key) > MaxBytes)
        {
            return $"the path is longer than {MaxBytes} bytes";
        }
        if (key.Contains('\0', StringComparison.Ordinal) || key.Contains('\\', StringComparison.Ordinal))
        {
            return "the path contains a backslash or a NUL character";
        }
        if (key.StartsWith('/') || key.EndsWith('/') || key.Contains("//", StringComparison.Ordinal))
        {
            return "the path starts or ends with '/' or has an empty segment";
        }
        if (key.Split('/').Any(s => s is "." or ".."))
        {
            return "the path has a '.' or '..' segment";
        }
        return null;
    }
}
