namespace HfHub.Files;

/// <summary>
/// Paths inside a repository: the official clients' validation for commits, and the safe mapping
/// of a remote path onto a local folder for downloads (a hostile tree cannot write outside it).
/// </summary>
public static class RepoPath
{
    /// <summary>
    /// Normalises a path for a commit like the Python client: '\' becomes '/', a leading '/' or './'
    /// is dropped; empty, '.', '..' segments and any '.git' or '.cache' segment are rejected.
    /// </summary>
    public static string Normalize(string pathInRepo)
    {
        ArgumentNullException.ThrowIfNull(pathInRepo);
        var path = pathInRepo.Replace('\\', '/');
        while (path.StartsWith("./", StringComparison.Ordinal) || path.StartsWith('/'))
        {
            path = path.StartsWith('/') ? path[1..] : path[2..];
        }
        var folder = path.EndsWith('/');
        var trimmed = folder ? path[..^1] : path;
        if (trimmed.Length == 0)
        {
            throw new ArgumentException($"invalid path in repo '{DisplayText.Printable(pathInRepo)}': it is empty");
        }
        foreach (var segment in trimmed.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw new ArgumentException($"invalid path in repo '{DisplayText.Printable(pathInRepo)}': empty, '.' and '..' segments are not allowed");
            }
            if (segment is ".git" or ".cache")
            {
                throw new ArgumentException($"invalid path in repo '{DisplayText.Printable(pathInRepo)}': '{segment}' folders cannot be committed");
            }
            if (segment.Any(char.IsControl))
            {
                throw new ArgumentException($"invalid path in repo '{DisplayText.Printable(pathInRepo)}': control characters are not allowed");
            }
        }
        return path;
    }

    /// <summary>
    /// The local path for a remote file under <paramref name="root"/>. Throws
    /// <see cref="UnsafePathException"/> for absolute paths, '..' or empty segments, or anything that
    /// would land outside the root once resolved.
    /// </summary>
    public static string SafeJoin(string root, string remotePath)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(remotePath);
        if (remotePath.Length == 0 || remotePath.StartsWith('/') || remotePath.Contains('\\', StringComparison.Ordinal)
            || Path.IsPathRooted(remotePath) || remotePath.Contains('\0', StringComparison.Ordinal))
        {
            throw new UnsafePathException(remotePath);
        }
        foreach (var segment in remotePath.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw new UnsafePathException(remotePath);
            }
        }
        var fullRoot = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(fullRoot, remotePath));
        var prefix = fullRoot.EndsWith(Path.DirectorySeparatorChar) ? fullRoot : fullRoot + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new UnsafePathException(remotePath);
        }
        // A folder on the way that is a symbolic link out of the root would carry the write outside it
        // (the Python client follows such links; writing into someone's ~/.ssh through one is not worth it).
        // The file itself may be a link: it is replaced by a rename, never written through.
        if (LinkOutside(fullRoot, Path.GetDirectoryName(full)!) is { } link)
        {
            throw new UnsafePathException(remotePath, link);
        }
        return full;
    }

    /// <summary>
    /// The first symbolic link between <paramref name="root"/> (excluded) and <paramref name="path"/>
    /// (included) whose target resolves outside <paramref name="root"/>, or null when there is none.
    /// Links that stay inside the root are fine.
    /// </summary>
    public static string? LinkOutside(string root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(path);
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var rootInfo = new DirectoryInfo(fullRoot);
        var realRoot = rootInfo.Exists && rootInfo.LinkTarget is not null
            ? Path.TrimEndingDirectorySeparator(rootInfo.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? fullRoot)
            : fullRoot;
        var relative = Path.GetRelativePath(fullRoot, Path.GetFullPath(path));
        if (relative == "." || relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return null;
        }
        var current = fullRoot;
        foreach (var part in relative.Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is null)
            {
                if (!info.Exists && !Directory.Exists(current))
                {
                    return null; // nothing further down exists yet, so nothing can be a link
                }
                continue;
            }
            string? target;
            try
            {
                target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            }
            catch (IOException)
            {
                target = null; // a loop or a broken chain: treat as leading outside
            }
            if (target is null || !(IsUnder(target, realRoot) || IsUnder(target, fullRoot)))
            {
                return current;
            }
        }
        return null;
    }

    private static bool IsUnder(string path, string root) =>
        path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}

/// <summary>A remote path that would escape the download folder; nothing is written for it.</summary>
public sealed class UnsafePathException : IOException
{
    public UnsafePathException(string path)
        : base($"refusing to write '{DisplayText.Printable(path)}': the path is absolute or leaves the target folder")
    {
        RemotePath = path;
    }

    public UnsafePathException() : this("") { }

    public UnsafePathException(string message, Exception innerException) : base(message, innerException) => RemotePath = "";

    /// <summary>A path whose way into the target folder goes through a symbolic link out of it.</summary>
    public UnsafePathException(string path, string link)
        : base($"refusing to write '{DisplayText.Printable(path)}': '{DisplayText.Printable(link)}' is a symbolic link out of the target folder")
    {
        RemotePath = path;
    }

    /// <summary>The offending path as the Hub sent it.</summary>
    public string RemotePath { get; }
}
