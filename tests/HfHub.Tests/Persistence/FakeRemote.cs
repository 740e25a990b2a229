using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using HfHub.Http;
using HfHub.Persistence;

namespace HfHub.Tests.Persistence;

/// <summary>
/// An in-memory dataset with the Hub's commit rules (parentCommit → 412), for the manager's
/// decision logic only; end-to-end behaviour is tested against the local hub.
/// </summary>
internal sealed class FakeRemote(string dataset = "me/data") : IPersistRemote
{
    private readonly object _lock = new();
    private readonly List<(RemoteCommit Commit, Dictionary<string, byte[]> Files)> _commits = [];

    public string Dataset { get; } = dataset;
    public bool Exists { get; set; }
    public bool Private { get; set; } = true;
    public int CommitCalls { get; private set; }

    /// <summary>Runs just before a commit is applied: lets a test slip in another writer's commit.</summary>
    public Action? BeforeCommit { get; set; }

    public string Head { get { lock (_lock) { return _commits[^1].Commit.Id; } } }

    public Dictionary<string, byte[]> FilesAt(string revision)
    {
        lock (_lock)
        {
            return _commits.Last(c => c.Commit.Id == revision || revision == "main").Files;
        }
    }

    public void CorruptStored(string path)
    {
        lock (_lock)
        {
            var bytes = _commits[^1].Files[path];
            bytes[bytes.Length / 2] ^= 0xFF;
        }
    }

    public string DirectCommit(string path, byte[] content)
    {
        lock (_lock)
        {
            var files = new Dictionary<string, byte[]>(_commits[^1].Files) { [path] = content };
            return Append("someone else", files);
        }
    }

    public Task<RemoteRepo?> GetAsync(string revision, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!Exists)
            {
                return Task.FromResult<RemoteRepo?>(null);
            }
            var found = _commits.LastOrDefault(c => c.Commit.Id == revision || revision == "main");
            if (found.Commit is null)
            {
                throw new HubNotFoundException($"revision {revision} not found", "RevisionNotFound", null, null);
            }
            return Task.FromResult<RemoteRepo?>(new RemoteRepo(found.Commit.Id, Private));
        }
    }

    public async Task<RemoteHead?> HeadAsync(string revision, string path, CancellationToken cancellationToken)
    {
        if (await GetAsync(revision, cancellationToken) is not { } repo)
        {
            return null;
        }
        // Like the Hub's HEAD: an LFS file tells its SHA-256 only, a small file its git blob id.
        var files = await PathsInfoAsync(repo.Sha, [path], cancellationToken);
        return files.TryGetValue(path, out var file) ? new RemoteHead(repo.Sha, file.LfsSha256 is null ? file : file with { Oid = null }) : null;
    }

    public Task CreatePrivateAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Exists = true;
            Private = true;
            Append("initial commit", new Dictionary<string, byte[]>());
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, RemoteFile>> PathsInfoAsync(string revision, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var files = FilesAt(revision);
        IReadOnlyDictionary<string, RemoteFile> result = paths.Where(files.ContainsKey).ToDictionary(
            p => p,
            p => new RemoteFile(p, files[p].Length, "git" + Convert.ToHexStringLower(SHA256.HashData(files[p])), p.EndsWith(".json") ? null : Convert.ToHexStringLower(SHA256.HashData(Original(p, files[p])))));
        return Task.FromResult(result);
    }

    // LFS oids are recorded at upload; corruption later must not change them.
    private readonly Dictionary<byte[], byte[]> _originals = new(ReferenceEqualityComparer.Instance);

    private byte[] Original(string path, byte[] bytes)
    {
        lock (_lock)
        {
            return _originals.TryGetValue(bytes, out var original) ? original : bytes;
        }
    }

    public async Task DownloadAsync(string path, string revision, Stream destination, CancellationToken cancellationToken) =>
        await destination.WriteAsync(FilesAt(revision)[path], cancellationToken);

    public async Task<string?> DownloadToFileAsync(RemoteFile file, string commit, string destination, CancellationToken cancellationToken)
    {
        await File.WriteAllBytesAsync(destination, FilesAt(commit)[file.Path], cancellationToken);
        return null; // unverified: the manager checks the bytes itself
    }

    public async Task<string> CommitAsync(string branch, string message, string parentCommit, IReadOnlyList<RemoteUpload> uploads, IReadOnlyList<string> deletions, CancellationToken cancellationToken, Func<CancellationToken, Task>? beforeCommit = null)
    {
        CommitCalls++;
        var contents = new Dictionary<string, byte[]>();
        foreach (var upload in uploads)
        {
            contents[upload.Path] = upload.Content ?? await File.ReadAllBytesAsync(upload.LocalFile!, cancellationToken);
        }
        if (beforeCommit is not null)
        {
            await beforeCommit(cancellationToken);
        }
        BeforeCommit?.Invoke();
        BeforeCommit = null;
        lock (_lock)
        {
            if (_commits[^1].Commit.Id != parentCommit)
            {
                throw new HubConflictException("The branch was updated since you opened this page. Please refresh and try again.", 412, null, null, null);
            }
            var files = new Dictionary<string, byte[]>(_commits[^1].Files);
            foreach (var (path, bytes) in contents)
            {
                var copy = bytes.ToArray();
                _originals[copy] = bytes.ToArray();
                files[path] = copy;
            }
            return Append(message, files);
        }
    }

    public async IAsyncEnumerable<RemoteCommit> CommitsAsync(string revision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<RemoteCommit> commits;
        lock (_lock)
        {
            commits = [.. _commits.Select(c => c.Commit).Reverse()];
        }
        foreach (var commit in commits)
        {
            await Task.Yield();
            yield return commit;
        }
    }

    public Task SuperSquashAsync(string branch, string message, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var files = _commits[^1].Files;
            _commits.Clear();
            Append(message, files);
        }
        return Task.CompletedTask;
    }

    private string Append(string title, Dictionary<string, byte[]> files)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        _commits.Add((new RemoteCommit(id, title, DateTimeOffset.UtcNow), files));
        return id;
    }
}
