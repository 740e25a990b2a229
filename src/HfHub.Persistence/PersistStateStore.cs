using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HfHub.Persistence;

/// <summary>
/// Remembers, per local file and dataset path, the content that file last restored or saved (the
/// "base" a save must still find remotely). The writer is the local file, not the process or the
/// machine: two local files saved to one path are two writers, and a process restarted beside a
/// file it kept goes on where the last one stopped.
/// <para>
/// The record lives beside the local file, in <c>.&lt;name&gt;.hfpersist.json</c> (for a folder,
/// beside the folder), so it lasts exactly as long as the file it describes: a container that loses
/// the file loses the record with it, and one that keeps the file keeps the record. With a state
/// directory it lives there instead, one file per local path. Written to a temp file, flushed to
/// disk, then renamed, so a crash leaves the old record or the new one.
/// </para>
/// </summary>
internal sealed class PersistStateStore(string? directory)
{
    /// <summary>The suffix of the state file beside a local file or folder.</summary>
    public const string Suffix = ".hfpersist.json";

    private readonly Lock _gate = new();

    public PersistState? Get(string dataset, string path, string localPath)
    {
        var full = FullPath(localPath);
        lock (_gate)
        {
            return Read(FileFor(full)).FirstOrDefault(s => s.Dataset == dataset && s.Path == path && (s.LocalPath is null || s.LocalPath == full));
        }
    }

    /// <summary>Records <paramref name="state"/> for <paramref name="localPath"/>; throws <see cref="PersistenceException"/> when it cannot be written.</summary>
    public void Set(string localPath, PersistState state)
    {
        var full = FullPath(localPath);
        state = state with { LocalPath = full };
        var file = FileFor(full);
        lock (_gate)
        {
            var states = Read(file);
            states.RemoveAll(s => s.Dataset == state.Dataset && s.Path == state.Path);
            states.Add(state);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                // One fixed temp name: a killed write leaves at most one stray file, replaced by the next write.
                var temp = file + ".tmp";
                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    JsonSerializer.Serialize(stream, states, PersistenceJsonContext.Default.ListPersistState);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temp, file, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new PersistenceException($"cannot record which version of {state.Dataset}:{state.Path} '{localPath}' holds, in {file}: {e.Message} (make the folder writable, or set PersistenceOptions.StateDirectory)", e);
            }
        }
    }

    /// <summary>Where the record of <paramref name="localPath"/> lives.</summary>
    public string FileFor(string localPath)
    {
        var full = FullPath(localPath);
        if (directory is not null)
        {
            return Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..32] + ".json");
        }
        return Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}{Suffix}");
    }

    private static string FullPath(string localPath) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(localPath));

    private static List<PersistState> Read(string file)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(file), PersistenceJsonContext.Default.ListPersistState) ?? [];
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            // Unknown or unreadable: behave as a writer that has never seen the path (a changed remote then needs Force).
            return [];
        }
    }
}
