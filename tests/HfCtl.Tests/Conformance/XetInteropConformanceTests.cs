using System.Security.Cryptography;
using HfCtl.Testing;
using HfCtl.Tests.Files;

namespace HfCtl.Tests.Conformance;

/// <summary>
/// Xet both ways between hfctl and the official <c>@huggingface/hub</c> client: what one uploads as
/// xorbs and a shard, the other downloads through reconstruction (the hub's counters show which
/// path each side took), byte-exact.
/// </summary>
public sealed class XetInteropConformanceTests(CliFilesHubFixture hub) : IClassFixture<CliFilesHubFixture>
{
    private static byte[] Generated(int size, int seed)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)((i * 31 + seed) & 255);
        }
        return bytes;
    }

    private static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Files_the_js_client_uploads_through_xet_are_downloaded_by_hfctl_through_xet()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        var repo = $"{user}/{LocalHubFixture.UniqueName("xj")}";
        Assert.Equal(0, (await cli.RunAsync("repo", "create", repo)).ExitCode);
        var files = new Dictionary<string, int[]>
        {
            ["one.bin"] = [20_000, 5],
            ["weights/two.bin"] = [700_000, 6],
            ["weights/three.bin"] = [2_500_000, 7],
        };
        var counters = hub.Hub.XetCounters;
        var (shards, lfs) = (counters.ShardUploads, counters.LfsUploads);

        var write = await ConformanceRunner.RunAsync("interop-write.mjs", hub.EndpointText, token, user, new { repo, type = "model", files, useXet = true });
        Assert.True(write.ExitCode == 0, write.ToString());
        Assert.True(counters.ShardUploads > shards, "the JS client sent a shard");
        Assert.Equal(lfs, counters.LfsUploads);

        var bridged = counters.BridgeDownloads;
        foreach (var (path, spec) in files)
        {
            var download = await cli.RunAsync("download", repo, path, "--verbose");
            Assert.True(download.ExitCode == 0, download.ToString());
            Assert.Contains($"* {path}: transfer xet (v2 reconstruction", download.Stderr);
            Assert.Equal(Generated(spec[0], spec[1]), await File.ReadAllBytesAsync(download.Stdout.Trim()));
        }
        Assert.Equal(bridged, counters.BridgeDownloads);
    }

    [Fact]
    public async Task Files_hfctl_uploads_through_xet_are_downloaded_by_the_js_client_through_reconstruction()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        var repo = $"{user}/{LocalHubFixture.UniqueName("xh")}";
        var folder = Path.Combine(cli.HfHome, "upload");
        Directory.CreateDirectory(Path.Combine(folder, "w"));
        var files = new Dictionary<string, byte[]>
        {
            ["w/small.bin"] = Random(30_000, 1),
            ["w/medium.bin"] = Random(900_000, 2),
            ["w/large.bin"] = Random(3_000_000, 3),
        };
        foreach (var (path, bytes) in files)
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, path), bytes);
        }
        var counters = hub.Hub.XetCounters;
        var (shards, lfs) = (counters.ShardUploads, counters.LfsUploads);

        var upload = await cli.RunAsync("upload", repo, folder, "--verbose");
        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Equal(shards + 1, counters.ShardUploads);
        Assert.Equal(lfs, counters.LfsUploads);
        foreach (var path in files.Keys)
        {
            Assert.Contains($"* {path}: transfer xet (", upload.Stderr);
        }

        var (reconstructions, bridged) = (counters.Reconstructions, counters.BridgeDownloads);
        var read = await ConformanceRunner.RunAsync("interop-read.mjs", hub.EndpointText, token, user, new
        {
            repo,
            type = "model",
            files = files.ToDictionary(f => f.Key, f => Convert.ToHexStringLower(SHA256.HashData(f.Value))),
        });
        Assert.True(read.ExitCode == 0, read.ToString());
        Assert.Contains("ok interop-read", read.Stdout);
        Assert.True(counters.Reconstructions >= reconstructions + files.Count, "the JS client asked the CAS for each file's reconstruction");
        Assert.Equal(bridged, counters.BridgeDownloads);
    }
}
