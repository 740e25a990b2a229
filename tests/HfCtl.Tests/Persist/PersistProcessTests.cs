using System.Diagnostics;
using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.Persistence;

namespace HfCtl.Tests.Persist;

/// <summary>
/// hfctl as a real child process (<c>dotnet hfctl.dll</c>): killed in the middle of saves, and
/// stopped with SIGTERM while watching. The token goes through the environment, never arguments.
/// </summary>
public sealed class PersistProcessTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfctl-persist-proc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private Process Start(string token, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hfctl.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("HF_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
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
    public async Task Killing_the_saving_process_at_random_points_never_leaves_a_half_version_or_a_damaged_database()
    {
        var (user, token) = await hub.CreateUserAsync();
        var dataset = $"{user}/killed";
        using var reader = Reader(token, dataset);
        var db = PersistTestData.Database(PathOf("app.db"), 3 * 1024);
        // A full, unkilled save tells how long one takes on this machine; kills land across that span.
        var timer = Stopwatch.StartNew();
        using (var first = Start(token, "persist", "save", db, "app.sqlite", "--dataset", dataset))
        {
            await first.WaitForExitAsync();
            Assert.True(first.ExitCode == 0, await first.StandardError.ReadToEndAsync());
        }
        var span = (int)(timer.ElapsedMilliseconds * 1.3);
        var previous = (await reader.RestoreAsync("app.sqlite", PathOf("check-0.db"))).Sha256;
        var random = new Random(20261126);
        var outcomes = new Dictionary<string, int> { ["previous"] = 0, ["new"] = 0 };
        for (var round = 1; round <= 20; round++)
        {
            PersistTestData.Insert(db, $"round {round}");
            string expected;
            using (var snapshot = await LocalSnapshot.TakeAsync(db, _dir))
            {
                expected = snapshot.Digest.Sha256;
            }
            using (var save = Start(token, "persist", "save", db, "app.sqlite", "--dataset", dataset))
            {
                var delay = random.Next(0, span);
                if (!save.WaitForExit(delay))
                {
                    save.Kill(entireProcessTree: true);
                }
                await save.WaitForExitAsync();
            }
            var check = PathOf($"check-{round}.db");
            var remote = await reader.RestoreAsync("app.sqlite", check);
            Assert.True(remote.Sha256 == previous || remote.Sha256 == expected, $"round {round}: the dataset holds neither the previous nor the new version");
            Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(check));
            Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(db));
            outcomes[remote.Sha256 == expected ? "new" : "previous"]++;
            previous = remote.Sha256;
        }
        // The seeded delays land both before and after the commit.
        Assert.True(outcomes["previous"] > 0 && outcomes["new"] > 0, $"previous {outcomes["previous"]}, new {outcomes["new"]}");

        // After all that, a normal save from the same machine still works (no stale state blocks it).
        using var final = Start(token, "persist", "save", db, "app.sqlite", "--dataset", dataset);
        await final.WaitForExitAsync();
        Assert.True(final.ExitCode == 0, await final.StandardError.ReadToEndAsync());
    }

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
}
