using HfHub.Buckets;
using HfHub.Http;

namespace HfHub.Persistence;

/// <summary>
/// Where persistence keeps a path in a bucket, and the few bucket calls it makes, over
/// <c>client.Buckets</c>. Buckets have no commits: a path's saved versions are folders of plain
/// objects and one small pointer object names the current one (see <see cref="PersistPointer"/>).
/// <code>
/// {prefix}/.hfpersist/{path}/current.json                    the pointer: current version and those kept
/// {prefix}/.hfpersist/{path}/versions/{id}/{file name}       the snapshot
/// {prefix}/.hfpersist/{path}/versions/{id}/manifest.json     its manifest (SHA-256, size, kind)
/// </code>
/// One pointer per path, not per prefix: the files of <c>persist run</c> are saved independently, on their
/// own schedules, and a conflict on one must not block the others (as with a dataset, where each path
/// conflicts on its own).
/// </summary>
internal sealed class BucketPersistRemote(HubClient client, BucketId bucket, string prefix)
{
    public const string PointerName = "current.json";
    public const string ManifestName = "manifest.json";

    public BucketId Bucket { get; } = bucket;

    /// <summary>The target as the user names it: <c>hf://buckets/ns/name[/prefix]</c>.</summary>
    public string Uri { get; } = HfUri.Create(HfUriKind.Bucket, bucket.ToString(), null, prefix).ToString();

    private string Base(string path) => (prefix.Length == 0 ? "" : prefix + "/") + PersistPath.ManifestFolder + "/" + path;

    public string PointerPath(string path) => $"{Base(path)}/{PointerName}";

    public string VersionsFolder(string path) => $"{Base(path)}/versions";

    public string VersionFolder(string path, string id) => $"{VersionsFolder(path)}/{id}";

    public string VersionFile(string path, string id) => $"{VersionFolder(path, id)}/{FileName(path)}";

    public string VersionManifest(string path, string id) => $"{VersionFolder(path, id)}/{ManifestName}";

    /// <summary>The snapshot's object name: the path's last segment, unless that is the manifest's own name.</summary>
    private static string FileName(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        return name == ManifestName ? "data-" + name : name;
    }

    /// <summary>The bucket, or null when it does not exist (or is hidden from the caller).</summary>
    public async Task<BucketInfo?> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await client.Buckets.GetAsync(Bucket, cancellationToken).ConfigureAwait(false);
        }
        catch (HubNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Creates the bucket, private; one that appeared meanwhile is not an error.</summary>
    public Task CreatePrivateAsync(CancellationToken cancellationToken) =>
        client.Buckets.CreateAsync(Bucket, new CreateBucketOptions { Private = true, ExistOk = true }, cancellationToken);

    /// <summary>The object at <paramref name="path"/>, or null when there is none (or no bucket).</summary>
    public async Task<BucketEntry?> EntryAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var entries = await client.Buckets.GetPathsInfoAsync(Bucket, [path], cancellationToken).ConfigureAwait(false);
            return entries.FirstOrDefault(e => e.IsFile && e.Path == path);
        }
        catch (HubNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Downloads an object to <paramref name="destination"/>, checked against its Xet hash on the way.</summary>
    public Task DownloadAsync(string path, string destination, CancellationToken cancellationToken) =>
        client.Buckets.DownloadFileAsync(Bucket, path, destination, progress: null, cancellationToken);

    /// <summary>Reads a small object (a pointer or manifest) whole, through a temp file in <paramref name="tempDirectory"/>.</summary>
    public async Task<byte[]> ReadSmallAsync(string path, string? tempDirectory, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(tempDirectory ?? Path.GetTempPath(), $".hfpersist-read-{Guid.NewGuid():N}.tmp");
        try
        {
            await DownloadAsync(path, temp, cancellationToken).ConfigureAwait(false);
            return await File.ReadAllBytesAsync(temp, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Applies operations; throws <see cref="BucketBatchException"/> when any did not land.</summary>
    public Task BatchAsync(IEnumerable<BucketOperation> operations, CancellationToken cancellationToken) =>
        client.Buckets.BatchAsync(Bucket, operations, cancellationToken: cancellationToken);

    /// <summary>Every file under the path's versions folder.</summary>
    public async Task<List<BucketEntry>> VersionFilesAsync(string path, CancellationToken cancellationToken)
    {
        var files = new List<BucketEntry>();
        try
        {
            await foreach (var entry in client.Buckets.ListTreeAsync(Bucket, VersionsFolder(path), recursive: true, cancellationToken).ConfigureAwait(false))
            {
                if (entry.IsFile)
                {
                    files.Add(entry);
                }
            }
        }
        catch (HubNotFoundException)
        {
            // No versions folder yet.
        }
        return files;
    }
}
