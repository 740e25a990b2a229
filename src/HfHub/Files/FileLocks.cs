namespace HfHub.Files;

/// <summary>Exclusive lock files shared with the Python client (<c>.locks/…/&lt;etag&gt;.lock</c>, the shared store's <c>&lt;hash&gt;.lock</c>).</summary>
internal static class FileLocks
{
    /// <summary>
    /// Holds <paramref name="path"/> exclusively until the returned stream is disposed, waiting while another
    /// process holds it: forever by default (a download in progress elsewhere finishes), or up to
    /// <paramref name="timeout"/>, after which an <see cref="IOException"/> says the lock was not taken.
    /// </summary>
    public static async Task<FileStream> AcquireAsync(string path, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = timeout is { } limit ? DateTimeOffset.UtcNow + limit : DateTimeOffset.MaxValue;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Unix, the same lock the Python client's filelock uses.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
