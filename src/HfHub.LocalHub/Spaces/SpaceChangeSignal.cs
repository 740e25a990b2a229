namespace HfHub.LocalHub.Spaces;

/// <summary>
/// Wakes whoever waits on a Space: a task that completes whenever a stage changes or a log line is
/// written (open log streams wait on it instead of polling), and the count of streams following now.
/// </summary>
internal sealed class SpaceChangeSignal
{
    private TaskCompletionSource _changed = NewSignal();
    private int _openLogStreams;

    /// <summary>Completes at the next change; take it before reading, so that no change is missed in between.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>How many log streams are following right now (tests wait on it instead of sleeping).</summary>
    public int OpenLogStreams => Volatile.Read(ref _openLogStreams);

    public void LogStreamOpened() => Interlocked.Increment(ref _openLogStreams);

    public void LogStreamClosed() => Interlocked.Decrement(ref _openLogStreams);

    /// <summary>Completes the current <see cref="Changed"/> task and arms a new one.</summary>
    public void Pulse()
    {
        var old = Interlocked.Exchange(ref _changed, NewSignal());
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
