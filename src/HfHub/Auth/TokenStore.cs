using System.Text;

namespace HfHub.Auth;

/// <summary>
/// Saves and removes tokens on disk exactly where the Python client keeps them, so that both
/// share one login: the active token in <c>HF_TOKEN_PATH</c> (default <c>$HF_HOME/token</c>) and
/// every named token in the INI file <c>stored_tokens</c> beside it (<c>[name]</c> / <c>hf_token = …</c>).
/// Files are written with mode 0600 in a 0700 folder, through a temp file and a rename.
/// </summary>
public static class TokenStore
{
    /// <summary>Makes a token the active one and stores it under its name.</summary>
    public static void Save(HfEnvironment environment, HfToken token, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(token);
        WriteSecret(environment.TokenPath, token.Reveal());
        var stored = ReadStored(environment.StoredTokensPath);
        stored[SectionName(name)] = token.Reveal();
        WriteSecret(environment.StoredTokensPath, Format(stored));
    }

    /// <summary>
    /// Removes the active token file and the stored entries that hold the same token.
    /// Returns true when there was an active token file.
    /// </summary>
    public static bool RemoveActive(HfEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var active = TokenDiscovery.ReadTokenFile(environment.TokenPath);
        var existed = File.Exists(environment.TokenPath);
        File.Delete(environment.TokenPath);
        if (active is not null && File.Exists(environment.StoredTokensPath))
        {
            var stored = ReadStored(environment.StoredTokensPath);
            foreach (var key in stored.Where(p => p.Value == active.Reveal()).Select(p => p.Key).ToList())
            {
                stored.Remove(key);
            }
            WriteSecret(environment.StoredTokensPath, Format(stored));
        }
        return existed;
    }

    /// <summary>The names of stored tokens, in file order.</summary>
    public static IReadOnlyList<string> StoredNames(HfEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return [.. ReadStored(environment.StoredTokensPath).Keys];
    }

    private static string SectionName(string name)
    {
        var clean = new string([.. name.Where(c => c is not ('[' or ']' or '\r' or '\n'))]).Trim();
        return clean.Length == 0 ? "default" : clean;
    }

    /// <summary>Reads <c>[name]</c> sections with their <c>hf_token</c> value, keeping order.</summary>
    internal static Dictionary<string, string> ReadStored(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }
        string? section = null;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1].Trim();
            }
            else if (section is not null && line.Split('=', 2) is [var key, var value] && key.Trim() == "hf_token")
            {
                result[section] = value.Trim();
            }
        }
        return result;
    }

    private static string Format(Dictionary<string, string> stored)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in stored)
        {
            builder.Append('[').Append(name).Append("]\nhf_token = ").Append(value).Append("\n\n");
        }
        return builder.ToString();
    }

    private static void WriteSecret(string path, string content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                writer.Write(content);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
