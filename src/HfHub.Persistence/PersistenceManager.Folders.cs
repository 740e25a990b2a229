using System.Security.Cryptography;
using HfHub.Files;
using HfHub.Http;
using Microsoft.Extensions.Logging;

namespace HfHub.Persistence;

/// <summary>What a folder save did.</summary>
/// <param name="Path">The folder in the dataset.</param>
/// <param name="CommitId">The new commit, or the head when nothing changed.</param>
/// <param name="FilesChanged">Files uploaded (new or changed).</param>
/// <param name="FilesUnchanged">Files already saved with this content (not uploaded).</param>
/// <param name="FilesDeleted">Files removed from the dataset because they are gone locally.</param>
/// <param name="SkippedUnchanged">True when nothing changed: no commit was made.</param>
public sealed record FolderSaveResult(string Path, string CommitId, int FilesChanged, int FilesUnchanged, int FilesDeleted, bool SkippedUnchanged);

/// <summary>What a folder restore did.</summary>
/// <param name="Path">The folder in the dataset.</param>
/// <param name="Outcome">Restored or why it was skipped.</param>
/// <param name="Version">The commit restored from.</param>
/// <param name="FilesRestored">Files downloaded (verified, then renamed into place).</param>
/// <param name="FilesUnchanged">Files that already had the saved content locally.</param>
public sealed record FolderRestoreResult(string Path, RestoreOutcome Outcome, string? Version, int FilesRestored, int FilesUnchanged);

public sealed partial class PersistenceManager
{
    /// <summary>
    /// Saves a whole folder to <paramref name="remoteFolder"/>: every file is snapshotted like
    /// <see cref="SaveAsync"/> does (SQLite consistently, sidecars skipped), only new or changed files
    /// are uploaded, files gone locally are deleted remotely, and the folder's manifest (path → SHA-256,
    /// size) is committed in the same commit. Nothing changed → no commit.
    /// </summary>
    public async Task<FolderSaveResult> SaveFolderAsync(string localFolder, string remoteFolder, SaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(localFolder);
        options ??= new SaveOptions();
        var root = PersistPath.Normalize(remoteFolder);
        NotForBucket();
        if (!Directory.Exists(localFolder))
        {
            throw new PersistenceException(File.Exists(localFolder) ? $"'{localFolder}' is a file, not a folder" : $"local folder '{localFolder}' does not exist");
        }
        await _saveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var snapshots = new List<(string Remote, LocalSnapshot? Snapshot, ManifestEntry Entry)>();
        try
        {
            var manifestPath = PersistPath.ManifestFor(root);
            var stateKey = root + "/";
            var known = _state.Get(Dataset, stateKey, localFolder);
            string? seen = null;
            for (var attempt = 1; ; attempt++)
            {
                var repo = await EnsureWritableDatasetAsync(cancellationToken).ConfigureAwait(false);
                var (remoteManifest, remoteId) = await ReadFolderManifestAsync(repo.Sha, manifestPath, cancellationToken).ConfigureAwait(false);
                if (seen is not null && seen != remoteId)
                {
                    throw Conflict(root, $"folder {root} was changed in {Dataset} by another writer while this save was running; nothing was written");
                }
                seen = remoteId;
                if (remoteId is not null && !options.Force && known?.Sha256 != remoteId && known?.PendingSha256 != remoteId)
                {
                    throw Conflict(root, known is null
                        ? $"folder {root} already exists in {Dataset} and '{localFolder}' was never restored from it or saved to it; nothing was written; restore it first, or force the save"
                        : $"folder {root} was changed in {Dataset} by another writer since '{localFolder}' was last restored or saved; nothing was written");
                }
                var previous = remoteManifest?.Files ?? new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
                if (attempt == 1)
                {
                    await SnapshotFolderAsync(localFolder, root, previous, snapshots, cancellationToken).ConfigureAwait(false);
                }
                var changed = snapshots.Where(s => s.Snapshot is not null).ToList();
                var present = snapshots.Select(s => s.Remote).ToHashSet(StringComparer.Ordinal);
                var deleted = previous.Keys.Where(p => !present.Contains(p)).ToList();
                if (changed.Count == 0 && deleted.Count == 0 && remoteManifest is not null)
                {
                    _state.Set(localFolder, new PersistState(Dataset, stateKey, remoteId, null));
                    return new FolderSaveResult(root, repo.Sha, 0, snapshots.Count, 0, SkippedUnchanged: true);
                }
                var manifest = new PersistManifest { SavedAt = DateTimeOffset.UtcNow };
                foreach (var (remote, _, entry) in snapshots)
                {
                    manifest.Files[remote] = entry;
                }
                var manifestBytes = manifest.ToBytes();
                var newId = Convert.ToHexStringLower(SHA256.HashData(manifestBytes));
                _state.Set(localFolder, new PersistState(Dataset, stateKey, remoteId ?? known?.Sha256, newId));
                var uploads = changed.Select(s => new RemoteUpload(s.Remote, s.Snapshot!.Path, null, s.Snapshot.Content)).Append(new RemoteUpload(manifestPath, null, manifestBytes)).ToList();
                try
                {
                    var commit = await DatasetRemote.CommitAsync(Options.Branch, options.Message ?? $"persist: {root}/", repo.Sha, uploads, deleted, cancellationToken).ConfigureAwait(false);
                    _state.Set(localFolder, new PersistState(Dataset, stateKey, newId, null));
                    Logger?.LogInformation("saved folder {Dataset}:{Path} ({Changed} changed, {Deleted} deleted) as commit {Commit}", Dataset, root, changed.Count, deleted.Count, commit);
                    var squashed = await ApplyRetentionAsync(cancellationToken).ConfigureAwait(false);
                    return new FolderSaveResult(root, squashed ?? commit, changed.Count, snapshots.Count - changed.Count, deleted.Count, SkippedUnchanged: false);
                }
                catch (HubConflictException) when (attempt < Options.MaxAttempts)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt * attempt), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger?.LogError(e, "saving folder {Local} to {Dataset}:{Path} failed: {Message}", localFolder, Dataset, root, e.Message);
            throw;
        }
        finally
        {
            foreach (var (_, snapshot, _) in snapshots)
            {
                snapshot?.Dispose();
            }
            _saveGate.Release();
        }
    }

    /// <summary>
    /// Restores a folder saved by <see cref="SaveFolderAsync"/>: each file whose local content differs
    /// from the manifest is downloaded, verified (SHA-256, SQLite integrity) and renamed into place.
    /// Local files the manifest does not list are left alone. An existing non-empty folder is only
    /// touched with <see cref="RestoreOptions.Overwrite"/>.
    /// </summary>
    public async Task<FolderRestoreResult> RestoreFolderAsync(string remoteFolder, string localFolder, RestoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(localFolder);
        options ??= new RestoreOptions();
        var root = PersistPath.Normalize(remoteFolder);
        NotForBucket();
        if (File.Exists(localFolder))
        {
            throw new PersistenceException($"'{localFolder}' is a file, not a folder");
        }
        if (Directory.Exists(localFolder) && Directory.EnumerateFileSystemEntries(localFolder).Any())
        {
            if (options.IfLocalMissing)
            {
                return new FolderRestoreResult(root, RestoreOutcome.SkippedLocalExists, null, 0, 0);
            }
            if (!options.Overwrite)
            {
                throw new PersistenceLocalExistsException(localFolder, $"local folder '{localFolder}' is not empty; refusing to write into it (RestoreOptions.Overwrite writes into it, IfLocalMissing keeps it)");
            }
        }
        var revision = options.Revision ?? Options.Branch;
        var repo = await GetRevisionAsync(revision, options.IfRemoteExists, cancellationToken).ConfigureAwait(false);
        var (manifest, manifestId) = repo is null ? (null, null) : await ReadFolderManifestAsync(repo.Sha, PersistPath.ManifestFor(root), cancellationToken).ConfigureAwait(false);
        if (repo is null || manifest is null)
        {
            if (options.IfRemoteExists)
            {
                return new FolderRestoreResult(root, RestoreOutcome.SkippedRemoteMissing, null, 0, 0);
            }
            throw new HubNotFoundException($"folder {root} was never saved to {Dataset} at {revision}", "EntryNotFound", null, null);
        }
        var fullRoot = Path.GetFullPath(localFolder);
        var targets = new List<(string Remote, string Local, ManifestEntry Entry)>();
        foreach (var (remote, entry) in manifest.Files)
        {
            // Every path is checked before anything is written: none may leave the folder.
            var normalized = PersistPath.Normalize(remote);
            if (!normalized.StartsWith(root + "/", StringComparison.Ordinal))
            {
                throw new PersistenceIntegrityException($"the manifest of {root} lists '{remote}', outside the folder; nothing restored");
            }
            var local = Path.GetFullPath(Path.Combine(fullRoot, normalized[(root.Length + 1)..]));
            if (!local.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new PersistenceIntegrityException($"the manifest of {root} lists '{remote}', which would land outside '{localFolder}'; nothing restored");
            }
            targets.Add((normalized, local, entry));
        }
        var files = await DatasetRemote.PathsInfoAsync(repo.Sha, [.. targets.Select(t => t.Remote)], cancellationToken).ConfigureAwait(false);
        int restored = 0, unchanged = 0;
        foreach (var (remote, local, entry) in targets)
        {
            if (File.Exists(local) && entry.Kind == SnapshotKind.File && (await FileDigest.OfFileAsync(local, cancellationToken).ConfigureAwait(false)).Sha256 == entry.Sha256)
            {
                unchanged++;
                continue;
            }
            if (!files.TryGetValue(remote, out var file))
            {
                throw new PersistenceIntegrityException($"the manifest of {root} lists {remote}, but the dataset does not hold it at {Short(repo.Sha)}");
            }
            var version = new RemoteVersion(file, file.LfsSha256 ?? entry.Sha256, entry.Kind);
            await DownloadVerifiedAsync(version, local, (temp, ct) => DatasetRemote.DownloadToFileAsync(file, repo.Sha, temp, ct), cancellationToken).ConfigureAwait(false);
            restored++;
        }
        if (options.Revision is null || options.Revision == Options.Branch)
        {
            _state.Set(localFolder, new PersistState(Dataset, root + "/", manifestId, null));
        }
        return new FolderRestoreResult(root, RestoreOutcome.Restored, repo.Sha, restored, unchanged);
    }

    private void NotForBucket()
    {
        if (_bucket is not null)
        {
            throw new PersistenceException($"{Target} is a bucket: folders are saved to datasets only; save the files one by one (each gets its own versions)");
        }
    }

    private async Task SnapshotFolderAsync(string localFolder, string root, Dictionary<string, ManifestEntry> previous, List<(string Remote, LocalSnapshot? Snapshot, ManifestEntry Entry)> into, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(localFolder);
        // Upload's rule for symbolic links: one that stays inside the folder is followed, one that leads
        // out of it is refused (never skipped in silence, never followed to data the caller did not name).
        var files = Directory.EnumerateFiles(full, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var file in files)
        {
            if (RepoPath.LinkOutside(full, file) is { } link)
            {
                throw new PersistenceException($"'{Path.GetRelativePath(full, link)}' is a symbolic link to outside {localFolder}: refusing to save what it points to (remove it, or copy the file in); nothing was written");
            }
        }
        var all = files.ToHashSet(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            // SQLite sidecars are folded into their database's snapshot; our own temp and state files are never data.
            if (name.Contains(".hfpersist-", StringComparison.Ordinal) || name.EndsWith(PersistStateStore.Suffix, StringComparison.Ordinal)
                || SqliteFiles.SidecarSuffixes.Any(s => file.EndsWith(s, StringComparison.Ordinal) && all.Contains(file[..^s.Length])))
            {
                continue;
            }
            var remote = PersistPath.Normalize($"{root}/{Path.GetRelativePath(full, file).Replace(Path.DirectorySeparatorChar, '/')}");
            if (!SqliteFiles.IsSqlite(file) && previous.TryGetValue(remote, out var old) && old.Kind == SnapshotKind.File)
            {
                // Cheap path for plain files: hash in place, copy only when it changed.
                var digest = await FileDigest.OfFileAsync(file, cancellationToken).ConfigureAwait(false);
                if (digest.Sha256 == old.Sha256)
                {
                    into.Add((remote, null, old));
                    continue;
                }
            }
            var snapshot = await LocalSnapshot.TakeAsync(file, Options.TempDirectory, Options.BusyTimeout, cancellationToken).ConfigureAwait(false);
            var entry = new ManifestEntry(snapshot.Digest.Sha256, snapshot.Digest.Size, snapshot.Kind);
            if (previous.TryGetValue(remote, out var before) && before.Sha256 == entry.Sha256)
            {
                snapshot.Dispose();
                into.Add((remote, null, before));
                continue;
            }
            into.Add((remote, snapshot, entry));
        }
    }

    private async Task<(PersistManifest? Manifest, string? Id)> ReadFolderManifestAsync(string revision, string manifestPath, CancellationToken cancellationToken)
    {
        var files = await DatasetRemote.PathsInfoAsync(revision, [manifestPath], cancellationToken).ConfigureAwait(false);
        if (!files.ContainsKey(manifestPath))
        {
            return (null, null);
        }
        using var buffer = new MemoryStream();
        await DatasetRemote.DownloadAsync(manifestPath, revision, buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        return (PersistManifest.Parse(bytes), Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}
