using HfHub.Repos;

namespace HfHub.Persistence;

/// <summary><see cref="IPersistRemote"/> over the Hub's HTTP API through <see cref="HubClient"/>.</summary>
internal sealed class HubPersistRemote(HubClient client, RepoId dataset) : IPersistRemote
{
    public string Dataset { get; } = dataset.ToString();

    internal HubClient Client { get; } = client;

    public Task<RemoteRepo?> GetAsync(string revision, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task CreatePrivateAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyDictionary<string, RemoteFile>> PathsInfoAsync(string revision, IReadOnlyList<string> paths, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task DownloadAsync(string path, string revision, Stream destination, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<string> CommitAsync(string branch, string message, string parentCommit, IReadOnlyList<RemoteUpload> uploads, IReadOnlyList<string> deletions, CancellationToken cancellationToken) => throw new NotSupportedException();

    public IAsyncEnumerable<RemoteCommit> CommitsAsync(string revision, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task SuperSquashAsync(string branch, string message, CancellationToken cancellationToken) => throw new NotSupportedException();
}
