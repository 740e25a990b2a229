using Microsoft.Win32.SafeHandles;

namespace HfHub.Files;

/// <summary>
/// Flushes a file to disk on another thread while more data is still being written to it, so that
/// the flush a caller must do at the end (a persist restore has the bytes on disk before its rename)
/// finds only the last stretch left. On a VM, a flush costs about as much as the data written since
/// the last one, so spreading it over the transfer takes it off the end (bench/RESULTS.md). One flush
/// runs at a time; a failed one fails <see cref="CompleteAsync"/>, because once a flush has reported
/// a write error a later flush through another handle may not report it again.
/// </summary>
internal sealed class BackgroundFlush(SafeFileHandle file)
{
    /// <summary>How much is written between two flushes.</summary>
    public const long Stride = 64L << 20;

    private Task _running = Task.CompletedTask;
    private long _requestedAt;

    /// <summary>Tells how many bytes are written so far; starts a flush when a stride more is and none runs.</summary>
    public void Written(long total)
    {
        // A failed flush is kept (not replaced) so that CompleteAsync reports it.
        if (total - _requestedAt < Stride || !_running.IsCompleted || _running.IsFaulted)
        {
            return;
        }
        _requestedAt = total;
        _running = Task.Run(() => RandomAccess.FlushToDisk(file), CancellationToken.None);
    }

    /// <summary>Waits for the flush that is running, if any, and rethrows its error.</summary>
    public Task CompleteAsync() => _running;
}
