using HfCtl.Cli;
using HfHub;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary>Parses <c>-s/-e K[=V]</c> and dotenv files. Values never end up in error messages.</summary>
internal static class SpaceSettingsParser
{
    /// <summary><c>K=V</c>, or <c>K</c> alone to take the value from the environment variable K.</summary>
    public static List<SpaceSetting> Parse(IEnumerable<string>? pairs, string? file, HfEnvironment environment, string what)
    {
        var result = new List<SpaceSetting>();
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            CheckKey(key, what);
            var value = eq < 0
                ? environment.Get(key) ?? throw new UsageException($"{what} {key} has no value: use {key}=VALUE or set the environment variable {key}")
                : pair[(eq + 1)..];
            result.Add(new SpaceSetting(key, value));
        }
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new UsageException($"no such file: {file}");
            }
            foreach (var raw in File.ReadAllLines(file))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }
                if (line.StartsWith("export ", StringComparison.Ordinal))
                {
                    line = line[7..].TrimStart();
                }
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new UsageException($"{file}: expected KEY=VALUE lines");
                }
                var key = line[..eq].Trim();
                CheckKey(key, what);
                var value = line[(eq + 1)..].Trim();
                if (value.Length >= 2 && (value[0] == '"' && value[^1] == '"' || value[0] == '\'' && value[^1] == '\''))
                {
                    value = value[1..^1];
                }
                result.Add(new SpaceSetting(key, value));
            }
        }
        return result;
    }

    public static void CheckKey(string key, string what)
    {
        if (!SpacesClient.IsValidKey(key))
        {
            throw new UsageException($"invalid {what} key '{HfHub.DisplayText.Printable(key)}': it must start with a letter and contain only letters, digits and '_'");
        }
    }

}
