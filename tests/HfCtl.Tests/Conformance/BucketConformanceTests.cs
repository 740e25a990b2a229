using System.Security.Cryptography;
using HfCtl.Testing;

namespace HfCtl.Tests.Conformance;

/// <summary>
/// Buckets between the official JS client and hfctl on one local hub: the JS client creates a
/// bucket, uploads through Xet, lists, downloads and deletes, and reads a file hfctl put in another
/// bucket; hfctl then downloads what the JS client uploaded, byte-exact.
/// </summary>
public sealed class BucketConformanceTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task Buckets_written_by_one_client_read_back_by_the_other()
    {
        var (user, token) = await hub.CreateUserAsync("write");
        using var cli = CliRunner.Against(hub, token);
        var work = Path.Combine(cli.HfHome, "work");
        Directory.CreateDirectory(work);
        var content = new byte[250_000];
        Random.Shared.NextBytes(content);
        await File.WriteAllBytesAsync(Path.Combine(work, "model.bin"), content);
        var seeded = $"{user}/{LocalHubFixture.UniqueName("seed")}";
        Assert.Equal(0, (await cli.RunAsync("buckets", "create", seeded)).ExitCode);
        var copy = await cli.RunAsync("buckets", "cp", Path.Combine(work, "model.bin"), $"hf://buckets/{seeded}/weights/model.bin");
        Assert.True(copy.ExitCode == 0, copy.ToString());

        var result = await ConformanceRunner.RunAsync("buckets.mjs", hub.EndpointText, token, user,
            new { suffix = LocalHubFixture.UniqueName("b"), seeded, path = "weights/model.bin", sha256 = Convert.ToHexStringLower(SHA256.HashData(content)) });
        Assert.True(result.ExitCode == 0, result.ToString());
        var jsBucket = result.Stdout.Split('\n').Single(l => l.StartsWith("js bucket ", StringComparison.Ordinal))["js bucket ".Length..].Trim();

        var target = Path.Combine(work, "from-js.bin");
        var download = await cli.RunAsync("buckets", "cp", $"hf://buckets/{jsBucket}/dir/data.bin", target);
        Assert.True(download.ExitCode == 0, download.ToString());
        var jsSha = result.Stdout.Split('\n').Single(l => l.StartsWith("js sha256 ", StringComparison.Ordinal))["js sha256 ".Length..].Trim();
        Assert.Equal(jsSha, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(target))));
    }
}
