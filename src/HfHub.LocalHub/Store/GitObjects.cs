using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HfHub.LocalHub.Store;

/// <summary>
/// Git object ids computed the way git does: blobs are <c>sha1("blob &lt;size&gt;\0" + bytes)</c>,
/// trees and commits are the SHA-1 of git's own serialisation of those objects (sorted
/// <c>&lt;mode&gt; &lt;name&gt;\0&lt;20-byte id&gt;</c> entries; <c>tree/parent/author/committer</c> headers and
/// the message). The ids are therefore the ones <c>git</c> would compute for the same content,
/// author line and timestamp.
/// </summary>
internal static class GitObjects
{
    public const string PointerVersion = "version https://git-lfs.github.com/spec/v1";

    /// <summary>The LFS pointer file git stores in place of an LFS file.</summary>
    public static string Pointer(string sha256, long size) =>
        string.Create(CultureInfo.InvariantCulture, $"{PointerVersion}\noid sha256:{sha256}\nsize {size}\n");

    /// <summary>The git blob id of a small in-memory content.</summary>
    public static string BlobId(ReadOnlySpan<byte> content)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        hash.AppendData(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"blob {content.Length}\0")));
        hash.AppendData(content);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The git blob id of a file's content, streamed.</summary>
    public static async Task<string> BlobIdAsync(Stream content, long size, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        hash.AppendData(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"blob {size}\0")));
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A git tree id from its entries (name, is-directory, child id).</summary>
    public static string TreeId(IEnumerable<(string Name, bool IsDirectory, string Oid)> entries)
    {
        // Git sorts tree entries by name, comparing directories as if their name ended in '/'.
        var sorted = entries.OrderBy(e => e.IsDirectory ? e.Name + "/" : e.Name, StringComparer.Ordinal).ToList();
        using var body = new MemoryStream();
        foreach (var (name, isDirectory, oid) in sorted)
        {
            body.Write(Encoding.UTF8.GetBytes((isDirectory ? "40000 " : "100644 ") + name));
            body.WriteByte(0);
            body.Write(Convert.FromHexString(oid));
        }
        return ObjectId("tree", body.ToArray());
    }

    /// <summary>The empty tree's id, <c>4b825dc6…</c>.</summary>
    public static string EmptyTreeId { get; } = ObjectId("tree", []);

    /// <summary>A git commit id; the message is <c>title</c>, and the description as body when present.</summary>
    public static string CommitId(string tree, string? parent, string author, DateTimeOffset date, string title, string description)
    {
        var signature = string.Create(CultureInfo.InvariantCulture, $"{author} <{author}@users.noreply.huggingface.co> {date.ToUnixTimeSeconds()} +0000");
        var text = new StringBuilder();
        text.Append("tree ").Append(tree).Append('\n');
        if (parent is not null)
        {
            text.Append("parent ").Append(parent).Append('\n');
        }
        text.Append("author ").Append(signature).Append('\n');
        text.Append("committer ").Append(signature).Append('\n');
        text.Append('\n').Append(title).Append('\n');
        if (description.Length > 0)
        {
            text.Append('\n').Append(description).Append('\n');
        }
        return ObjectId("commit", Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static string ObjectId(string kind, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        hash.AppendData(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{kind} {body.Length}\0")));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Git tree ids for the file set: the root tree id and each folder's tree id. Folders are
    /// implied by file paths (git has no empty folders).
    /// </summary>
    public static (string Root, Dictionary<string, string> Folders) BuildTrees(IEnumerable<GitFile> files)
    {
        var children = new Dictionary<string, List<(string Name, bool IsDirectory, string Oid)>>(StringComparer.Ordinal) { [""] = [] };
        foreach (var file in files)
        {
            var slash = file.Path.LastIndexOf('/');
            var folder = slash < 0 ? "" : file.Path[..slash];
            Children(children, folder).Add((file.Path[(slash + 1)..], false, file.Oid));
        }
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        // Deepest folders first, so every child tree id is known before its parent's.
        foreach (var folder in children.Keys.Where(k => k.Length > 0).OrderByDescending(k => k.Count(c => c == '/')).ToList())
        {
            var treeOid = GitObjects.TreeId(children[folder]);
            folders[folder] = treeOid;
            var slash = folder.LastIndexOf('/');
            Children(children, slash < 0 ? "" : folder[..slash]).Add((folder[(slash + 1)..], true, treeOid));
        }
        return (GitObjects.TreeId(children[""]), folders);
    }

    private static List<(string Name, bool IsDirectory, string Oid)> Children(Dictionary<string, List<(string, bool, string)>> children, string folder)
    {
        if (!children.TryGetValue(folder, out var list))
        {
            list = [];
            children[folder] = list;
            // Register every ancestor, so a folder holding only folders still gets a tree.
            var slash = folder.LastIndexOf('/');
            Children(children, slash < 0 ? "" : folder[..slash]);
        }
        return list;
    }
}
