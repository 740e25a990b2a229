using System.Security.Cryptography;
using System.Text.Json;
using HfCtl.Testing;
using HfCtl.Tests.Files;

namespace HfCtl.Tests.Conformance;

/// <summary>
/// Files cross between hfctl and the official <c>@huggingface/hub</c> client in both directions,
/// through the local hub: regular, LFS and multipart-size files.
/// </summary>
public sealed class InteropConformanceTests(CliFilesHubFixture hub) : IClassFixture<CliFilesHubFixture>
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

    [Fact]
    public async Task Files_uploaded_by_hfctl_are_read_back_by_the_js_client()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        var repo = $"{user}/{LocalHubFixture.UniqueName("i")}";
        var folder = Path.Combine(cli.HfHome, "upload");
        Directory.CreateDirectory(Path.Combine(folder, "weights"));
        var files = new Dictionary<string, byte[]>
        {
            ["README.md"] = "# interop\n"u8.ToArray(),
            ["weights/small.bin"] = Generated(3_000, 1),
            ["weights/large.bin"] = Generated(200_000, 2), // several 64 KiB parts
        };
        foreach (var (path, bytes) in files)
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, path), bytes);
        }
        var upload = await cli.RunAsync("upload", repo, folder);
        Assert.True(upload.ExitCode == 0, upload.ToString());

        var result = await ConformanceRunner.RunAsync("interop-read.mjs", hub.EndpointText, token, user, new
        {
            repo,
            type = "model",
            files = files.ToDictionary(f => f.Key, f => Convert.ToHexStringLower(SHA256.HashData(f.Value))),
        });
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok interop-read", result.Stdout);
    }

    [Fact]
    public async Task Files_uploaded_by_the_js_client_are_read_back_by_hfctl()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        var repo = $"{user}/{LocalHubFixture.UniqueName("j")}";
        Assert.Equal(0, (await cli.RunAsync("repo", "create", repo, "--type", "dataset")).ExitCode);
        var files = new Dictionary<string, int[]>
        {
            ["notes.txt"] = [100, 65],
            ["data/table.bin"] = [5_000, 3],
            ["data/huge.parquet"] = [300_000, 4],
        };

        var write = await ConformanceRunner.RunAsync("interop-write.mjs", hub.EndpointText, token, user, new { repo, type = "dataset", files });
        Assert.True(write.ExitCode == 0, write.ToString());
        var commit = write.Stdout.Trim().Split('\n')[0];

        var target = Path.Combine(cli.HfHome, "copy");
        var download = await cli.RunAsync("download", repo, "--type", "dataset", "--local-dir", target, "--json");
        Assert.True(download.ExitCode == 0, download.ToString());
        using (var json = JsonDocument.Parse(download.Stdout))
        {
            Assert.Equal(commit, json.RootElement.GetProperty("commit").GetString());
        }
        foreach (var (path, spec) in files)
        {
            Assert.Equal(Generated(spec[0], spec[1]), await File.ReadAllBytesAsync(Path.Combine(target, path)));
        }
        var cached = await cli.RunAsync("download", repo, "data/huge.parquet", "--type", "dataset");
        Assert.Equal(0, cached.ExitCode);
        Assert.Equal(Generated(300_000, 4), await File.ReadAllBytesAsync(cached.Stdout.Trim()));
    }
}
