using System.Text;
using System.Text.RegularExpressions;

namespace HfHub.Files;

/// <summary>
/// The cache-wide store of Xet files the Python client keeps since <c>huggingface_hub</c> 1.32:
/// one read-only payload per Xet hash at <c>&lt;cache&gt;/blobs/&lt;first 2 hex&gt;/&lt;xet hash&gt;</c>, each
/// repo's <c>blobs/&lt;etag&gt;</c> a relative symlink to it, so a file shared by several repos is on disk once.
/// </summary>
/// <remarks>
/// The layout, as the Python client writes and garbage-collects it (<c>_shared_blobs.py</c>), which hfctl follows
/// so either client can use and clean up what the other wrote:
/// <list type="bullet">
/// <item><c>blobs/.huggingface-shared-blobs</c> holds <c>1\n</c> (the layout version); a <c>blobs/</c> folder without
/// it is not adopted, since it is not ours.</item>
/// <item><c>&lt;hash&gt;.refs</c> lists, one per line and relative to the cache root, the repo blobs that link to the
/// payload (<c>models--org--name/blobs/&lt;etag&gt;</c>). A line is appended and flushed before its symlink appears,
/// so a crash leaves at worst a stale line, which the collector validates away, never a live link it does not know.</item>
/// <item><c>&lt;hash&gt;.lock</c> is an exclusive <c>flock</c> held while a payload is published, linked or collected.</item>
/// </list>
/// Everything here is best effort: any failure is a miss, and the caller keeps its repo-local file.
/// <c>HF_HUB_DISABLE_SHARED_BLOBS=1</c> (or <c>HF_HUB_DISABLE_XET=1</c>) turns the store off, as in the Python client.
/// </remarks>
internal sealed partial class SharedBlobStore
{
    private const string MarkerName = ".huggingface-shared-blobs";
    private const string LayoutVersion = "1\n";

    // As long as the Python client waits for a soft lock; a store that stays locked longer is skipped, not waited for.
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    private readonly string _cacheRoot;

    public SharedBlobStore(string cacheRoot)
    {
        _cacheRoot = Path.GetFullPath(cacheRoot);
        Folder = Path.Combine(_cacheRoot, "blobs");
    }

    /// <summary><c>&lt;cache&gt;/blobs</c>.</summary>
    public string Folder { get; }

    /// <summary>Whether the store may be used in this environment.</summary>
    public static bool IsEnabled(HfEnvironment environment) =>
        !environment.IsTrue("HF_HUB_DISABLE_SHARED_BLOBS") && !environment.IsTrue("HF_HUB_DISABLE_XET");

    /// <summary>Where the payload of a Xet hash lives.</summary>
    public string PayloadPath(string xetHash) => Path.Combine(Folder, xetHash[..2], xetHash);

    /// <summary>
    /// Makes <paramref name="repoBlob"/> a link to the payload of <paramref name="xetHash"/> when the store holds a
    /// usable one (a regular, readable file of <paramref name="size"/> bytes): the file is then in the cache with no
    /// transfer. False when there is none or it could not be linked.
    /// </summary>
    public async Task<bool> TryLinkAsync(string repoBlob, string xetHash, long size, CancellationToken cancellationToken)
    {
        if (!IsXetHash(xetHash) || !IsMarked() || RelativeRepoBlob(repoBlob) is not { } reference)
        {
            return false;
        }
        var payload = PayloadPath(xetHash);
        if (!IsUsablePayload(payload, size))
        {
            return false;
        }
        string? temporaryLink = null;
        try
        {
            await using (await FileLocks.AcquireAsync(payload + ".lock", cancellationToken, LockTimeout).ConfigureAwait(false))
            {
                if (!IsUsablePayload(payload, size))
                {
                    return false;
                }
                RemoveStaleTemporaryLinks(repoBlob);
                temporaryLink = CreateTemporaryLink(repoBlob, payload);
                AppendReference(payload, reference);
                File.Move(temporaryLink, repoBlob, overwrite: true);
                temporaryLink = null;
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            DeleteQuietly(temporaryLink);
        }
    }

    /// <summary>
    /// Moves a freshly downloaded and verified repo blob into the store and leaves a link in its place, so the next
    /// repo that needs the same bytes links to them instead of fetching them. When the store already holds the
    /// payload, the new copy is dropped for a link. On failure the repo blob stays a regular file.
    /// </summary>
    public async Task<bool> PublishAsync(string repoBlob, string xetHash, long size, CancellationToken cancellationToken)
    {
        if (!IsXetHash(xetHash) || RelativeRepoBlob(repoBlob) is not { } reference || !EnsureFolders(xetHash))
        {
            return false;
        }
        var payload = PayloadPath(xetHash);
        string? temporaryLink = null;
        var moved = false;
        try
        {
            await using (await FileLocks.AcquireAsync(payload + ".lock", cancellationToken, LockTimeout).ConfigureAwait(false))
            {
                RemoveStaleTemporaryLinks(repoBlob);
                var present = IsUsablePayload(payload, size);
                AppendReference(payload, reference);
                if (!present)
                {
                    MakeReadOnly(repoBlob);
                    File.Move(repoBlob, payload, overwrite: true);
                    moved = true;
                }
                // The link is made once the payload is in place, so one a crash leaves behind never dangles.
                temporaryLink = CreateTemporaryLink(repoBlob, payload);
                File.Move(temporaryLink, repoBlob, overwrite: true);
                temporaryLink = null;
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (moved && !Path.Exists(repoBlob))
            {
                // The payload went into the store but the link did not follow: put a copy back so the repo keeps its file.
                File.Copy(payload, repoBlob);
            }
            return false;
        }
        finally
        {
            DeleteQuietly(temporaryLink);
        }
    }

    private bool IsMarked()
    {
        var marker = Path.Combine(Folder, MarkerName);
        try
        {
            return Directory.Exists(Folder) && new FileInfo(marker) is { Exists: true, LinkTarget: null }
                && File.ReadAllText(marker) == LayoutVersion;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Creates and marks the store and the payload's prefix folder; refuses a <c>blobs/</c> folder that holds anything but the store.</summary>
    private bool EnsureFolders(string xetHash)
    {
        try
        {
            if (!IsMarked())
            {
                var folder = Directory.CreateDirectory(Folder);
                if (folder.LinkTarget is not null || folder.EnumerateFileSystemInfos().Any(e => !e.Name.StartsWith(MarkerName + ".", StringComparison.Ordinal)))
                {
                    return false;
                }
                MirrorCacheRootMode(Folder);
                var temporary = Path.Combine(Folder, $"{MarkerName}.{Guid.NewGuid().ToString("N")[..8]}.tmp");
                File.WriteAllText(temporary, LayoutVersion);
                File.Move(temporary, Path.Combine(Folder, MarkerName), overwrite: true);
                if (!IsMarked())
                {
                    return false;
                }
            }
            var prefix = Path.Combine(Folder, xetHash[..2]);
            var created = !Directory.Exists(prefix);
            if (Directory.CreateDirectory(prefix).LinkTarget is not null)
            {
                return false;
            }
            if (created)
            {
                MirrorCacheRootMode(prefix);
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsUsablePayload(string payload, long size)
    {
        try
        {
            var info = new FileInfo(payload);
            if (!info.Exists || info.LinkTarget is not null || info.Length != size)
            {
                return false;
            }
            using var probe = new FileStream(payload, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary><c>models--org--name/blobs/&lt;etag&gt;</c> for a repo blob of this cache, the form the <c>.refs</c> lines take.</summary>
    private string? RelativeRepoBlob(string repoBlob)
    {
        var relative = Path.GetRelativePath(_cacheRoot, Path.GetFullPath(repoBlob)).Replace('\\', '/');
        var parts = relative.Split('/');
        return parts.Length == 3 && RepoFolder().IsMatch(parts[0]) && parts[1] == "blobs" && parts[2].Length > 0 ? relative : null;
    }

    private static string CreateTemporaryLink(string repoBlob, string payload)
    {
        var folder = Directory.CreateDirectory(Path.GetDirectoryName(repoBlob)!).FullName;
        var link = Path.Combine(folder, $".{Path.GetFileName(repoBlob)}.{Guid.NewGuid().ToString("N")[..8]}.shared");
        File.CreateSymbolicLink(link, Path.GetRelativePath(folder, payload));
        return link;
    }

    /// <summary>
    /// Deletes the temporary links an interrupted run left for this repo blob. Called under the payload's lock, which
    /// every writer of this blob holds, so none of them is still in use.
    /// </summary>
    private static void RemoveStaleTemporaryLinks(string repoBlob)
    {
        var folder = Path.GetDirectoryName(repoBlob)!;
        if (!Directory.Exists(folder))
        {
            return;
        }
        foreach (var stale in Directory.EnumerateFileSystemEntries(folder, $".{Path.GetFileName(repoBlob)}.*.shared"))
        {
            DeleteQuietly(stale);
        }
    }

    private static void AppendReference(string payload, string reference)
    {
        using var manifest = new FileStream(payload + ".refs", FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1);
        manifest.Write(Encoding.UTF8.GetBytes(reference + "\n"));
        manifest.Flush(flushToDisk: true);
    }

    /// <summary>Payloads are read-only, readable by whoever can enter the cache root (its group and other execute bits).</summary>
    private void MakeReadOnly(string file)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var root = File.GetUnixFileMode(_cacheRoot);
        var mode = UnixFileMode.UserRead
            | (root.HasFlag(UnixFileMode.GroupExecute) ? UnixFileMode.GroupRead : 0)
            | (root.HasFlag(UnixFileMode.OtherExecute) ? UnixFileMode.OtherRead : 0);
        File.SetUnixFileMode(file, mode);
    }

    private void MirrorCacheRootMode(string folder)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, File.GetUnixFileMode(_cacheRoot));
        }
    }

    private static void DeleteQuietly(string? path)
    {
        if (path is null)
        {
            return;
        }
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary link is harmless: it is hidden, no reference names it, and the next link of its blob removes it.
        }
    }

    private static bool IsXetHash(string hash) => XetHashText().IsMatch(hash);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex XetHashText();

    [GeneratedRegex("^(models|datasets|spaces)--.+$")]
    private static partial Regex RepoFolder();
}
