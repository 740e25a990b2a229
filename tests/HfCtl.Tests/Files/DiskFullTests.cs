using System.Diagnostics;
using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.Repos;

namespace HfCtl.Tests.Files;

/// <summary>
/// A download onto a full disk (a 1 MiB tmpfs, mounted for the test; it needs root, as CI has)
/// fails at once with one line in the user's terms, keeps only the partial file a resume needs,
/// and is not retried like a broken connection.
/// </summary>
public sealed class DiskFullTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _mount = Path.Combine(Path.GetTempPath(), "hfctl-full-" + Guid.NewGuid().ToString("N")[..8]);
    private bool _mounted;

    private bool TryMountSmallDisk()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return false;
        }
        Directory.CreateDirectory(_mount);
        using var mount = Process.Start(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", _mount]) { RedirectStandardError = true })!;
        mount.WaitForExit();
        _mounted = mount.ExitCode == 0;
        return _mounted;
    }

    public void Dispose()
    {
        if (_mounted)
        {
            using var umount = Process.Start("umount", [_mount]);
            umount.WaitForExit();
        }
        if (Directory.Exists(_mount))
        {
            Directory.Delete(_mount, recursive: true);
        }
    }

    [Fact]
    public async Task A_download_onto_a_full_disk_fails_at_once_and_keeps_what_a_resume_needs()
    {
        // Without root (a developer's machine) there is no small disk to fill: nothing to check.
        if (!TryMountSmallDisk())
        {
            return;
        }
        var (user, token) = await hub.CreateUserAsync();
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("big")}");
        using (var client = new HubClient(new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token) }))
        {
            await client.Repos.CreateAsync(repo);
            var source = Path.Combine(_mount, "..", Path.GetFileName(_mount) + ".src");
            await File.WriteAllBytesAsync(source, new byte[3 << 20].Select((_, i) => (byte)(i * 31)).ToArray());
            try
            {
                await client.Files.UploadFileAsync(repo, source, "big.bin");
            }
            finally
            {
                File.Delete(source);
            }
        }
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        cli.Variables["HF_HUB_CACHE"] = _mount;

        var result = await cli.RunAsync("--verbose", "download", repo.ToString(), "big.bin");

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Stderr.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith("error: no space left on device: ", error, StringComparison.Ordinal);
        // A full disk is not a broken connection: no fetch of the bytes is retried, through Xet
        // (xorb ranges) or resolve (the LFS object), and the Xet path does not fall back to resolve.
        var fetches = result.Stderr.Split('\n').Where(l => l.Contains("> GET ", StringComparison.Ordinal)
            && (l.Contains("/lfs-storage/", StringComparison.Ordinal) || l.Contains("/cas/fetch/", StringComparison.Ordinal))).ToList();
        Assert.True(fetches.Count == 1, $"expected one fetch of the bytes:\n{result.Stderr}");
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(_mount), "*", SearchOption.AllDirectories),
            f => f.Contains("/blobs/", StringComparison.Ordinal) && !f.EndsWith(".incomplete", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_mount, "snapshots", SearchOption.AllDirectories)
            .SelectMany(s => Directory.EnumerateFileSystemEntries(s, "*", SearchOption.AllDirectories)));
    }
}
