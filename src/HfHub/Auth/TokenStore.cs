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
        var section = SectionName(name);
        var index = stored.FindIndex(s => s.Name == section);
        // A re-login under the same name replaces that entry in place (dropping an old OAuth refresh token);
        // every other section, with all its keys, stays where it was.
        var entry = new StoredToken(section, [new("hf_token", token.Reveal())]);
        if (index >= 0)
        {
            stored[index] = entry;
        }
        else
        {
            stored.Add(entry);
        }
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
            if (stored.RemoveAll(s => s.Token == active.Reveal()) > 0)
            {
                WriteSecret(environment.StoredTokensPath, Format(stored));
            }
        }
        return existed;
    }

    /// <summary>The names of stored tokens, in file order.</summary>
    public static IReadOnlyList<string> StoredNames(HfEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return [.. ReadStored(environment.StoredTokensPath).Select(s => s.Name)];
    }

    private static string SectionName(string name)
    {
        var clean = new string([.. name.Where(c => c is not ('[' or ']' or '\r' or '\n'))]).Trim();
        return clean.Length == 0 ? "default" : clean;
    }

    /// <summary>One <c>[name]</c> section: its keys in file order (<c>hf_token</c>, and for OAuth <c>refresh_token</c>, <c>expires_at</c>).</summary>
    internal sealed record StoredToken(string Name, List<KeyValuePair<string, string>> Values)
    {
        public string? Token => Values.FirstOrDefault(v => v.Key == "hf_token").Value;
    }

    /// <summary>Reads every section with all its keys, keeping file order, so a rewrite loses nothing.</summary>
    internal static List<StoredToken> ReadStored(string path)
    {
        var result = new List<StoredToken>();
        if (!File.Exists(path))
        {
            return result;
        }
        StoredToken? section = null;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                var name = line[1..^1].Trim();
                section = result.Find(s => s.Name == name);
                if (section is null)
                {
                    section = new StoredToken(name, []);
                    result.Add(section);
                }
            }
            else if (section is not null && !line.StartsWith('#') && !line.StartsWith(';') && line.Split('=', 2) is [var key, var value])
            {
                var k = key.Trim();
                section.Values.RemoveAll(v => v.Key == k);
                section.Values.Add(new(k, value.Trim()));
            }
        }
        return result;
    }

    private static string Format(List<StoredToken> stored)
    {
        var builder = new StringBuilder();
        foreach (var section in stored)
        {
            builder.Append('[').Append(section.Name).Append("]\n");
            foreach (var (key, value) in section.Values)
            {
                builder.Append(key).Append(" = ").Append(value).Append('\n');
            }
            builder.Append('\n');
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
