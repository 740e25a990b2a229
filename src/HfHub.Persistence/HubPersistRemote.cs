using System.Runtime.CompilerServices;
using HfHub.Files;
using HfHub.Http;
using HfHub.Repos;

namespace HfHub.Persistence;

/// <summary><see cref="IPersistRemote"/> over the Hub's HTTP API through <see cref="HubClient"/>.</summary>
internal sealed class HubPersistRemote(HubClient client, RepoId dataset) : IPersistRemote
{
    public string Dataset { get; } = dataset.ToString();

    public async Task<RemoteRepo?> GetAsync(string revision, CancellationToken cancellationToken)
    {
        try
        {
            var info = await client.Repos.GetInfoAsync(dataset, RepoType.Dataset, revision, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new RemoteRepo(info.Sha ?? throw new HubException($"the Hub did not say which commit {Dataset}@{revision} is at"), info.Private);
        }
        catch (HubNotFoundException e) when (e.ErrorCode is null or "RepoNotFound")
        {
            return null;
        }
    }

    public async Task<RemoteHead?> HeadAsync(string revision, string path, CancellationToken cancellationToken)
    {
        try
        {
            var meta = await client.Files.GetFileMetadataAsync(dataset, path, RepoType.Dataset, revision, cancellationToken).ConfigureAwait(false);
            // The etag is the SHA-256 for an LFS (or Xet) file, the git blob id for a small one (files.md §5.2).
            var etag = meta.Etag.ToLowerInvariant();
            return new RemoteHead(meta.CommitHash, meta.IsLfs ? new RemoteFile(path, meta.Size, null, etag) : new RemoteFile(path, meta.Size, etag, null));
        }
        catch (HubNotFoundException e) when (e.ErrorCode is null or "RepoNotFound" or "EntryNotFound")
        {
            return null;
        }
    }

    public async Task CreatePrivateAsync(CancellationToken cancellationToken) =>
        await client.Repos.CreateAsync(dataset, new CreateRepoOptions { Type = RepoType.Dataset, Private = true, ExistOk = true }, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyDictionary<string, RemoteFile>> PathsInfoAsync(string revision, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var entries = await client.Files.GetPathsInfoAsync(dataset, paths, RepoType.Dataset, revision, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entries
            .Where(e => e.IsFile)
            .ToDictionary(e => e.Path, e => new RemoteFile(e.Path, e.Size, e.Oid, e.Lfs?.Oid), StringComparer.Ordinal);
    }

    // Raw bytes straight into the caller's (hashing) stream: the caller verifies them against the manifest.
    public Task DownloadAsync(string path, string revision, Stream destination, CancellationToken cancellationToken) =>
        client.Files.DownloadToStreamAsync(dataset, path, destination, RepoType.Dataset, revision, cancellationToken);

    public async Task<string?> DownloadToFileAsync(RemoteFile file, string commit, string destination, CancellationToken cancellationToken)
    {
        // The files client streams with hashing on a second core, resumes broken transfers and
        // checks the bytes against the Hub's hash before the file gets its name. The restore flushes
        // the file to disk before its rename, so it is flushed in the background as it arrives.
        var hash = file.LfsSha256 ?? file.Oid;
        var known = new FileMetadata(commit, hash ?? "", file.Size, null);
        await client.Files.DownloadToPathAsync(dataset, file.Path, destination, RepoType.Dataset, known, progress: null, flushWhileDownloading: true, cancellationToken).ConfigureAwait(false);
        return hash is { Length: 64 or 40 } && hash.All(char.IsAsciiHexDigit) ? hash.ToLowerInvariant() : null;
    }

    public async Task<string> CommitAsync(string branch, string message, string parentCommit, IReadOnlyList<RemoteUpload> uploads, IReadOnlyList<string> deletions, CancellationToken cancellationToken, Func<CancellationToken, Task>? beforeCommit = null)
    {
        var commit = new CommitBuilder(message) { ParentCommit = parentCommit };
        foreach (var upload in uploads)
        {
            if (upload.LocalFile is { } file)
            {
                _ = upload.Digest is { } digest ? commit.AddFile(upload.Path, file, digest) : commit.AddFile(upload.Path, file);
            }
            else
            {
                commit.AddFile(upload.Path, upload.Content ?? []);
            }
        }
        foreach (var path in deletions)
        {
            commit.DeleteFile(path);
        }
        var result = await client.Files.CommitAsync(dataset, commit, new CommitOptions { Type = RepoType.Dataset, Revision = branch, BeforeCommit = beforeCommit }, cancellationToken).ConfigureAwait(false);
        return result.CommitOid;
    }

    public async IAsyncEnumerable<RemoteCommit> CommitsAsync(string revision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var commit in client.Files.ListCommitsAsync(dataset, RepoType.Dataset, revision, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return new RemoteCommit(commit.Id, commit.Title, commit.Date);
        }
    }

    public Task SuperSquashAsync(string branch, string message, CancellationToken cancellationToken) =>
        client.Files.SuperSquashAsync(dataset, branch, message, RepoType.Dataset, cancellationToken);
}
