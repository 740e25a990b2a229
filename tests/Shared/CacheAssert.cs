using System.Security.Cryptography;
using System.Text;
using HfHub.Xet;

namespace HfCtl.Testing;

/// <summary>Checks on the cache shared with the Python client (for the tests whose project references HfHub).</summary>
public static class CacheAssert
{
    /// <summary>
    /// Every finished blob in the cache is whole: a repo blob (<c>&lt;repo&gt;/blobs/&lt;etag&gt;</c>, a file or a link into
    /// the shared store) hashes to its SHA-256 or git blob id, a shared store payload (<c>blobs/&lt;2 hex&gt;/&lt;xet hash&gt;</c>)
    /// to its Xet hash; so does a hidden temporary link an interrupted run left. Returns how many were checked; <paramref name="where"/> prefixes a failure.
    /// </summary>
    public static int BlobsAreWhole(string cache, string where)
    {
        if (!Directory.Exists(cache))
        {
            return 0;
        }
        var store = Path.Combine(cache, "blobs");
        var checkedBlobs = 0;
        foreach (var repoBlobs in Directory.EnumerateDirectories(cache, "blobs", SearchOption.AllDirectories).Where(d => d != store))
        {
            foreach (var blob in Directory.EnumerateFiles(repoBlobs).Where(f => !f.EndsWith(".incomplete", StringComparison.Ordinal)))
            {
                var name = Path.GetFileName(blob);
                if (name.StartsWith('.') && name.EndsWith(".shared", StringComparison.Ordinal))
                {
                    // A link an interrupted run was about to move into place, `.<etag>.<random>.shared`: it never
                    // dangles and resolves to the whole blob it was made for.
                    Assert.True(new FileInfo(blob).ResolveLinkTarget(returnFinalTarget: true) is { Exists: true }, $"{where}: the temporary link {name} dangles");
                    name = name[1..name.IndexOf('.', 1)];
                }
                var bytes = File.ReadAllBytes(blob);
                var id = name.Length == 64 ? Convert.ToHexStringLower(SHA256.HashData(bytes)) : GitBlobId(bytes);
                Assert.True(string.Equals(id, name, StringComparison.OrdinalIgnoreCase), $"{where}: the cached blob {name} is partial or wrong");
                checkedBlobs++;
            }
        }
        foreach (var payload in Directory.Exists(store) ? Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories) : [])
        {
            var name = Path.GetFileName(payload);
            if (name.Length == 64 && name.All(char.IsAsciiHexDigitLower))
            {
                Assert.True(XetChunker.Chunk(File.ReadAllBytes(payload)).FileHash.ToString() == name, $"{where}: the shared blob {name} is partial or wrong");
                checkedBlobs++;
            }
        }
        return checkedBlobs;
    }

    private static string GitBlobId(byte[] bytes)
    {
        var header = Encoding.ASCII.GetBytes($"blob {bytes.Length}\0");
#pragma warning disable CA5350 // git's blob ids are SHA-1 by definition: an identity check, not security.
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. bytes]));
#pragma warning restore CA5350
    }
}
