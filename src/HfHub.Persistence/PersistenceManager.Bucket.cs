using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using HfHub.Buckets;
using HfHub.Files;
using HfHub.Http;
using HfHub.Xet;
using Microsoft.Extensions.Logging;

namespace HfHub.Persistence;

/// <summary>
/// Saves and restores to a bucket. A bucket keeps no history and has no <c>parentCommit</c>, so the
/// dataset's commit logic does not carry over; what replaces it:
/// <list type="bullet">
/// <item><b>Rolling versions.</b> Each save writes a complete version (the snapshot and its manifest) in a
/// folder of its own, then rewrites the path's pointer object (<see cref="PersistPointer"/>) to name it.
/// That single write is the commit point: a reader that follows the pointer sees the old version or the
/// new one, never half of one. Versions beyond <see cref="PersistenceOptions.KeepVersions"/> are deleted
/// after the pointer moved.</item>
/// <item><b>Dedupe.</b> The snapshot goes up through Xet, which sends only chunks the CAS does not hold: an
/// unchanged SQLite page costs nothing, and an unchanged file makes no version at all.</item>
/// <item><b>Conflicts.</b> The state store records the version (and the pointer's Xet hash) this writer
/// last restored or saved. A save refuses when the pointer names another version, and checks once more
/// right before it writes the pointer. Between that check and the write (one request) a second writer can
/// still slip in: the last pointer written wins. That window is documented, not hidden.</item>
/// </list>
/// </summary>
public sealed partial class PersistenceManager
{
    /// <summary>The pointers this manager last read, by path, with their Xet hash: an unchanged pointer is not downloaded again.</summary>
    private readonly ConcurrentDictionary<string, (string Hash, PersistPointer Pointer)> _pointers = new(StringComparer.Ordinal);

    private int BucketKeep => Math.Max(1, Options.KeepVersions ?? PersistenceOptions.DefaultBucketVersions);

    private async Task<SaveResult> SaveToBucketAsync(BucketPersistRemote bucket, string localPath, string path, SaveOptions options, CancellationToken cancellationToken)
    {
        var fingerprint = LocalFingerprint.Read(localPath);
        var known = _state.Get(Target, path, localPath);
        var pointerPath = bucket.PointerPath(path);
        await EnsureWritableBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        if (known is { Sha256: { } sha, Version: { } version, PendingVersion: null, PointerHash: { } hash, LocalFingerprint: { } recorded } && recorded == fingerprint.Value
            && (await bucket.EntryAsync(pointerPath, cancellationToken).ConfigureAwait(false))?.XetHash == hash
            && _pointers.TryGetValue(path, out var cached) && cached.Hash == hash)
        {
            // The file is as it was at the last save and the pointer has not moved: no snapshot, no upload.
            var entry = cached.Pointer.CurrentEntry();
            Logger?.LogInformation("{Target}:{Path} unchanged since the last save ({Size} bytes), no new version", Target, path, entry.Size);
            return new SaveResult(path, version, entry.Size, sha, SkippedUnchanged: true, entry.Kind);
        }
        // The pointer is read while the snapshot is taken.
        var reading = ReadPointerAsync(bucket, path, cancellationToken);
        LocalSnapshot taken;
        try
        {
            taken = await LocalSnapshot.TakeAsync(localPath, Options.TempDirectory, Options.BusyTimeout, deferIntegrityCheck: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            try
            {
                await reading.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The snapshot's failure is the one to report.
            }
            throw;
        }
        using var snapshot = taken;
        var (pointer, pointerEntry) = await reading.ConfigureAwait(false);
        var digest = snapshot.Digest;
        var current = pointer?.CurrentEntry();
        if (current is not null && current.Sha256 == digest.Sha256)
        {
            Remember(localPath, fingerprint, new PersistState(Target, path, digest.Sha256, null, Version: current.Id, PointerHash: pointerEntry!.XetHash));
            Logger?.LogInformation("{Target}:{Path} unchanged ({Size} bytes), no new version", Target, path, digest.Size);
            return new SaveResult(path, current.Id, digest.Size, digest.Sha256, SkippedUnchanged: true, snapshot.Kind);
        }
        if (current is not null && !options.Force && current.Id != known?.Version && current.Id != known?.PendingVersion)
        {
            throw Conflict(path, known is null
                ? $"{path} already exists in {Target} (version {current.Id}) and '{localPath}' was never restored from it or saved to it; nothing was written; restore it first, or force the save to replace it (the current version stays among the kept versions)"
                : $"{path} was changed in {Target} by another writer since '{localPath}' was last restored or saved (now at version {current.Id}); nothing was written; restore it first, or force the save to replace it (their version stays among the kept versions)");
        }
        var savedAt = DateTimeOffset.UtcNow;
        var id = NewVersionId(savedAt);
        // Remember what we are about to write before writing it: a process killed after the pointer moved but
        // before it could record it must not make its own next save look like a conflict.
        _state.Set(localPath, new PersistState(Target, path, current?.Sha256 ?? known?.Sha256, null, Version: current?.Id ?? known?.Version, PendingVersion: id));
        // The integrity check ran while the pointer was read; nothing is written unless it passed.
        await snapshot.VerifiedAsync().ConfigureAwait(false);
        var manifest = new PersistManifest { SavedAt = savedAt, Files = { [path] = new ManifestEntry(digest.Sha256, digest.Size, snapshot.Kind) } };
        await bucket.BatchAsync(
        [
            new BucketAddFile(bucket.VersionFile(path, id), ContentSource.FromFile(snapshot.Path), savedAt, snapshot.Kind == SnapshotKind.Sqlite ? "application/vnd.sqlite3" : "application/octet-stream"),
            new BucketAddFile(bucket.VersionManifest(path, id), ContentSource.FromBytes(manifest.ToBytes()), savedAt, "application/json"),
        ], cancellationToken).ConfigureAwait(false);

        // The last look before the commit point: did another writer move the pointer while the version went up?
        var before = await bucket.EntryAsync(pointerPath, cancellationToken).ConfigureAwait(false);
        if (!options.Force && before?.XetHash != pointerEntry?.XetHash)
        {
            await DeleteVersionsAsync(bucket, path, new HashSet<string>(StringComparer.Ordinal) { id }, null, cancellationToken).ConfigureAwait(false);
            throw Conflict(path, $"{path} was changed in {Target} by another writer while this save was running; nothing was written, the local file is unchanged");
        }
        var entryNow = new PersistPointerVersion(id, savedAt, digest.Sha256, digest.Size, snapshot.Kind, options.Message ?? $"persist: {path}");
        var next = new PersistPointer
        {
            Path = path,
            Current = id,
            Versions = [entryNow, .. (pointer?.Versions ?? []).Where(v => v.Id != id).Take(BucketKeep - 1)],
        };
        var bytes = next.ToBytes();
        await bucket.BatchAsync([new BucketAddFile(pointerPath, ContentSource.FromBytes(bytes), savedAt, "application/json")], cancellationToken).ConfigureAwait(false);
        // The pointer's Xet hash is computed here rather than read back: a read could already see another writer's pointer.
        var newHash = XetChunker.Chunk(bytes).FileHash.ToString();
        _pointers[path] = (newHash, next);
        Remember(localPath, fingerprint, new PersistState(Target, path, digest.Sha256, null, Version: id, PointerHash: newHash));
        Logger?.LogInformation("saved {Target}:{Path} ({Size} bytes) as version {Version}", Target, path, digest.Size, id);
        await PruneAsync(bucket, path, next, pointer, pointerEntry, cancellationToken).ConfigureAwait(false);
        return new SaveResult(path, id, digest.Size, digest.Sha256, SkippedUnchanged: false, snapshot.Kind);
    }

    /// <summary>Records <paramref name="state"/>, with the local file's fingerprint when it can be trusted (the snapshot started after it was read).</summary>
    private void Remember(string localPath, LocalFingerprint fingerprint, PersistState state) =>
        _state.Set(localPath, fingerprint.Trusted ? state with { LocalFingerprint = fingerprint.Value } : state);

    /// <summary>
    /// Deletes what the new pointer no longer lists: versions it dropped (beyond the number kept) and versions
    /// no pointer ever named (a save interrupted before its pointer write), but only those uploaded before the
    /// pointer this save replaced was written, since a newer one may be another writer's save in flight. A
    /// failure here is logged, not thrown: the save itself is complete, and the next save tries again.
    /// </summary>
    private async Task PruneAsync(BucketPersistRemote bucket, string path, PersistPointer next, PersistPointer? previous, BucketEntry? previousEntry, CancellationToken cancellationToken)
    {
        try
        {
            var dropped = (previous?.Versions ?? []).Select(v => v.Id).Except(next.Versions.Select(v => v.Id)).ToHashSet(StringComparer.Ordinal);
            await DeleteVersionsAsync(bucket, path, dropped, previousEntry?.UploadedAt, cancellationToken, keep: next.Versions.Select(v => v.Id).ToHashSet(StringComparer.Ordinal)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HubException or IOException)
        {
            Logger?.LogWarning("could not delete old versions of {Target}:{Path} ({Message}); the next save tries again", Target, path, e.Message);
        }
    }

    /// <summary>Deletes the versions <paramref name="ids"/> of a path and, when <paramref name="orphansBefore"/> is given, every version not in <paramref name="keep"/> uploaded before it.</summary>
    private static async Task DeleteVersionsAsync(BucketPersistRemote bucket, string path, HashSet<string> ids, DateTimeOffset? orphansBefore, CancellationToken cancellationToken, HashSet<string>? keep = null)
    {
        var folder = bucket.VersionsFolder(path) + "/";
        var doomed = new List<BucketOperation>();
        foreach (var group in (await bucket.VersionFilesAsync(path, cancellationToken).ConfigureAwait(false))
            .Where(f => f.Path.StartsWith(folder, StringComparison.Ordinal))
            .GroupBy(f => f.Path[folder.Length..].Split('/')[0], StringComparer.Ordinal))
        {
            var orphan = orphansBefore is { } before && keep?.Contains(group.Key) == false && group.All(f => f.UploadedAt is { } at && at < before);
            if (ids.Contains(group.Key) || orphan)
            {
                doomed.AddRange(group.Select(f => new BucketDeleteFile(f.Path)));
            }
        }
        if (doomed.Count > 0)
        {
            await bucket.BatchAsync(doomed, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<RestoreResult> RestoreFromBucketAsync(BucketPersistRemote bucket, string path, string localPath, RestoreOptions options, CancellationToken cancellationToken)
    {
        SqliteFiles.PrepareInBackground();
        var (pointer, pointerEntry) = await ReadPointerAsync(bucket, path, cancellationToken).ConfigureAwait(false);
        if (pointer is null)
        {
            if (options.IfRemoteExists)
            {
                Logger?.LogInformation("{Target}:{Path} does not exist yet, nothing to restore", Target, path);
                return new RestoreResult(path, RestoreOutcome.SkippedRemoteMissing, null, 0, null);
            }
            throw new HubNotFoundException($"{path} was never saved to {Target}", "EntryNotFound", null, null);
        }
        var version = options.Revision is null ? pointer.CurrentEntry()
            : pointer.Versions.FirstOrDefault(v => v.Id == options.Revision)
                ?? throw new HubNotFoundException($"version '{options.Revision}' of {path} is not among the {pointer.Versions.Count} versions {Target} keeps (see persist history)", "RevisionNotFound", null, null);
        var file = bucket.VersionFile(path, version.Id);
        var remote = new RemoteVersion(new RemoteFile(file, version.Size, null, version.Sha256), version.Sha256, version.Kind);
        FileDigest digest;
        try
        {
            // The bucket client checks every chunk against its Xet hash; the SHA-256 recorded at save is checked after.
            digest = await DownloadVerifiedAsync(remote, localPath, async (temp, ct) =>
            {
                await bucket.DownloadAsync(file, temp, ct).ConfigureAwait(false);
                return null;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (HubNotFoundException)
        {
            throw new PersistenceIntegrityException($"version {version.Id} of {path} is listed in {Target} but its snapshot is gone (another writer deleted it); the local file was not touched; restore another with --version (see persist history)");
        }
        if (version.Id == pointer.Current)
        {
            _state.Set(localPath, new PersistState(Target, path, version.Sha256, null, Version: version.Id, PointerHash: pointerEntry!.XetHash));
        }
        Logger?.LogInformation("restored {Target}:{Path} version {Version} to {Local} ({Size} bytes)", Target, path, version.Id, localPath, digest.Size);
        return new RestoreResult(path, RestoreOutcome.Restored, version.Id, digest.Size, digest.Sha256);
    }

    private async Task<List<PersistVersion>> BucketHistoryAsync(BucketPersistRemote bucket, string path, CancellationToken cancellationToken)
    {
        if (await bucket.GetAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            throw new HubNotFoundException($"bucket {bucket.Bucket} does not exist (or is private to someone else)", "RepoNotFound", null, null);
        }
        var (pointer, _) = await ReadPointerAsync(bucket, path, cancellationToken).ConfigureAwait(false);
        return [.. (pointer?.Versions ?? []).Select(v => new PersistVersion(v.Id, v.SavedAt, v.Size, v.Sha256, v.Title ?? ""))];
    }

    /// <summary>The path's pointer and its object entry (for the Xet hash), or nulls when the path was never saved.</summary>
    private async Task<(PersistPointer? Pointer, BucketEntry? Entry)> ReadPointerAsync(BucketPersistRemote bucket, string path, CancellationToken cancellationToken)
    {
        var pointerPath = bucket.PointerPath(path);
        var entry = await bucket.EntryAsync(pointerPath, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return (null, null);
        }
        if (entry.XetHash is { } hash && _pointers.TryGetValue(path, out var cached) && cached.Hash == hash)
        {
            return (cached.Pointer, entry);
        }
        byte[] bytes;
        try
        {
            bytes = await bucket.ReadSmallAsync(pointerPath, Options.TempDirectory, cancellationToken).ConfigureAwait(false);
        }
        catch (HubContentMismatchException e)
        {
            throw new PersistenceIntegrityException($"the version pointer of {path} in {Target} is damaged ({e.Message})");
        }
        var pointer = PersistPointer.Parse(bytes, path);
        if (pointer.Path != path)
        {
            throw new PersistenceIntegrityException($"the version pointer at {pointerPath} in {Target} is for '{pointer.Path}', not {path}");
        }
        if (entry.XetHash is { } read)
        {
            _pointers[path] = (read, pointer);
        }
        return (pointer, entry);
    }

    private async Task EnsureWritableBucketAsync(BucketPersistRemote bucket, CancellationToken cancellationToken)
    {
        var info = await bucket.GetAsync(cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            if (!Options.CreateIfMissing)
            {
                throw new HubNotFoundException($"bucket {bucket.Bucket} does not exist (or is private to someone else)", "RepoNotFound", null, null);
            }
            Logger?.LogInformation("creating private bucket {Bucket}", bucket.Bucket);
            await bucket.CreatePrivateAsync(cancellationToken).ConfigureAwait(false);
            info = await bucket.GetAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new HubNotFoundException($"bucket {bucket.Bucket} could not be read back after creating it", "RepoNotFound", null, null);
        }
        if (!info.Private && !Options.AllowPublicDataset)
        {
            throw new PersistenceException($"bucket {bucket.Bucket} is PUBLIC; refusing to save app data there (make it private, use another bucket, or allow public targets explicitly)");
        }
    }

    /// <summary>A version id that sorts by time and cannot collide between writers: <c>20261207T170102345Z-3f9a1c</c>.</summary>
    private static string NewVersionId(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
}
