namespace HfHub;

/// <summary>
/// An <see cref="HfUri"/> mounted at a path in a container: <c>hf://[TYPE/]ID[@REVISION][/PATH]:/MOUNT[:ro|:rw]</c>,
/// the syntax of Space (and Jobs) volumes (huggingface_hub <c>parse_hf_mount</c>). Parsing strips a
/// trailing <c>:ro</c> or <c>:rw</c>, then splits at the last <c>:/</c>: the left part is the URI,
/// the right part the mount path. Whether a read-write mount is allowed (buckets only) is the
/// volume's rule, not the syntax's: see <see cref="Spaces.SpaceVolume"/>.
/// </summary>
public sealed record HfMount
{
    private HfMount(HfUri source, string mountPath, bool? readOnly)
    {
        Source = source;
        MountPath = mountPath;
        ReadOnly = readOnly;
    }

    /// <summary>What is mounted.</summary>
    public HfUri Source { get; }

    /// <summary>The absolute path in the container, e.g. <c>/data</c> (never <c>/</c> itself).</summary>
    public string MountPath { get; }

    /// <summary>True for <c>:ro</c>, false for <c>:rw</c>, null when no flag was written.</summary>
    public bool? ReadOnly { get; }

    /// <summary>Parses a mount specification; throws <see cref="ArgumentException"/> with a one-line reason.</summary>
    public static HfMount Parse(string text) =>
        TryParse(text, out var mount, out var error) ? mount : throw new ArgumentException(error);

    /// <summary>Parses a mount specification.</summary>
    public static bool TryParse(string? text, out HfMount mount, out string error)
    {
        mount = null!;
        error = HfUri.CheckText(text, "mount");
        if (error.Length > 0)
        {
            return false;
        }
        if (!text!.StartsWith(HfUri.Scheme, StringComparison.Ordinal))
        {
            error = HfUri.Invalid(text, $"it must start with '{HfUri.Scheme}' (hf://[TYPE/]SOURCE[@REVISION][/PATH]:/MOUNT[:ro])");
            return false;
        }
        var body = text[HfUri.Scheme.Length..];
        bool? readOnly = null;
        if (body.EndsWith(":ro", StringComparison.Ordinal) || body.EndsWith(":rw", StringComparison.Ordinal))
        {
            readOnly = body.EndsWith(":ro", StringComparison.Ordinal);
            body = body[..^3];
        }
        // Mount paths start with '/', so ':/' is the delimiter; the last one, because the mount path comes last.
        var split = body.LastIndexOf(":/", StringComparison.Ordinal);
        if (split < 0)
        {
            error = HfUri.Invalid(text, body.Contains(':', StringComparison.Ordinal)
                ? "the mount path after ':' must be absolute (start with '/')"
                : "no mount path: add ':/MOUNT' (e.g. hf://ns/model:/data)");
            return false;
        }
        if (split == 0)
        {
            error = HfUri.Invalid(text, "nothing to mount before ':/'");
            return false;
        }
        var mountPath = body[(split + 1)..];
        if (MountPathError(mountPath) is { } pathError)
        {
            error = HfUri.Invalid(text, pathError);
            return false;
        }
        if (!HfUri.TryParseBody(text, body[..split], out var source, out error))
        {
            return false;
        }
        mount = new HfMount(source, mountPath, readOnly);
        return true;
    }

    /// <summary>Builds a mount from its parts, with the mount path checked as by <see cref="Parse"/>.</summary>
    public static HfMount Create(HfUri source, string mountPath, bool? readOnly = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(mountPath);
        return MountPathError(mountPath) is { } error
            ? throw new ArgumentException($"invalid mount path '{DisplayText.Printable(mountPath)}': {error}")
            : new HfMount(source, mountPath, readOnly);
    }

    /// <summary>
    /// Why a mount path is refused, or null: it must be absolute and not <c>/</c> itself (as the Hub's
    /// clients require), and, stricter than they are, without empty segments, <c>.</c> or <c>..</c>,
    /// so that two spellings of one directory cannot pass as two distinct mounts.
    /// </summary>
    public static string? MountPathError(string? mountPath)
    {
        if (string.IsNullOrEmpty(mountPath) || mountPath[0] != '/')
        {
            return $"the mount path '{DisplayText.Printable(mountPath ?? "")}' must be absolute (start with '/')";
        }
        if (mountPath == "/")
        {
            return "the mount path cannot be '/' itself";
        }
        if (mountPath.Contains(':', StringComparison.Ordinal))
        {
            return $"the mount path '{DisplayText.Printable(mountPath)}' cannot contain ':'";
        }
        return HfUri.PathError(mountPath[1..], "mount path");
    }

    /// <summary>The canonical form, e.g. <c>hf://datasets/ns/d:/data:ro</c>.</summary>
    public override string ToString() =>
        Source + ":" + MountPath + (ReadOnly switch { true => ":ro", false => ":rw", null => "" });
}
