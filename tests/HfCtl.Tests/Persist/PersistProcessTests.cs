using System.Diagnostics;
using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.Persistence;

namespace HfCtl.Tests.Persist;

/// <summary>
/// hfctl as a real child process (<c>dotnet hfctl.dll</c>): stopped with SIGTERM while watching.
/// Kills in the middle of saves and restores are in the crash suite (<c>Reliability/PersistCrashTests</c>). The token goes through the environment, never arguments.
/// </summary>
public sealed class PersistProcessTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfctl-persist-proc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private Process Start(string token, params string[] args)
    {
        var info = HfCtlProcess.StartInfo(args);
        info.Environment["HF_ENDPOINT"] = hub.EndpointText;
        info.Environment["HF_TOKEN"] = token;
        info.Environment["HF_HOME"] = PathOf("hf-home");
        return Process.Start(info)!;
    }

    private PersistenceManager Reader(string token, string dataset) => new(dataset, new PersistenceOptions
    {
        ClientOptions = new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token), Environment = new HfEnvironment(_ => null, _dir) },
        TempDirectory = _dir,
    });

    [Fact]
    public async Task Sigterm_to_watch_saves_the_last_change_and_exits_zero()
    {
        var (user, token) = await hub.CreateUserAsync();
        var dataset = $"{user}/watched";
        var db = PersistTestData.Database(PathOf("watched.db"));
        using var watch = Start(token, "persist", "watch", db, "app.sqlite", "--dataset", dataset, "--every", "1h");
        var firstLine = await watch.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith($"saved {dataset}:app.sqlite", firstLine);

        PersistTestData.Insert(db, "written just before SIGTERM");
        using (var kill = Process.Start("kill", ["-TERM", watch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await watch.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var stderr = await watch.StandardError.ReadToEndAsync();

        Assert.True(watch.ExitCode == 0, stderr);
        using var reader = Reader(token, dataset);
        var check = PathOf("check.db");
        await reader.RestoreAsync("app.sqlite", check);
        Assert.True(PersistTestData.HasPayload(check, "written just before SIGTERM"));
        Assert.DoesNotContain(token, stderr);
    }

    [Fact]
    public async Task Watch_of_a_file_not_created_yet_waits_for_it_and_saves_it_once_it_appears()
    {
        var (user, token) = await hub.CreateUserAsync();
        var dataset = $"{user}/late";
        var db = PathOf("late.db");
        using var watch = Start(token, "persist", "watch", db, "app.sqlite", "--dataset", dataset, "--every", "200ms");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(watch.HasExited, "watch exited although it should wait for the file");
        PersistTestData.Database(db);
        PersistTestData.Insert(db, "created after watch started");
        var line = await watch.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith($"saved {dataset}:app.sqlite", line);
        using (var kill = Process.Start("kill", ["-TERM", watch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await watch.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var stderr = await watch.StandardError.ReadToEndAsync();

        Assert.True(watch.ExitCode == 0, stderr);
        Assert.Contains($"waiting for {db} to appear", stderr);
        using var reader = Reader(token, dataset);
        var check = PathOf("check.db");
        await reader.RestoreAsync("app.sqlite", check);
        Assert.True(PersistTestData.HasPayload(check, "created after watch started"));
    }
}
