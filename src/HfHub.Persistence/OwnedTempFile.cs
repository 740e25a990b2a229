namespace HfHub.Persistence;

/// <summary>
/// A temp file that a killed process must not leave behind for good. Its owner holds an exclusive
/// lock (an flock on Unix) on <c>&lt;temp&gt;.lock</c> while it works; a later operation in the same
/// folder removes every such temp file whose lock nobody holds. A live owner in any process keeps it.
/// </summary>
internal sealed class OwnedTempFile : IDisposable
{
    private const string LockSuffix = ".lock";

    // Files an operation may leave next to its temp file: SQLite's side files and a download's part file.
    private static readonly string[] Companions = [.. SqliteFiles.SidecarSuffixes, ".incomplete"];

    private readonly FileStream _lock;

    private OwnedTempFile(string path)
    {
        Path = path;
        _lock = new FileStream(path + LockSuffix, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
    }

    /// <summary>The temp file's path (the file itself is created by the caller).</summary>
    public string Path { get; }

    /// <summary>
    /// Claims <paramref name="path"/> after removing the abandoned temp files in its folder that
    /// match <paramref name="searchPattern"/> (a pattern of temp file names, without the lock suffix).
    /// </summary>
    public static OwnedTempFile Claim(string path, string searchPattern)
    {
        SweepAbandoned(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".", searchPattern);
        return new OwnedTempFile(path);
    }

    /// <summary>Deletes the temp file and its companions, then gives up the claim.</summary>
    public void Dispose()
    {
        DeleteWithCompanions(Path);
        TryDelete(Path + LockSuffix);
        _lock.Dispose();
    }

    private static void SweepAbandoned(string folder, string searchPattern)
    {
        List<string> locks;
        try
        {
            locks = [.. Directory.EnumerateFiles(folder, searchPattern + LockSuffix)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var lockPath in locks)
        {
            try
            {
                using (new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    DeleteWithCompanions(lockPath[..^LockSuffix.Length]);
                    File.Delete(lockPath);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Locked: its owner is alive (or it just went away).
            }
        }
    }

    private static void DeleteWithCompanions(string path)
    {
        TryDelete(path);
        foreach (var suffix in Companions)
        {
            TryDelete(path + suffix);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
