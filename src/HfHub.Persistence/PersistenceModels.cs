using Microsoft.Extensions.Logging;

namespace HfHub.Persistence;

/// <summary>Options for <see cref="PersistenceManager"/>. Everything has a safe default.</summary>
public sealed class PersistenceOptions
{
    /// <summary>The client to use; when null one is created from <see cref="ClientOptions"/> (or the environment) and owned by the manager.</summary>
    public HubClient? Client { get; set; }

    /// <summary>Options for the client the manager creates when <see cref="Client"/> is null.</summary>
    public HubClientOptions? ClientOptions { get; set; }

    /// <summary>The branch saves commit to and restores read from by default.</summary>
    public string Branch { get; set; } = "main";

    /// <summary>Create the dataset or bucket (always private) on the first save when it does not exist. Default true.</summary>
    public bool CreateIfMissing { get; set; } = true;

    /// <summary>Allow saving into a PUBLIC dataset (or bucket). Default false: saving there is refused, since app data is rarely meant to be public.</summary>
    public bool AllowPublicDataset { get; set; }

    /// <summary>
    /// Retention. For a dataset: when the branch holds more than this many commits after a save, its
    /// history is squashed into one commit holding the latest state (the Hub's super-squash squashes the
    /// whole branch; older versions are gone); null (default) keeps everything. For a bucket, which keeps
    /// no history of its own: how many saved versions of each path are kept (rolling, newest first);
    /// null means <see cref="DefaultBucketVersions"/>.
    /// </summary>
    public int? KeepVersions { get; set; }

    /// <summary>
    /// The versions of each path a bucket keeps when <see cref="KeepVersions"/> is null: enough to step back
    /// over a few bad saves, few enough that a database saved every five minutes does not pile up copies.
    /// </summary>
    public const int DefaultBucketVersions = 5;

    /// <summary>
    /// Where the manager remembers which remote version each local file last restored or saved (its
    /// base: a save conflicts only when the remote moved on from it). Null (default): in a small file
    /// beside each local file, <c>.&lt;name&gt;.hfpersist.json</c>, so that the record lives as
    /// long as the file and a process restarted with the file kept goes on saving. Set a folder when
    /// the local file's own folder must not hold extra files (or is not writable); the writer is still
    /// the local file (one record per local path).
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>Where snapshots are staged before upload; default the system temp folder.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>How long a SQLite snapshot waits for a writer's lock.</summary>
    public TimeSpan BusyTimeout { get; set; } = SqliteFiles.DefaultBusyTimeout;

    /// <summary>How many times a save re-reads the head and retries when another writer committed other paths meanwhile.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Where saves, skips and errors are logged; default none.</summary>
    public ILogger? Logger { get; set; }
}

/// <summary>Options of one save.</summary>
public sealed record SaveOptions
{
    /// <summary>The commit title; default <c>persist: &lt;path&gt;</c>.</summary>
    public string? Message { get; init; }

    /// <summary>
    /// Replace the remote version even when this writer has never seen it (no restore or save of
    /// that path before). Default false: such a save fails with a conflict instead of overwriting.
    /// </summary>
    public bool Force { get; init; }
}

/// <summary>Options of one restore.</summary>
public sealed record RestoreOptions
{
    /// <summary>
    /// The branch, tag or commit to restore from; default the manager's branch. For a bucket: the id of a
    /// version listed by <see cref="PersistenceManager.GetHistoryAsync"/>; default the current one.
    /// </summary>
    public string? Revision { get; init; }

    /// <summary>A missing dataset or path is not an error: nothing happens (Litestream's <c>-if-replica-exists</c>).</summary>
    public bool IfRemoteExists { get; init; }

    /// <summary>An existing local file is kept and nothing is downloaded (Litestream's <c>-if-db-not-exists</c>).</summary>
    public bool IfLocalMissing { get; init; }

    /// <summary>Replace an existing local file. Without it (or <see cref="IfLocalMissing"/>) an existing file is an error.</summary>
    public bool Overwrite { get; init; }
}

/// <summary>What a save did.</summary>
/// <param name="Path">The path in the dataset.</param>
/// <param name="CommitId">The new commit (after a retention squash: the squashed head, as <c>GetHistoryAsync</c> lists it), or the head that already held this content when skipped.</param>
/// <param name="Size">Bytes of the saved snapshot.</param>
/// <param name="Sha256">SHA-256 of the saved snapshot.</param>
/// <param name="SkippedUnchanged">True when the dataset already held exactly this content: no commit was made.</param>
/// <param name="Kind">SQLite snapshot or plain file.</param>
/// <param name="Squashed">True when retention squashed the history after this save.</param>
public sealed record SaveResult(string Path, string CommitId, long Size, string Sha256, bool SkippedUnchanged, SnapshotKind Kind, bool Squashed = false);

/// <summary>What a restore did.</summary>
public enum RestoreOutcome
{
    /// <summary>The local file now holds the remote version.</summary>
    Restored,
    /// <summary>The local file existed and <see cref="RestoreOptions.IfLocalMissing"/> was set: nothing changed.</summary>
    SkippedLocalExists,
    /// <summary>The dataset or path did not exist and <see cref="RestoreOptions.IfRemoteExists"/> was set: nothing changed.</summary>
    SkippedRemoteMissing,
}

/// <summary>What a restore did.</summary>
/// <param name="Path">The path in the dataset.</param>
/// <param name="Outcome">Restored or why it was skipped.</param>
/// <param name="Version">The commit restored from (resolved from the revision), when restored.</param>
/// <param name="Size">Bytes written, when restored.</param>
/// <param name="Sha256">The verified SHA-256, when restored.</param>
public sealed record RestoreResult(string Path, RestoreOutcome Outcome, string? Version, long Size, string? Sha256);

/// <summary>One saved version of a path.</summary>
/// <param name="CommitId">The commit that introduced this content; pass it as the restore revision.</param>
/// <param name="Date">When that commit was made.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Sha256">The content's SHA-256, when recorded.</param>
/// <param name="Title">The commit's title.</param>
public sealed record PersistVersion(string CommitId, DateTimeOffset? Date, long Size, string? Sha256, string Title);

/// <summary>What this writer last knew about a path: the content it restored or saved, and one it was saving.</summary>
/// <remarks>
/// <see cref="LocalFingerprint"/> is the size and modification time of the local file (and its <c>-wal</c>)
/// when the saved snapshot was taken, recorded only when the file had been quiet for a while, so an
/// unchanged file can be recognised without taking a new snapshot.
/// For a bucket target (which has no commits), <see cref="Version"/> is the version id this writer last
/// restored or saved, <see cref="PendingVersion"/> the one it was writing, and <see cref="PointerHash"/> the
/// Xet hash of the pointer object naming <see cref="Version"/>: a pointer still at that hash has not moved.
/// </remarks>
internal sealed record PersistState(string Dataset, string Path, string? Sha256, string? PendingSha256, string? LocalPath = null, string? LocalFingerprint = null,
    string? Version = null, string? PendingVersion = null, string? PointerHash = null);
