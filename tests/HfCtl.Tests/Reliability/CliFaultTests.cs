using System.Security.Cryptography;
using HfCtl.Testing;
using HfHub.LocalHub;
using HfHub.LocalHub.Faults;

namespace HfCtl.Tests.Reliability;

/// <summary>A local hub that fails 10% of requests in every way it can, with small multipart parts.</summary>
public sealed class FaultyCliHubFixture : LocalHubFixture
{
    protected override void Configure(LocalHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LfsChunkSize = 64 * 1024;
        options.Faults = FaultOptions.Parse("rate=0.1,kinds=500+429+drop+truncate+slow,seed=11,delay=50,retry-after=0");
    }
}

/// <summary>
/// The fault suite's CLI leg (the library's is <c>HfHub.Tests/Reliability/FaultSuiteTests</c>):
/// <c>hfctl upload</c> and <c>hfctl download</c> with the CLI's own default retries against a hub
/// failing 10% of requests. Each command succeeds, or fails with one line on stderr and the
/// documented exit code; a target path never holds a partial file.
/// </summary>
public sealed class CliFaultTests(FaultyCliHubFixture hub) : IClassFixture<FaultyCliHubFixture>
{
    [Fact]
    public async Task Upload_and_download_through_the_cli_under_10_percent_faults_end_in_right_bytes_or_a_one_line_error()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        var repo = $"{user}/{LocalHubFixture.UniqueName("clifaults")}";
        var source = Path.Combine(cli.HfHome, "work", "source");
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var random = new Random(11);
        for (var i = 0; i < 20; i++)
        {
            var bytes = new byte[i < 15 ? random.Next(10, 3_000) : random.Next(20_000, 60_000)];
            random.NextBytes(bytes);
            files[i < 15 ? $"text/{i:00}.txt" : $"weights/{i:00}.bin"] = bytes;
        }
        files["model.safetensors"] = new byte[4 * 64 * 1024 + 99];
        random.NextBytes(files["model.safetensors"]);
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, path))!);
            await File.WriteAllBytesAsync(Path.Combine(source, path), bytes);
        }

        var results = new List<CliResult>();
        async Task<bool> Run(params string[] args)
        {
            var result = await cli.RunAsync(args);
            results.Add(result);
            return result.ExitCode == 0;
        }

        var uploaded = false;
        for (var attempt = 0; attempt < 3 && !uploaded; attempt++)
        {
            uploaded = await Run("upload", repo, source, "--private", "--quiet");
        }
        Assert.True(uploaded, string.Join("\n", results));
        var local = Path.Combine(cli.HfHome, "work", "local");
        var localOk = false;
        var cacheOk = false;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            localOk |= await Run("download", repo, "--local-dir", local, "--quiet");
            cacheOk |= await Run("download", repo, "--quiet");
            // Whatever happened, each target file is absent or complete.
            foreach (var (path, bytes) in files)
            {
                var target = Path.Combine(local, path);
                Assert.True(!File.Exists(target) || SHA256.HashData(File.ReadAllBytes(target)).AsSpan().SequenceEqual(SHA256.HashData(bytes)), $"{path} is partial or wrong");
            }
        }
        Assert.True(localOk && cacheOk, string.Join("\n", results));
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(File.ReadAllBytes(Path.Combine(local, path))));
        }
        foreach (var failed in results.Where(r => r.ExitCode != 0))
        {
            Assert.Contains(failed.ExitCode, new[] { 1, 3 }); // a Hub error or a network error, see Cli/ExitCodes.cs
            Assert.Single(failed.Stderr.Trim().Split('\n'));
            Assert.DoesNotContain("   at ", failed.Stderr);
            Assert.DoesNotContain(token, failed.All);
        }
        Assert.True(hub.Hub.Faults.Counts.Values.Sum() > 0, "no fault was injected");
    }
}
