using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HfHub.Files;

/// <summary>
/// Starts writing a file's pages to disk while more data is still arriving, so that a flush to disk
/// at the end (a persist restore must have the bytes on disk before it renames) has less left to
/// write. It only starts the writes: waiting for them as well slowed the download down more than it
/// saved (bench/RESULTS.md). Linux only (<c>sync_file_range</c>); elsewhere, or if the call fails,
/// nothing happens and the final flush does all the work, as without it.
/// </summary>
internal static partial class DiskWriteBack
{
    /// <summary>How much is written between two write-back requests.</summary>
    public const long Stride = 32L << 20;

    private const uint SyncFileRangeWrite = 2;

    /// <summary>Asks the kernel to start writing <paramref name="length"/> bytes at <paramref name="offset"/>, without waiting.</summary>
    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
        {
            return;
        }
        try
        {
            _ = sync_file_range((int)file.DangerousGetHandle(), offset, length, SyncFileRangeWrite);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);
}
