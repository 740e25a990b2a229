using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.Http;
using HfHub.LocalHub;
using HfHub.LocalHub.Faults;
using HfHub.Repos;

namespace HfCtl.Tests.Reliability;

/// <summary>
/// A local hub for the crash suite: small multipart parts, and a third of the requests answered
/// 30 ms late, so that an operation spans more than the process start-up and kills land across it.
/// </summary>
public sealed class CrashHubFixture : LocalHubFixture
{
    public const int ChunkSize = 256 * 1024;

    public const string Faults = "rate=0.33,kinds=slow,delay=30,seed=7";

    protected override void Configure(LocalHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LfsChunkSize = ChunkSize;
        options.Faults = FaultOptions.Parse(Faults);
    }
}

/// <summary>Starts hfctl as a real child process and kills it at seeded moments.</summary>
internal sealed class CrashTesting(CrashHubFixture hub, string folder)
{
    /// <summary>The suite's seed: <c>HFCTL_CRASH_SEED</c> when set (to replay a failure), else a fixed one.</summary>
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("HFCTL_CRASH_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : 20261126;

    public const int KillsPerCommand = 50;

    public string HfHome => Path.Combine(folder, "hf-home");

    /// <summary>The children's temp folder (<c>TMPDIR</c>).</summary>
    public string TempFolder => Path.Combine(folder, "tmp");

    public Process Start(string token, params string[] args)
    {
        var info = HfCtlProcess.StartInfo(args);
        // The token goes through the environment, never the arguments.
        info.Environment["HF_ENDPOINT"] = hub.EndpointText;
        info.Environment["HF_TOKEN"] = token;
        info.Environment["HF_HOME"] = HfHome;
        info.Environment["NO_COLOR"] = "1";
        // A private temp folder: what killed runs leave there is counted, and removed with the test's folder.
        Directory.CreateDirectory(TempFolder);
        info.Environment["TMPDIR"] = TempFolder;
        return Process.Start(info)!;
    }

    /// <summary>Runs hfctl to the end; fails the test with its output when it does not exit 0.</summary>
    public async Task<TimeSpan> RunOkAsync(string token, params string[] args)
    {
        var timer = Stopwatch.StartNew();
        using var process = Start(token, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(process.ExitCode == 0, $"hfctl {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
        return timer.Elapsed;
    }

    /// <summary>Starts hfctl and kills it (the whole tree) at the clock's next moment; true when it was killed, false when it had finished.</summary>
    public async Task<bool> RunAndKillAsync(string token, KillClock clock, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var delayMs = clock.Next();
        var timer = Stopwatch.StartNew();
        using var process = Start(token, args);
        // Drain the pipes so a chatty child never blocks on a full pipe.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var killed = false;
        if (!await WaitAsync(process, delayMs))
        {
            process.Kill(entireProcessTree: true);
            killed = true;
        }
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(stdout, stderr);
        if (killed)
        {
            clock.Killed();
        }
        else
        {
            clock.Finished(timer.Elapsed);
            Assert.True(process.ExitCode == 0, $"seed {Seed}: hfctl {string.Join(' ', args)} failed without a kill (exit {process.ExitCode}): {await stderr}");
        }
        return killed;
    }

    /// <summary>
    /// Starts hfctl and kills it (the whole tree) once its commit to <paramref name="repo"/> has
    /// landed, before it hears back: the hub holds the answers to that repo's commits while the
    /// test watches its main branch move. Random kills seldom land in that moment, it is so short.
    /// </summary>
    public async Task KillOnceCommittedAsync(string token, RepoId repo, RepoType type, params string[] args)
    {
        using var client = Client(token);
        var before = (await client.Repos.GetInfoAsync(repo, type)).Sha;
        await hub.SetFaultsAsync($"rate=1,kinds=late,delay=60000,methods=POST,paths=/api/{type.ToString().ToLowerInvariant()}s/{repo}/commit/");
        try
        {
            using var process = Start(token, args);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var timer = Stopwatch.StartNew();
            while ((await client.Repos.GetInfoAsync(repo, type)).Sha == before)
            {
                if (process.HasExited)
                {
                    Assert.Fail($"seed {Seed}: hfctl {string.Join(' ', args)} exited {process.ExitCode} before its commit landed: {await stderr}");
                }
                Assert.True(timer.Elapsed < TimeSpan.FromSeconds(60), $"seed {Seed}: hfctl {string.Join(' ', args)} did not commit within 60 s");
                await Task.Delay(10);
            }
            Assert.False(process.HasExited, $"seed {Seed}: hfctl {string.Join(' ', args)} heard back from a held commit");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await Task.WhenAll(stdout, stderr);
        }
        finally
        {
            await hub.SetFaultsAsync(CrashHubFixture.Faults);
        }
    }

    private static async Task<bool> WaitAsync(Process process, int delayMs)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMilliseconds(delayMs));
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public const int MaxRounds = 3 * KillsPerCommand;

    /// <summary>True while a suite needs more kills.</summary>
    public static bool NeedsMore(IReadOnlyDictionary<string, int> outcomes, int round) =>
        outcomes["kills"] < KillsPerCommand && round < MaxRounds;

    public HubClient Client(string token) => new(new HubClientOptions
    {
        Endpoint = hub.Endpoint,
        Token = HfToken.FromValue(token),
        Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) },
        Environment = new HfEnvironment(name => name == "HF_HOME" ? HfHome : null, folder),
    });

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string Sha256(string path) => Sha256(File.ReadAllBytes(path));

    public static string GitBlobId(byte[] bytes)
    {
        var header = Encoding.ASCII.GetBytes($"blob {bytes.Length}\0");
#pragma warning disable CA5350 // git's blob ids are SHA-1 by definition: an identity check, not security.
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. bytes]));
#pragma warning restore CA5350
    }

    /// <summary>Writes the suite's figures to <c>$HFCTL_RELIABILITY_OUT/crash-&lt;name&gt;.json</c> when that is set.</summary>
    public static async Task ReportAsync(string name, IReadOnlyDictionary<string, int> figures)
    {
        if (Environment.GetEnvironmentVariable("HFCTL_RELIABILITY_OUT") is not { Length: > 0 } output)
        {
            return;
        }
        Directory.CreateDirectory(output);
        var fields = string.Join(",", figures.Select(p => $"\"{p.Key}\":{p.Value.ToString(CultureInfo.InvariantCulture)}"));
        await File.WriteAllTextAsync(Path.Combine(output, $"crash-{name}.json"), $"{{\"suite\":\"crash\",\"command\":\"{name}\",\"seed\":{Seed},{fields}}}\n");
    }
}

/// <summary>
/// Seeded kill moments, uniform from half the bare start-up time of hfctl to the end of a run, so
/// they land in start-up, in the transfer and around the commit. How long a run takes swings with
/// the machine's load, so the window's end follows the runs: a run that finished before its kill
/// pulls it in, a killed run lets it creep out, and a share of runs keep finishing just before
/// their kill (which keeps the last moments, after the commit, covered). Runs that finish do not
/// count as kills; a suite keeps going until it has <see cref="CrashTesting.KillsPerCommand"/> kills.
/// </summary>
internal sealed class KillClock(Random random, TimeSpan startup, TimeSpan fullRun)
{
    private readonly int _from = (int)(startup.TotalMilliseconds / 2);
    private double _to = Math.Max(startup.TotalMilliseconds / 2 + 50, fullRun.TotalMilliseconds);

    public int Next() => random.Next(_from, (int)Math.Max(_from + 50, _to));

    public void Finished(TimeSpan took) => _to = Math.Max(_from + 50, (_to + took.TotalMilliseconds) / 2);

    public void Killed() => _to *= 1.05;
}
