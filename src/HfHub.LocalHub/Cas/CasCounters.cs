namespace HfHub.LocalHub.Cas;

/// <summary>Counts of what the CAS and the LFS storage received, for tests and <c>GET /_localhub/xet</c>.</summary>
public sealed class CasCounters
{
    private long _xorbUploads;
    private long _xorbsStored;
    private long _shardUploads;
    private long _filesRegistered;
    private long _dedupeQueries;
    private long _reconstructions;
    private long _xorbRangeRequests;
    private long _bridgeDownloads;
    private long _lfsUploads;

    /// <summary>Xorb POSTs accepted (new or already stored).</summary>
    public long XorbUploads => Interlocked.Read(ref _xorbUploads);
    public long XorbsStored => Interlocked.Read(ref _xorbsStored);
    public long ShardUploads => Interlocked.Read(ref _shardUploads);
    public long FilesRegistered => Interlocked.Read(ref _filesRegistered);
    public long DedupeQueries => Interlocked.Read(ref _dedupeQueries);
    public long Reconstructions => Interlocked.Read(ref _reconstructions);
    /// <summary>GETs of signed xorb range URLs (a Xet download's data).</summary>
    public long XorbRangeRequests => Interlocked.Read(ref _xorbRangeRequests);
    /// <summary>Downloads of reconstructed bytes through the resolve bridge (clients that do not speak Xet).</summary>
    public long BridgeDownloads => Interlocked.Read(ref _bridgeDownloads);
    /// <summary>LFS basic PUTs and multipart part PUTs that stored data.</summary>
    public long LfsUploads => Interlocked.Read(ref _lfsUploads);

    internal void XorbUploaded(bool stored)
    {
        Interlocked.Increment(ref _xorbUploads);
        if (stored)
        {
            Interlocked.Increment(ref _xorbsStored);
        }
    }

    internal void ShardUploaded(int newFiles)
    {
        Interlocked.Increment(ref _shardUploads);
        Interlocked.Add(ref _filesRegistered, newFiles);
    }

    internal void DedupeQueried() => Interlocked.Increment(ref _dedupeQueries);
    internal void Reconstructed() => Interlocked.Increment(ref _reconstructions);
    internal void XorbRangeServed() => Interlocked.Increment(ref _xorbRangeRequests);
    internal void Bridged() => Interlocked.Increment(ref _bridgeDownloads);
    internal void LfsUploaded() => Interlocked.Increment(ref _lfsUploads);
}
