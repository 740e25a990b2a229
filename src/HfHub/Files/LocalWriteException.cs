namespace HfHub.Files;

/// <summary>
/// Writing a file on this machine failed (a full disk, a read-only or vanished folder). Unlike a
/// broken connection this is not transient: it is surfaced at once, never retried.
/// </summary>
public sealed class LocalWriteException : IOException
{
    private LocalWriteException(string message, string path, IOException innerException)
        : base(message, innerException)
    {
        Path = path;
        HResult = innerException.HResult;
    }

    /// <summary>The file that could not be written.</summary>
    public string Path { get; }

    /// <summary>True when the device is full (ENOSPC; ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows).</summary>
    public bool DiskFull => IsDiskFull(InnerException as IOException);

    /// <summary>
    /// Wraps a failed local write. <paramref name="kept"/> names what was left behind on purpose
    /// (the partial file a resume continues from), so the message can say so.
    /// </summary>
    public static LocalWriteException From(IOException error, string path, string? kept = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var what = IsDiskFull(error) ? $"no space left on device: {path}" : $"could not write {path}: {error.Message}";
        var left = kept is null ? "" : $" (the partial file {kept} is kept so that a re-run resumes; free space and run it again)";
        return new LocalWriteException(what + left, path, error);
    }

    private static bool IsDiskFull(IOException? error) =>
        error is not null && (error.HResult == 28 /* ENOSPC on Linux and macOS */
            || error.HResult == unchecked((int)0x80070070) || error.HResult == unchecked((int)0x80070027));
}
