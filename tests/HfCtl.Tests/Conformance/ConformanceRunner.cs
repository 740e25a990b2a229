using System.Diagnostics;
using System.Text.Json;

namespace HfCtl.Tests.Conformance;

/// <summary>
/// Runs a script of <c>conformance/tests/</c> with Node against a local hub. The first use installs
/// the pinned referees (<c>@huggingface/hub</c>, <c>@huggingface/xetchunk-wasm</c>) from the lockfile
/// (<c>npm ci</c>) if they are not installed yet.
/// </summary>
public static class ConformanceRunner
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static bool _installed;

    public static string Directory { get; } = FindConformanceDirectory();

    public static async Task<CliResult> RunAsync(string script, string endpoint, string token, string? user = null, object? args = null)
    {
        await EnsureInstalledAsync();
        var start = new ProcessStartInfo("node", Path.Combine(Directory, "tests", script))
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["HF_ENDPOINT"] = endpoint;
        start.Environment["HF_TOKEN"] = token;
        start.Environment["HF_USER"] = user ?? "";
        start.Environment["CONFORMANCE_ARGS"] = args is null ? "" : JsonSerializer.Serialize(args);
        return await RunProcessAsync(start, TimeSpan.FromMinutes(3));
    }

    /// <summary>Runs a script that needs no hub (the chunking referee), with its arguments as JSON.</summary>
    public static async Task<CliResult> RunOfflineAsync(string script, object args)
    {
        await EnsureInstalledAsync();
        var start = new ProcessStartInfo("node", Path.Combine(Directory, "tests", script))
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CONFORMANCE_ARGS"] = JsonSerializer.Serialize(args);
        return await RunProcessAsync(start, TimeSpan.FromMinutes(3));
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            // Every pinned referee must be there: an older install may predate one of them.
            if (_installed || (System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "@huggingface", "hub"))
                && System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "@huggingface", "xetchunk-wasm"))))
            {
                _installed = true;
                return;
            }
            var install = await RunProcessAsync(new ProcessStartInfo("npm", "ci --no-audit --no-fund")
            {
                WorkingDirectory = Directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }, TimeSpan.FromMinutes(5));
            Assert.True(install.ExitCode == 0, $"npm ci failed: {install}");
            _installed = true;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Runs a referee's process with its output captured, killed (with its children) after <paramref name="timeout"/>.</summary>
    internal static async Task<CliResult> RunProcessAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {start.Arguments} did not finish within {timeout}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static string FindConformanceDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "conformance", "package.json");
            if (File.Exists(candidate))
            {
                return Path.GetDirectoryName(candidate)!;
            }
        }
        throw new InvalidOperationException("conformance/ not found above the test binaries");
    }
}
