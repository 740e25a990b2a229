namespace HfHub.Persistence;

/// <summary>Validation of paths inside the dataset, by the official clients' rules plus our own reserved folder.</summary>
public static class PersistPath
{
    /// <summary>The folder inside the dataset where manifests (SHA-256, size, kind of each saved file) live.</summary>
    public const string ManifestFolder = ".hfpersist";

    /// <summary>
    /// Normalises a path in the dataset: '\' → '/', leading '/' and './' stripped; rejects empty paths,
    /// '.' and '..' segments, '.git' and '.cache' segments, and the manifest folder.
    /// Throws <see cref="PersistenceException"/> with a one-line reason.
    /// </summary>
    public static string Normalize(string remotePath)
    {
        ArgumentNullException.ThrowIfNull(remotePath);
        var path = remotePath.Replace('\\', '/').Trim();
        while (path.StartsWith("./", StringComparison.Ordinal) || path.StartsWith('/'))
        {
            path = path.StartsWith('/') ? path[1..] : path[2..];
        }
        path = path.TrimEnd('/');
        if (path.Length == 0)
        {
            throw new PersistenceException($"invalid remote path '{remotePath}': it cannot be empty");
        }
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw new PersistenceException($"invalid remote path '{remotePath}': empty, '.' and '..' segments are not allowed");
            }
            if (segment is ".git" or ".cache" or ManifestFolder)
            {
                throw new PersistenceException($"invalid remote path '{remotePath}': '{segment}' is reserved");
            }
            if (segment.Any(char.IsControl))
            {
                throw new PersistenceException($"invalid remote path '{remotePath}': control characters are not allowed");
            }
        }
        return path;
    }

    /// <summary>Where the manifest of a saved file or folder lives: <c>.hfpersist/&lt;path&gt;.json</c>.</summary>
    public static string ManifestFor(string normalizedPath) => $"{ManifestFolder}/{normalizedPath}.json";
}
