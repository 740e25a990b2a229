using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace HfCtl.Cli;

/// <summary>
/// Makes the Native AOT hfctl one file. SQLite is a native library (<c>libe_sqlite3.so</c>) that
/// Native AOT cannot link in, so the AOT build embeds it (HfCtl.csproj) and the first SQLite call
/// loads it from, in order: a copy beside the binary, or the embedded one, written once to
/// <c>$XDG_CACHE_HOME/hfctl/native/&lt;sha256&gt;/</c> and checked against its SHA-256 before every load.
/// Builds without the embedded copy (the .NET tool, tests) keep .NET's usual lookup.
/// </summary>
internal static class EmbeddedSqlite
{
    private const string Library = "e_sqlite3";
    private const string FileName = "libe_sqlite3.so";
    private const string Resource = "native/" + FileName;

    [SupportedOSPlatform("linux")]
    private static readonly Lazy<IntPtr> Handle = new(Load);

    /// <summary>Routes SQLite's P/Invokes (the SQLite provider's and hfctl's own) to the library above.</summary>
    public static void Register()
    {
        if (!OperatingSystem.IsLinux() || typeof(EmbeddedSqlite).Assembly.GetManifestResourceInfo(Resource) is null)
        {
            return;
        }
        NativeLibrary.SetDllImportResolver(typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly, Resolve);
        NativeLibrary.SetDllImportResolver(typeof(HfHub.HubClient).Assembly, Resolve);
    }

    [SupportedOSPlatform("linux")]
    private static IntPtr Resolve(string name, System.Reflection.Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Library ? Handle.Value : IntPtr.Zero;

    [SupportedOSPlatform("linux")]
    private static IntPtr Load()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, FileName);
        if (File.Exists(beside))
        {
            return NativeLibrary.Load(beside);
        }
        using var stream = typeof(EmbeddedSqlite).Assembly.GetManifestResourceStream(Resource)!;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var folder = Path.Combine(CacheRoot(), "hfctl", "native", sha[..16]);
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path) || !SHA256.HashData(File.ReadAllBytes(path)).AsSpan().SequenceEqual(Convert.FromHexString(sha)))
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // Written beside and renamed: a concurrent hfctl never loads a half-written library.
            var temp = Path.Combine(folder, $".{FileName}.{Guid.NewGuid():N}");
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        return NativeLibrary.Load(path);
    }

    private static string CacheRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return xdg;
        }
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? Path.GetTempPath() : Path.Combine(home, ".cache");
    }
}
