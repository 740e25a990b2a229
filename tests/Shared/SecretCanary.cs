using System.Collections.Concurrent;

namespace HfCtl.Testing;

/// <summary>
/// The whole suite's registry of secrets: every token the test hubs issue (and their admin secrets),
/// plus any secret value a test sets. Whatever captures output (the CLI runner, HTTP traces, logs)
/// checks it here, so a leak anywhere in any test fails that test.
/// </summary>
public static class SecretCanary
{
    /// <summary>Shorter strings would match ordinary text by chance.</summary>
    public const int MinimumLength = 8;

    private static readonly ConcurrentDictionary<string, string> Secrets = new(StringComparer.Ordinal);

    /// <summary>How many secrets are being watched (for the report in RELIABILITY.md and sanity checks).</summary>
    public static int Count => Secrets.Count;

    /// <summary>Watches <paramref name="secret"/>; a token is also watched without its <c>hf_</c> prefix.</summary>
    public static void Register(string? secret, string what)
    {
        if (secret is null || secret.Length < MinimumLength)
        {
            return;
        }
        Secrets.TryAdd(secret, what);
        if (secret.StartsWith("hf_", StringComparison.Ordinal) && secret.Length - 3 >= MinimumLength)
        {
            Secrets.TryAdd(secret[3..], what + " (without hf_)");
        }
    }

    /// <summary>What leaked into <paramref name="text"/> (the description, never the secret), or null.</summary>
    public static string? FindLeak(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        foreach (var (secret, what) in Secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                return what;
            }
        }
        return null;
    }

    /// <summary><paramref name="text"/> with every watched secret replaced, safe to show in a failure message.</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }
        // Longest first, so a token is replaced whole rather than leaving its hf_ prefix.
        foreach (var secret in Secrets.Keys.OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, "[SECRET]", StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>Fails the current test when <paramref name="text"/> holds a watched secret.</summary>
    public static void AssertNoLeak(string? text, string where)
    {
        if (FindLeak(text) is { } what)
        {
            Assert.Fail($"secret canary: {what} appeared in {where}:\n{Redact(text)}");
        }
    }
}
