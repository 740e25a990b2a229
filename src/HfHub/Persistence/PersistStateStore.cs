using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HfHub.Persistence;

/// <summary>
/// Remembers, per dataset path, the content this writer last restored or saved (the "base" a save
/// must still find remotely). In memory, and in a folder when one is given so that separate
/// processes (a restore at boot, then a watcher) agree. Files are replaced atomically.
/// </summary>
internal sealed class PersistStateStore(string? directory)
{
    private readonly ConcurrentDictionary<string, PersistState> _memory = new(StringComparer.Ordinal);

    public PersistState? Get(string dataset, string path)
    {
        var key = Key(dataset, path);
        if (_memory.TryGetValue(key, out var state))
        {
            return state;
        }
        if (directory is null)
        {
            return null;
        }
        try
        {
            var bytes = File.ReadAllBytes(FileFor(key));
            state = JsonSerializer.Deserialize(bytes, PersistenceJsonContext.Default.PersistState);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            // Unknown or unreadable: behave as a writer that has never seen the path (saves need Force).
            return null;
        }
        return state is not null && state.Dataset == dataset && state.Path == path ? _memory.GetOrAdd(key, state) : null;
    }

    public void Set(PersistState state)
    {
        var key = Key(state.Dataset, state.Path);
        _memory[key] = state;
        if (directory is null)
        {
            return;
        }
        Directory.CreateDirectory(directory);
        var file = FileFor(key);
        var temp = file + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(state, PersistenceJsonContext.Default.PersistState));
        File.Move(temp, file, overwrite: true);
    }

    private static string Key(string dataset, string path) => dataset + "\n" + path;

    private string FileFor(string key) =>
        Path.Combine(directory!, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32] + ".json");
}
