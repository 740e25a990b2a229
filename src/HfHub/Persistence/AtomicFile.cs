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
    public static void Install(string temp, string target, bool isDatabase)
    {
        ArgumentNullException.ThrowIfNull(temp);
        ArgumentNullException.ThrowIfNull(target);
        using (var flush = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
        {
            flush.Flush(flushToDisk: true);
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
