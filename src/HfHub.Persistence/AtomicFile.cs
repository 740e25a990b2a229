namespace HfHub.Persistence;

/// <summary>Atomic replacement of a local file by a verified temp file in the same folder.</summary>
public static class AtomicFile
{
    /// <summary>A temp file name beside <paramref name="target"/>, so the final rename stays on one file system.</summary>
    public static string TempBeside(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var full = Path.GetFullPath(target);
        var folder = Path.GetDirectoryName(full) ?? ".";
        return Path.Combine(folder, $".{Path.GetFileName(full)}.hfpersist-{Guid.NewGuid():N}.tmp");
    }

    /// <summary>
    /// Moves <paramref name="temp"/> over <paramref name="target"/> in one rename. For a database the
    /// target's <c>-wal</c>, <c>-shm</c> and <c>-journal</c> are removed first: an old WAL replayed onto
    /// a restored database corrupts it. The old database is checkpointed first, so a crash between the
    /// two steps leaves it whole. The caller must make sure no process has the target open.
    /// </summary>
    public static void Install(string temp, string target, bool isDatabase) => Install(temp, target, isDatabase, flushed: false);

    /// <summary>Writes a file's data through to the disk, so a rename over the target never exposes missing bytes after a crash.</summary>
    internal static void FlushToDisk(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        file.Flush(flushToDisk: true);
    }

    /// <summary><see cref="Install(string, string, bool)"/> for a temp file the caller has already flushed to disk.</summary>
    internal static void Install(string temp, string target, bool isDatabase, bool flushed)
    {
        ArgumentNullException.ThrowIfNull(temp);
        ArgumentNullException.ThrowIfNull(target);
        if (!flushed)
        {
            FlushToDisk(temp);
        }
        if (isDatabase || SqliteFiles.IsSqlite(target))
        {
            if (File.Exists(target + "-wal") && SqliteFiles.IsSqlite(target))
            {
                SqliteFiles.Checkpoint(target);
            }
            SqliteFiles.DeleteSidecars(target);
        }
        File.Move(temp, target, overwrite: true);
    }
}
