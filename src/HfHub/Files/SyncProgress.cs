namespace HfHub.Files;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls <paramref name="report"/> at once on the reporting thread.
/// Unlike <see cref="Progress{T}"/> it posts nothing to a synchronisation context, so reports arrive
/// in order and none is still pending when the operation returns.
/// </summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => report(value);
}
