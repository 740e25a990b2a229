using System.Runtime.CompilerServices;
using HfHub.Http;
using HfHub.Repos;
using Microsoft.Extensions.Logging;

namespace HfHub.Persistence;

/// <summary>
/// Keeps local files (SQLite databases included) in a private dataset on the Hub: restore at
/// start-up, save on change. Saves upload a consistent snapshot, never the live file, skip unchanged
/// content, and never overwrite another writer's version silently; restores verify the SHA-256
/// recorded at save and the database's integrity before an atomic rename.
/// <code>
/// using var persistence = new PersistenceManager("me/app-data");
/// await persistence.RestoreAsync("db/data.sqlite", "./local_data.db", new() { IfLocalMissing = true, IfRemoteExists = true });
/// await persistence.SaveAsync("./local_data.db", "db/data.sqlite");
/// </code>
/// Conflicts: every save carries the head it read as <c>parentCommit</c>. When the Hub refuses it
/// because another commit landed meanwhile, the save re-reads the head; if that commit changed the
/// same path, it fails with <see cref="HubConflictException"/> (nothing written, nothing lost);
/// otherwise it retries on the new head. A save also fails with a conflict when the path's remote
/// content is not the one this writer last restored or saved (unless <see cref="SaveOptions.Force"/>).
/// </summary>
public sealed partial class PersistenceManager : IDisposable
{
    private readonly IPersistRemote? _datasetRemote;
    private readonly BucketPersistRemote? _bucket;
    private readonly HubClient? _ownedClient;
    private readonly PersistStateStore _state;
    private readonly SemaphoreSlim _saveGate = new(1, 1);

    /// <summary>
    /// Creates a manager for a dataset (<c>namespace/name</c>) or a bucket (<c>hf://buckets/namespace/name[/prefix]</c>);
    /// the client comes from the options or the environment.
    /// </summary>
    public PersistenceManager(string target, PersistenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        Options = options ?? new PersistenceOptions();
        var bucket = target.StartsWith(HfUri.Scheme, StringComparison.Ordinal) ? ParseBucket(target) : null;
        var id = bucket is null ? ParseDataset(target) : null;
        var client = Options.Client;
        if (client is null)
        {
            client = _ownedClient = new HubClient(Options.ClientOptions);
        }
        if (bucket is not null)
        {
            _bucket = new BucketPersistRemote(client, Buckets.BucketId.Parse(bucket.Id), bucket.Path);
        }
        else
        {
            _datasetRemote = new HubPersistRemote(client, id!);
        }
        _state = new PersistStateStore(Options.StateDirectory);
    }

    internal PersistenceManager(IPersistRemote remote, PersistenceOptions options)
    {
        _datasetRemote = remote;
        Options = options;
        _state = new PersistStateStore(options.StateDirectory);
    }

    /// <summary>
    /// A manager for a bucket: <c>namespace/name</c>, <c>namespace/name/prefix</c> or
    /// <c>hf://buckets/namespace/name[/prefix]</c>. Everything it writes goes under the prefix.
    /// </summary>
    public static PersistenceManager ForBucket(string bucket, PersistenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        return new PersistenceManager(ParseBucket(bucket).ToString(), options);
    }

    /// <summary>What the manager saves to: the dataset id, or the bucket's <c>hf://buckets/…</c> URI.</summary>
    public string Target => _bucket?.Uri ?? _datasetRemote!.Dataset;

    /// <summary>The dataset, <c>namespace/name</c>; for a bucket target the same as <see cref="Target"/>.</summary>
    public string Dataset => Target;

    /// <summary>True when the target is a bucket (rolling versions and a pointer object) rather than a dataset (commits).</summary>
    public bool IsBucket => _bucket is not null;

    private IPersistRemote DatasetRemote => _datasetRemote ?? throw new PersistenceException($"{Target} is a bucket: folders, squashes and git revisions are for datasets");

    /// <summary>The options in use.</summary>
    public PersistenceOptions Options { get; }

    private ILogger? Logger => Options.Logger;

    /// <summary>
    /// Validates a bucket target: <c>namespace/name[/prefix]</c> or <c>hf://buckets/namespace/name[/prefix]</c>;
    /// throws <see cref="PersistenceException"/> with a one-line reason.
    /// </summary>
    public static HfUri ParseBucket(string bucket)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var text = bucket.StartsWith(HfUri.Scheme, StringComparison.Ordinal) ? bucket : HfUri.Scheme + "buckets/" + bucket;
        if (!HfUri.TryParse(text, out var uri, out var error))
        {
            throw new PersistenceException(error);
        }
        if (!uri.IsBucket)
        {
            throw new PersistenceException($"'{bucket}' is not a bucket: use namespace/name[/prefix] or hf://buckets/namespace/name[/prefix]");
        }
        if (uri.Path.Length > 0 && Buckets.BucketPaths.Problem(uri.Path) is { } problem)
        {
            throw new PersistenceException($"invalid bucket prefix '{uri.Path}': {problem}");
        }
        return uri;
    }

    /// <summary>Validates a dataset id; throws <see cref="PersistenceException"/> with a one-line reason.</summary>
    public static RepoId ParseDataset(string dataset)
    {
        if (!RepoId.TryParse(dataset, out var id, out var error))
        {
            throw new PersistenceException(error);
        }
        if (id.Namespace is null)
        {
            throw new PersistenceException($"invalid dataset id '{dataset}': use 'namespace/name' (your user or organisation first)");
        }
        return id;
    }

    /// <summary>
    /// Saves a local file to <paramref name="remotePath"/> in the dataset, as one commit holding the
    /// snapshot and its manifest. Unchanged content makes no commit (<see cref="SaveResult.SkippedUnchanged"/>).
    /// </summary>
    public async Task<SaveResult> SaveAsync(string localPath, string remotePath, SaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(localPath);
        options ??= new SaveOptions();
        var path = PersistPath.Normalize(remotePath);
        await _saveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_bucket is not null)
            {
                return await SaveToBucketAsync(_bucket, localPath, path, options, cancellationToken).ConfigureAwait(false);
            }
            var fingerprint = LocalFingerprint.Read(localPath);
            if (await TryFastSkipAsync(localPath, path, fingerprint, cancellationToken).ConfigureAwait(false) is { } skipped)
            {
                return skipped;
            }
            // What the dataset holds is read while the snapshot is taken. Only read: a dataset that does
            // not exist yet is created once there is a snapshot to put in it.
            var remoteAhead = PeekRemoteAsync(path, cancellationToken);
            LocalSnapshot taken;
            try
            {
                // The snapshot's integrity check runs while it uploads; the commit waits for it to pass.
                taken = await LocalSnapshot.TakeAsync(localPath, Options.TempDirectory, Options.BusyTimeout, deferIntegrityCheck: true, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await remoteAhead.ConfigureAwait(false);
                throw;
            }
            using var snapshot = taken;
            var result = await CommitSnapshotAsync(localPath, snapshot, path, options, await remoteAhead.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (fingerprint.Trusted)
            {
                // The snapshot started after this fingerprint was read, so it holds everything the fingerprint describes.
                _state.Set(localPath, _state.Get(Dataset, path, localPath)! with { LocalFingerprint = fingerprint.Value });
            }
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger?.LogError(e, "saving {Local} to {Dataset}:{Path} failed: {Message}", localPath, Dataset, path, e.Message);
            throw;
        }
        finally
        {
            _saveGate.Release();
        }
    }

    /// <summary>
    /// An unchanged file (same size and modification times as at the last save, which was taken
    /// while the file was quiet) whose saved content is still the dataset's head is skipped without
    /// a snapshot: a 1 GiB database then costs two small requests instead of a full copy and hash.
    /// </summary>
    private async Task<SaveResult?> TryFastSkipAsync(string localPath, string path, LocalFingerprint fingerprint, CancellationToken cancellationToken)
    {
        var known = _state.Get(Dataset, path, localPath);
        if (known is not { Sha256: { } sha, PendingSha256: null, LocalFingerprint: { } recorded } || recorded != fingerprint.Value)
        {
            return null;
        }
        var repo = await EnsureWritableDatasetAsync(cancellationToken).ConfigureAwait(false);
        var current = await ReadRemoteAsync(repo.Sha, path, cancellationToken).ConfigureAwait(false);
        if (current?.Sha256 != sha)
        {
            return null;
        }
        Logger?.LogInformation("{Dataset}:{Path} unchanged since the last save ({Size} bytes), no commit", Dataset, path, current.File.Size);
        return new SaveResult(path, repo.Sha, current.File.Size, sha, SkippedUnchanged: true, current.Kind ?? SnapshotKind.File);
    }

    /// <summary>
    /// The dataset's head and the path's version there, or null when the dataset does not exist or
    /// cannot be read now (the save then reads it again the usual way and reports what is wrong).
    /// </summary>
    private async Task<(RemoteRepo Repo, RemoteVersion? Current)?> PeekRemoteAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var repo = await DatasetRemote.GetAsync(Options.Branch, cancellationToken).ConfigureAwait(false);
            return repo is null ? null : (repo, await ReadRemoteAsync(repo.Sha, path, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception)
        {
            // Whatever went wrong happens again, and is reported, when the save reads the dataset itself.
            return null;
        }
    }

    /// <param name="localPath">The local file the snapshot was taken of (the writer).</param>
    /// <param name="snapshot">What to save.</param>
    /// <param name="path">Where in the dataset.</param>
    /// <param name="options">The save's options.</param>
    /// <param name="peeked">The dataset as read while the snapshot was taken, for the first attempt; if
    /// someone commits after it was read, the commit is refused (its parent is stale) and the next attempt reads again.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    private async Task<SaveResult> CommitSnapshotAsync(string localPath, LocalSnapshot snapshot, string path, SaveOptions options, (RemoteRepo Repo, RemoteVersion? Current)? peeked, CancellationToken cancellationToken)
    {
        var digest = snapshot.Digest;
        var manifestPath = PersistPath.ManifestFor(path);
        var known = _state.Get(Dataset, path, localPath);
        string? localGitOid = null;
        RemoteVersion? seen = null;
        for (var attempt = 1; ; attempt++)
        {
            RemoteRepo repo;
            RemoteVersion? current;
            if (attempt == 1 && peeked is { } ahead)
            {
                repo = CheckNotPublic(ahead.Repo);
                current = ahead.Current;
            }
            else
            {
                repo = await EnsureWritableDatasetAsync(cancellationToken).ConfigureAwait(false);
                current = await ReadRemoteAsync(repo.Sha, path, cancellationToken).ConfigureAwait(false);
            }
            if (seen is not null && !SameContent(seen, current))
            {
                // Our commit was refused and the path itself changed meanwhile: someone else saved it.
                throw Conflict(path, $"{path} was changed in {Dataset} by another writer while this save was running (now at {Short(repo.Sha)}); nothing was written, the local file is unchanged");
            }
            seen = current;
            if (current is not null)
            {
                if (current.Sha256 is null && localGitOid is null)
                {
                    localGitOid = await FileDigest.GitBlobIdAsync(snapshot.Path, cancellationToken).ConfigureAwait(false);
                }
                if (current.Sha256 == digest.Sha256 || (current.Sha256 is null && current.File.Oid == localGitOid))
                {
                    _state.Set(localPath, new PersistState(Dataset, path, digest.Sha256, null));
                    Logger?.LogInformation("{Dataset}:{Path} unchanged ({Size} bytes), no commit", Dataset, path, digest.Size);
                    return new SaveResult(path, repo.Sha, digest.Size, digest.Sha256, SkippedUnchanged: true, snapshot.Kind);
                }
                var knownShas = known is null ? [] : new[] { known.Sha256, known.PendingSha256 };
                if (!options.Force && !knownShas.Contains(current.ContentId))
                {
                    throw Conflict(path, known is null
                        ? $"{path} already exists in {Dataset} and '{localPath}' was never restored from it or saved to it; nothing was written; restore it first, or force the save to replace it (the current version stays in the history)"
                        : $"{path} was changed in {Dataset} by another writer since '{localPath}' was last restored or saved; nothing was written; restore it first, or force the save to replace it (their version stays in the history)");
                }
            }
            // Remember what we are about to write before writing it: a process killed after the commit
            // landed but before it could record it must not make its own next save look like a conflict.
            _state.Set(localPath, new PersistState(Dataset, path, current is null ? known?.Sha256 : current.ContentId, digest.Sha256));
            var manifest = new PersistManifest
            {
                SavedAt = DateTimeOffset.UtcNow,
                Files = { [path] = new ManifestEntry(digest.Sha256, digest.Size, snapshot.Kind) },
            };
            try
            {
                var commit = await DatasetRemote.CommitAsync(
                    Options.Branch,
                    options.Message ?? $"persist: {path}",
                    repo.Sha,
                    [new RemoteUpload(path, snapshot.Path, null, snapshot.Content), new RemoteUpload(manifestPath, null, manifest.ToBytes())],
                    [],
                    cancellationToken,
                    _ => snapshot.VerifiedAsync()).ConfigureAwait(false);
                _state.Set(localPath, new PersistState(Dataset, path, digest.Sha256, null));
                Logger?.LogInformation("saved {Dataset}:{Path} ({Size} bytes) as commit {Commit}", Dataset, path, digest.Size, commit);
                var squashed = await ApplyRetentionAsync(cancellationToken).ConfigureAwait(false);
                return new SaveResult(path, squashed ?? commit, digest.Size, digest.Sha256, SkippedUnchanged: false, snapshot.Kind, squashed is not null);
            }
            catch (HubConflictException e) when (attempt < Options.MaxAttempts)
            {
                // 412: the head moved (maybe only other paths); 409: a commit is in progress. Re-read and decide.
                Logger?.LogWarning("commit of {Dataset}:{Path} refused ({Status}), re-reading the head (attempt {Attempt})", Dataset, path, e.Status, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Restores <paramref name="remotePath"/> to a local file: download to a temp file beside it,
    /// verify the SHA-256 recorded at save, run <c>PRAGMA integrity_check</c> on a database, then
    /// rename over the target (removing a stale <c>-wal</c>/<c>-shm</c>). On any failure the local file is untouched.
    /// </summary>
    public async Task<RestoreResult> RestoreAsync(string remotePath, string localPath, RestoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(localPath);
        options ??= new RestoreOptions();
        var path = PersistPath.Normalize(remotePath);
        try
        {
            if (Directory.Exists(localPath))
            {
                throw new PersistenceException($"'{localPath}' is a directory, not a file");
            }
            if (File.Exists(localPath))
            {
                if (options.IfLocalMissing)
                {
                    Logger?.LogInformation("{Local} exists, not restoring {Dataset}:{Path}", localPath, Dataset, path);
                    return new RestoreResult(path, RestoreOutcome.SkippedLocalExists, null, 0, null);
                }
                if (!options.Overwrite)
                {
                    throw new PersistenceLocalExistsException(localPath, $"local file '{localPath}' exists; refusing to replace it (RestoreOptions.Overwrite replaces it, IfLocalMissing keeps it)");
                }
            }
            if (_bucket is not null)
            {
                return await RestoreFromBucketAsync(_bucket, path, localPath, options, cancellationToken).ConfigureAwait(false);
            }
            var revision = options.Revision ?? Options.Branch;
            // SQLite is loaded while the Hub answers, so the integrity check after the download starts warm.
            SqliteFiles.PrepareInBackground();
            // One HEAD gives the commit and, for an LFS file, the SHA-256 to verify against: no manifest is
            // needed (the file's header says SQLite or not). A small file's SHA-256 is in the manifest, read at that commit.
            var head = await HeadAsync(revision, path, options.IfRemoteExists, cancellationToken).ConfigureAwait(false);
            var remote = head is null ? null
                : head.File.LfsSha256 is { } sha256 ? new RemoteVersion(head.File, sha256, null)
                : await ReadRemoteAsync(head.Commit, path, cancellationToken, kindNeeded: false).ConfigureAwait(false);
            if (head is null || remote is null)
            {
                if (options.IfRemoteExists)
                {
                    Logger?.LogInformation("{Dataset}:{Path} does not exist yet, nothing to restore", Dataset, path);
                    return new RestoreResult(path, RestoreOutcome.SkippedRemoteMissing, null, 0, null);
                }
                throw new HubNotFoundException($"{path} does not exist in {Dataset} at {revision}", "EntryNotFound", null, null);
            }
            var digest = await DownloadVerifiedAsync(remote, localPath, (temp, ct) => DatasetRemote.DownloadToFileAsync(remote.File, head.Commit, temp, ct), cancellationToken).ConfigureAwait(false);
            if (options.Revision is null || options.Revision == Options.Branch)
            {
                _state.Set(localPath, new PersistState(Dataset, path, remote.ContentId, null));
            }
            Logger?.LogInformation("restored {Dataset}:{Path} at {Commit} to {Local} ({Size} bytes)", Dataset, path, head.Commit, localPath, digest.Size);
            return new RestoreResult(path, RestoreOutcome.Restored, head.Commit, digest.Size, digest.Sha256);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger?.LogError(e, "restoring {Dataset}:{Path} to {Local} failed: {Message}", Dataset, path, localPath, e.Message);
            throw;
        }
    }

    /// <summary>
    /// The saved versions of a path, newest first: the commit that introduced each content (for a
    /// bucket: each version the pointer keeps), its time and size.
    /// </summary>
    /// <param name="remotePath">The path in the dataset or bucket.</param>
    /// <param name="maxCommits">How many commits of the branch to look through (each costs one request); a bucket lists its versions in one read.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    public async IAsyncEnumerable<PersistVersion> GetHistoryAsync(string remotePath, int maxCommits = 200, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var path = PersistPath.Normalize(remotePath);
        if (_bucket is not null)
        {
            foreach (var version in await BucketHistoryAsync(_bucket, path, cancellationToken).ConfigureAwait(false))
            {
                yield return version;
            }
            yield break;
        }
        var repo = await DatasetRemote.GetAsync(Options.Branch, cancellationToken).ConfigureAwait(false)
            ?? throw new HubNotFoundException($"dataset {Dataset} does not exist (or is private to someone else)", "RepoNotFound", null, null);
        _ = repo;
        // Walk newest → oldest; a version is the oldest commit of a run holding the same content.
        (RemoteCommit Commit, RemoteVersion Version)? run = null;
        var count = 0;
        await foreach (var commit in DatasetRemote.CommitsAsync(Options.Branch, cancellationToken).ConfigureAwait(false))
        {
            if (++count > maxCommits)
            {
                break;
            }
            var version = await ReadRemoteAsync(commit.Id, path, cancellationToken).ConfigureAwait(false);
            if (run is { } current && !SameContent(current.Version, version))
            {
                yield return ToVersion(current.Commit, current.Version);
                run = null;
            }
            if (version is not null)
            {
                run = (commit, version);
            }
        }
        if (run is { } last)
        {
            yield return ToVersion(last.Commit, last.Version);
        }
    }

    /// <summary>Squashes the branch's history into one commit now (irreversible; older versions are gone).</summary>
    public Task SquashHistoryAsync(CancellationToken cancellationToken = default) =>
        DatasetRemote.SuperSquashAsync(Options.Branch, "persist: squash history", cancellationToken);

    /// <summary>
    /// Starts saving <paramref name="localPath"/> to <paramref name="remotePath"/> whenever it changed,
    /// at most once per <paramref name="interval"/>, with a final save on dispose (and, unless turned
    /// off in <paramref name="options"/>, on SIGTERM and Ctrl-C). Dispose the session to stop.
    /// </summary>
    public AutoSaveSession StartAutoSave(string localPath, string remotePath, TimeSpan interval, AutoSaveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(localPath);
        var path = PersistPath.Normalize(remotePath);
        return AutoSaveSession.Start(this, localPath, path, interval, options ?? new AutoSaveOptions());
    }

    private static PersistVersion ToVersion(RemoteCommit commit, RemoteVersion version) =>
        new(commit.Id, commit.Date, version.File.Size, version.Sha256, commit.Title);

    private async Task<RemoteRepo> EnsureWritableDatasetAsync(CancellationToken cancellationToken)
    {
        var repo = await DatasetRemote.GetAsync(Options.Branch, cancellationToken).ConfigureAwait(false);
        if (repo is null)
        {
            if (!Options.CreateIfMissing)
            {
                throw new HubNotFoundException($"dataset {Dataset} does not exist (or is private to someone else)", "RepoNotFound", null, null);
            }
            Logger?.LogInformation("creating private dataset {Dataset}", Dataset);
            await DatasetRemote.CreatePrivateAsync(cancellationToken).ConfigureAwait(false);
            repo = await DatasetRemote.GetAsync(Options.Branch, cancellationToken).ConfigureAwait(false)
                ?? throw new HubNotFoundException($"dataset {Dataset} could not be read back after creating it", "RepoNotFound", null, null);
        }
        return CheckNotPublic(repo);
    }

    private RemoteRepo CheckNotPublic(RemoteRepo repo) =>
        !repo.Private && !Options.AllowPublicDataset
            ? throw new PersistenceException($"dataset {Dataset} is PUBLIC; refusing to save app data there (make it private, use another dataset, or allow public datasets explicitly)")
            : repo;

    private Task<RemoteRepo?> GetRevisionAsync(string revision, bool missingIsOk, CancellationToken cancellationToken) =>
        NullIfBranchMissingAsync(revision, missingIsOk, () => DatasetRemote.GetAsync(revision, cancellationToken));

    private Task<RemoteHead?> HeadAsync(string revision, string path, bool missingIsOk, CancellationToken cancellationToken) =>
        NullIfBranchMissingAsync(revision, missingIsOk, () => DatasetRemote.HeadAsync(revision, path, cancellationToken));

    private async Task<T?> NullIfBranchMissingAsync<T>(string revision, bool missingIsOk, Func<Task<T?>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (HubNotFoundException e) when (missingIsOk && e.ErrorCode == "RevisionNotFound" && revision == Options.Branch)
        {
            // A dataset without the branch yet is "no backup" too.
            return null;
        }
    }

    /// <summary>Squashes the history when it holds more than <see cref="PersistenceOptions.KeepVersions"/> commits; returns the branch's new head then, else null.</summary>
    private async Task<string?> ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        if (Options.KeepVersions is not { } keep)
        {
            return null;
        }
        var count = 0;
        await foreach (var _ in DatasetRemote.CommitsAsync(Options.Branch, cancellationToken).ConfigureAwait(false))
        {
            if (++count > Math.Max(1, keep))
            {
                Logger?.LogInformation("{Dataset} holds more than {Keep} commits, squashing its history", Dataset, keep);
                await DatasetRemote.SuperSquashAsync(Options.Branch, $"persist: squash history (keep {keep})", cancellationToken).ConfigureAwait(false);
                // The squash rewrites every commit id: the one to report (and to restore with) is the new head.
                var head = await DatasetRemote.GetAsync(Options.Branch, cancellationToken).ConfigureAwait(false);
                return head?.Sha;
            }
        }
        return null;
    }

    /// <summary>
    /// The content at a path: its file entry and the SHA-256 from LFS or, for small files, the manifest.
    /// Without <paramref name="kindNeeded"/>, the manifest is read only when LFS has no SHA-256 for the file.
    /// </summary>
    internal async Task<RemoteVersion?> ReadRemoteAsync(string revision, string path, CancellationToken cancellationToken, bool kindNeeded = true)
    {
        var manifestPath = PersistPath.ManifestFor(path);
        var files = await DatasetRemote.PathsInfoAsync(revision, [path, manifestPath], cancellationToken).ConfigureAwait(false);
        if (!files.TryGetValue(path, out var file))
        {
            return null;
        }
        ManifestEntry? entry = null;
        if ((kindNeeded || file.LfsSha256 is null) && files.TryGetValue(manifestPath, out var manifestFile) && manifestFile.Size < 1 << 20)
        {
            using var buffer = new MemoryStream();
            await DatasetRemote.DownloadAsync(manifestPath, revision, buffer, cancellationToken).ConfigureAwait(false);
            if (PersistManifest.Parse(buffer.ToArray()).Files.TryGetValue(path, out var found) && found.Size == file.Size)
            {
                entry = found;
            }
        }
        // The Hub's own LFS oid is the content's SHA-256 and wins over a stale manifest.
        var sha = file.LfsSha256 ?? entry?.Sha256;
        return new RemoteVersion(file, sha, entry?.Kind);
    }

    /// <param name="remote">What is downloaded and what it must hash to.</param>
    /// <param name="localPath">The file to replace once the bytes are verified.</param>
    /// <param name="download">Downloads to the given temp file; returns the hash checked on the way (see <see cref="IPersistRemote.DownloadToFileAsync"/>) or null.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    private async Task<FileDigest> DownloadVerifiedAsync(RemoteVersion remote, string localPath, Func<string, CancellationToken, Task<string?>> download, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(localPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // The temp file is claimed, so a restore killed mid-way leaves nothing the next one keeps.
        using var owned = OwnedTempFile.Claim(AtomicFile.TempBeside(full), $".{Path.GetFileName(full)}.hfpersist-*.tmp");
        var temp = owned.Path;
        var expected = remote.ContentId;
        string? verified;
        try
        {
            verified = await download(temp, cancellationToken).ConfigureAwait(false);
        }
        catch (HubContentMismatchException)
        {
            throw Damaged(remote, expected, null);
        }
        // An LFS file was checked against its SHA-256 while it streamed; anything else is hashed here (small files).
        var digest = verified == remote.Sha256 && verified is not null
            ? new FileDigest(verified, new FileInfo(temp).Length)
            : await FileDigest.OfFileAsync(temp, cancellationToken).ConfigureAwait(false);
        if (remote.Sha256 is not null ? digest.Sha256 != remote.Sha256 : await FileDigest.GitBlobIdAsync(temp, cancellationToken).ConfigureAwait(false) != remote.File.Oid)
        {
            throw Damaged(remote, expected, digest.Sha256);
        }
        if (digest.Size != remote.File.Size)
        {
            throw new PersistenceIntegrityException($"the download of {remote.File.Path} has {digest.Size} bytes, the Hub lists {remote.File.Size}; the local file was not touched");
        }
        var isDatabase = remote.Kind == SnapshotKind.Sqlite || SqliteFiles.IsSqlite(temp);
        // The flush to disk (needed before the rename) and the integrity check run side by side.
        var flushing = Task.Run(() => AtomicFile.FlushToDisk(temp), CancellationToken.None);
        try
        {
            if (isDatabase)
            {
                var check = await SqliteFiles.IntegrityCheckAsync(temp, cancellationToken).ConfigureAwait(false);
                if (check != "ok")
                {
                    throw new PersistenceIntegrityException($"the restored database {remote.File.Path} fails its integrity check ({check}); the local file was not touched");
                }
            }
        }
        finally
        {
            await flushing.ConfigureAwait(false);
        }
        AtomicFile.Install(temp, full, isDatabase, flushed: true);
        return digest;
    }

    private PersistenceIntegrityException Damaged(RemoteVersion remote, string expected, string? actual) =>
        new($"the download of {remote.File.Path} from {Target} does not match the checksum recorded at save (expected {Short(expected)}{(actual is null ? "" : $", got {Short(actual)}")}); the stored copy is damaged, the local file was not touched");

    private static bool SameContent(RemoteVersion? a, RemoteVersion? b) =>
        (a, b) switch
        {
            (null, null) => true,
            (null, _) or (_, null) => false,
            _ => a.File.Oid == b.File.Oid && a.Sha256 == b.Sha256,
        };

    private HubConflictException Conflict(string path, string message)
    {
        Logger?.LogWarning("conflict on {Dataset}:{Path}: {Message}", Dataset, path, message);
        return new HubConflictException(message, 412, "PersistConflict", null, null);
    }

    internal static string Short(string? id) => id is null ? "?" : id.Length > 12 ? id[..12] : id;

    /// <inheritdoc/>
    public void Dispose()
    {
        _ownedClient?.Dispose();
        _saveGate.Dispose();
    }
}

/// <summary>A path's content in the dataset at one revision.</summary>
internal sealed record RemoteVersion(RemoteFile File, string? Sha256, SnapshotKind? Kind)
{
    /// <summary>What identifies the content: its SHA-256 when known, else its git blob id (every listing gives one or the other).</summary>
    public string ContentId => Sha256 ?? File.Oid ?? throw new InvalidOperationException($"{File.Path} came without a hash");
}
