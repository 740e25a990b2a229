using System.Diagnostics;
using System.Text.Json;
using HfCtl.Testing;

namespace HfCtl.Tests.Conformance;

/// <summary>
/// The official Python client (<c>huggingface_hub</c> 1.28.0 and its <c>hf</c> CLI), installed by
/// <c>../shared/referees/python/install.sh</c> into <c>conformance/python/.venv</c> (gitignored, reused
/// across runs), running the scripts of <c>conformance/python/scenarios/</c> against a local hub.
/// A clone without <c>../shared</c> cannot have it: <see cref="Missing"/> says why, and the tests skip.
/// </summary>
public static class PythonReferee
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static string? _installError;
    private static bool _installed;

    public static string Directory { get; } = Path.Combine(ConformanceRunner.Directory, "python");

    public static string InstallScript { get; } =
        Path.GetFullPath(Path.Combine(ConformanceRunner.Directory, "..", "..", "shared", "referees", "python", "install.sh"));

    public static string Venv => Path.Combine(Directory, ".venv");

    /// <summary>Why the referee cannot run here, or null when it can.</summary>
    public static string? Missing => File.Exists(InstallScript)
        ? null
        : $"the Python referee is not here ({InstallScript} is missing: a clone without ../shared); the Python conformance tests are skipped";

    /// <summary>Installs the referee once per test run (install.sh is idempotent and quick when the venv is there).</summary>
    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (!_installed && _installError is null)
            {
                var result = await ConformanceRunner.RunProcessAsync(new ProcessStartInfo("bash") { ArgumentList = { InstallScript, Venv } }, TimeSpan.FromMinutes(10));
                if (result.ExitCode == 0)
                {
                    _installed = true;
                }
                else
                {
                    _installError = $"{InstallScript} failed: {result}";
                }
            }
            Assert.True(_installed, _installError);
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Runs one scenario script (a batch of checks) with the venv's python.</summary>
    public static async Task<CliResult> RunScenarioAsync(string script, string endpoint, string token, string user, object? args = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Path.Combine(Venv, "bin", "python")) { ArgumentList = { Path.Combine(Directory, "scenarios", script) } };
        return await RunPythonAsync(start, endpoint, token, user, args, environment);
    }

    /// <summary>Runs the <c>hf</c> CLI of the venv.</summary>
    public static async Task<CliResult> RunHfAsync(string endpoint, string token, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Venv, "bin", "hf"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return await RunPythonAsync(start, endpoint, token, "", null, environment);
    }

    private static async Task<CliResult> RunPythonAsync(ProcessStartInfo start, string endpoint, string token, string user, object? args,
        IReadOnlyDictionary<string, string>? environment)
    {
        await EnsureInstalledAsync();
        var home = System.IO.Directory.CreateTempSubdirectory("hfctl-pyref-home-").FullName;
        try
        {
            start.WorkingDirectory = Directory;
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("HF_", StringComparison.Ordinal) || k is "AI_AGENT" or "AGENT").ToList())
            {
                start.Environment.Remove(name); // nothing of the developer's own Hub set-up leaks in
            }
            start.Environment["HF_ENDPOINT"] = endpoint;
            start.Environment["HF_TOKEN"] = token;
            start.Environment["HF_USER"] = user;
            start.Environment["HF_HOME"] = home;
            start.Environment["HF_HUB_DISABLE_TELEMETRY"] = "1";
            start.Environment["HF_HUB_DISABLE_PROGRESS_BARS"] = "1";
            start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            start.Environment["PYTHONUNBUFFERED"] = "1";
            start.Environment["NO_COLOR"] = "1";
            start.Environment["CONFORMANCE_ARGS"] = args is null ? "" : JsonSerializer.Serialize(args);
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[name] = value;
            }
            var result = await ConformanceRunner.RunProcessAsync(start, TimeSpan.FromMinutes(4));
            SecretCanary.AssertNoLeak(result.Stdout, $"the stdout of {Path.GetFileName(start.FileName)} {start.ArgumentList.LastOrDefault()}");
            SecretCanary.AssertNoLeak(result.Stderr, $"the stderr of {Path.GetFileName(start.FileName)} {start.ArgumentList.LastOrDefault()}");
            return result;
        }
        finally
        {
            System.IO.Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Asserts that a scenario ran every check it lists and that all of them passed.</summary>
    public static void AssertAllPassed(CliResult result, string script, params string[] checks)
    {
        var failed = result.Stdout.Split('\n').Where(l => l.StartsWith("FAIL ", StringComparison.Ordinal)).ToList();
        Assert.True(result.ExitCode == 0 && failed.Count == 0, $"{script}: {failed.Count} check(s) failed\n{string.Join('\n', failed)}\n{result}");
        foreach (var check in checks)
        {
            Assert.Contains($"ok {script}/{check}\n", result.Stdout + "\n", StringComparison.Ordinal);
        }
    }
}
