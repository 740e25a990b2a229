namespace HfHub.Persistence;

/// <summary>
/// Size and modification time of a file and its <c>-wal</c>. Every committed SQLite write changes
/// one of them. It is only <see cref="Trusted"/> when the newest modification is a few seconds older
/// than the moment it was read: file times tick coarsely, so a write in the same tick as a recent
/// modification could otherwise go unnoticed (git's "racy clean" problem).
/// </summary>
internal readonly record struct LocalFingerprint(string Value, bool Trusted)
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(2);

    public static LocalFingerprint Read(string path)
    {
        var now = DateTime.UtcNow;
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return new LocalFingerprint("", Trusted: false);
        }
        var wal = new FileInfo(path + "-wal");
        var newest = wal.Exists && wal.LastWriteTimeUtc > file.LastWriteTimeUtc ? wal.LastWriteTimeUtc : file.LastWriteTimeUtc;
        var value = $"{file.Length}:{file.LastWriteTimeUtc.Ticks}:{(wal.Exists ? wal.Length : -1)}:{(wal.Exists ? wal.LastWriteTimeUtc.Ticks : 0)}";
        return new LocalFingerprint(value, now - newest > QuietPeriod);
    }
}
