using System.Diagnostics;
using System.Globalization;
using System.Text;
using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.Persistence;
using Microsoft.Data.Sqlite;

namespace HfCtl.Tests.Persist;

/// <summary>
/// The README's recipe, <c>hfctl persist run &lt;local&gt;=&lt;remote&gt; -- &lt;app&gt;</c>, run as a user runs it:
/// hfctl as a real process, its app a shell script (under dash when installed, the /bin/sh of Debian
/// images) that commits rows to SQLite with the sqlite3 shell and logs each row once its commit
/// returned. What the dataset holds is compared with that log.
/// </summary>
public sealed class PersistRunProcessTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>, IDisposable
{
    /// <summary>
    /// The app: waits <c>$3</c> seconds (a first boot creates its database late), then inserts rows until
    /// it has <c>$4</c> (0: until stopped) or gets SIGTERM/SIGINT, which it handles by finishing the row it is
    /// on; exits with <c>$5</c>. A row goes to the log <c>$2</c> only after its INSERT committed.
    /// </summary>
    private const string Writer = """
        db=$1; log=$2; delay=$3; max=$4; code=$5
        stop=0
        trap 'stop=1' TERM INT
        sleep "$delay"
        sqlite3 -cmd '.timeout 5000' "$db" 'PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS rows(id INTEGER PRIMARY KEY, payload TEXT NOT NULL);' >/dev/null
        i=0
        while [ "$stop" = 0 ] && { [ "$max" = 0 ] || [ "$i" -lt "$max" ]; }; do
          i=$((i + 1))
          row="pid$$-row$i"
          if sqlite3 -cmd '.timeout 5000' "$db" "INSERT INTO rows(payload) VALUES('$row');"; then echo "$row" >> "$log"; fi
          sleep 0.05
        done
        exit "$code"
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("hfctl-persist-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>dash when installed (what <c>/bin/sh</c> is on Debian and in python:*-slim images), else /bin/sh.</summary>
    private static string Shell => new[] { "/usr/bin/dash", "/bin/dash" }.FirstOrDefault(File.Exists) ?? "/bin/sh";

    private string WriterScript()
    {
        Assert.True(FindInPath("sqlite3"), "the writer app needs the sqlite3 shell (apt-get install sqlite3; .ci/run installs it)");
        var script = PathOf("writer.sh");
        File.WriteAllText(script, Writer.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        return script;
    }

    private static bool FindInPath(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, name)));

    /// <summary>hfctl running <c>persist run</c>, with its stdout and stderr collected as they come.</summary>
    private sealed class Running : IDisposable
    {
        private readonly StringBuilder _err = new();
        private readonly Lock _gate = new();

        public Running(ProcessStartInfo info)
        {
            Process = new Process { StartInfo = info };
            Process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_gate)
                    {
                        _err.Append(e.Data).Append('\n');
                    }
                }
            };
            Process.OutputDataReceived += (_, _) => { };
            Process.Start();
            Process.BeginErrorReadLine();
            Process.BeginOutputReadLine();
        }

        public Process Process { get; }

        public string Stderr
        {
            get
            {
                lock (_gate)
                {
                    return _err.ToString();
                }
            }
        }

        public async Task<int> ExitAsync()
        {
            await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
            // The redirected streams are drained once WaitForExit without a timeout has returned.
            Process.WaitForExit();
            return Process.ExitCode;
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
            Process.Dispose();
        }
    }

    private Running Run(string token, string hfHome, params string[] args)
    {
        var info = HfCtlProcess.StartInfo(["persist", "run", .. args]);
        info.Environment["HF_ENDPOINT"] = hub.EndpointText;
        info.Environment["HF_TOKEN"] = token;
        info.Environment["HF_HOME"] = hfHome;
        return new Running(info);
    }

    private static async Task UntilAsync(Func<bool> condition, string what, Running running)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}; hfctl said:\n{running.Stderr}");
            Assert.False(running.Process.HasExited, $"hfctl exited (code {(running.Process.HasExited ? running.Process.ExitCode : 0)}) before {what}:\n{running.Stderr}");
            await Task.Delay(50);
        }
    }

    private static string[] Logged(string log) => File.Exists(log) ? File.ReadAllLines(log) : [];

    /// <summary>The rows of the dataset's latest version of <paramref name="remote"/>.</summary>
    private async Task<List<string>> RemoteRowsAsync(string token, string dataset, string remote)
    {
        using var reader = new PersistenceManager(dataset, new PersistenceOptions
        {
            ClientOptions = new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token), Environment = new HfEnvironment(_ => null, _dir) },
            TempDirectory = _dir,
            StateDirectory = PathOf("reader-state"),
        });
        var check = PathOf($"check-{Guid.NewGuid():N}.db");
        await reader.RestoreAsync(remote, check);
        using var connection = new SqliteConnection($"Data Source={check};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM rows ORDER BY id";
        var rows = new List<string>();
        using var result = command.ExecuteReader();
        while (result.Read())
        {
            rows.Add(result.GetString(0));
        }
        return rows;
    }

    private static void Terminate(Process process)
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    [Fact]
    public async Task Sigterm_stops_the_app_then_saves_so_the_dataset_holds_exactly_the_rows_it_committed()
    {
        var (user, token) = await hub.CreateUserAsync();
        var dataset = $"{user}/run-sigterm";
        var db = PathOf("app.db");
        var log = PathOf("rows.log");
        using var run = Run(token, PathOf("home"), "-d", dataset, "--every", "300ms", $"{db}=db/app.sqlite", "--", Shell, WriterScript(), db, log, "0", "0", "0");

        // Stopped in the middle: rows are being written, and at least one save happened while the app ran.
        await UntilAsync(() => Logged(log).Length >= 5 && run.Stderr.Contains("persist: saved", StringComparison.Ordinal), "the app wrote rows and one was saved", run);
        Terminate(run.Process);
        var code = await run.ExitAsync();

        Assert.True(code == 0, run.Stderr);
        Assert.Contains("SIGTERM: passing it to the app", run.Stderr);
        var committed = Logged(log);
        Assert.Equal(committed, await RemoteRowsAsync(token, dataset, "db/app.sqlite"));
        SecretCanary.AssertNoLeak(run.Stderr, "the stderr of persist run");
    }

    [Fact]
    public async Task First_boot_with_the_database_created_2s_after_start_is_saved_and_the_apps_exit_code_is_hfctls()
    {
        var (user, token) = await hub.CreateUserAsync();
        var dataset = $"{user}/run-first-boot";
        var db = PathOf("late.db");
        var log = PathOf("rows.log");
        using var run = Run(token, PathOf("home"), "-d", dataset, "--every", "300ms", $"{db}=db/", "--", Shell, WriterScript(), db, log, "2", "20", "3");

        var code = await run.ExitAsync();

        Assert.True(code == 3, run.Stderr);
        Assert.Contains("does not exist yet (first boot); nothing to restore", run.Stderr);
        Assert.Contains($"waiting for {db} to appear", run.Stderr);
        Assert.Contains("the app exited with code 3", run.Stderr);
        Assert.Equal(20, Logged(log).Length);
        Assert.Equal(Logged(log), await RemoteRowsAsync(token, dataset, "db/late.db"));
    }

    [Fact]
    public async Task A_restart_with_the_file_kept_and_a_fresh_hf_home_goes_on_saving_without_a_conflict()
    {
        var (user, token) = await hub.CreateUserAsync();
        var dataset = $"{user}/run-restart";
        var db = PathOf("kept.db");
        var log = PathOf("rows.log");
        var script = WriterScript();
        string[] args = ["-d", dataset, "--every", "300ms", $"{db}=db/kept.sqlite", "--", Shell, script, db, log, "0", "10", "0"];

        using (var first = Run(token, PathOf("home-1"), args))
        {
            Assert.True(await first.ExitAsync() == 0, first.Stderr);
        }
        // The container restarted: the data volume kept the database, the rest (HF_HOME) is new.
        using var second = Run(token, PathOf("home-2"), args);
        var code = await second.ExitAsync();

        Assert.True(code == 0, second.Stderr);
        Assert.Contains("exists; kept it", second.Stderr);
        Assert.DoesNotContain("conflict", second.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("warning", second.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(20, Logged(log).Length);
        Assert.Equal(Logged(log), await RemoteRowsAsync(token, dataset, "db/kept.sqlite"));
    }

    [Fact]
    public async Task A_failed_final_save_exits_non_zero_and_says_so_on_stderr()
    {
        var (_, token) = await hub.CreateUserAsync();
        var (other, _) = await hub.CreateUserAsync();
        var file = PathOf("f.txt");
        // The app succeeds; saving into someone else's namespace cannot.
        using var run = Run(token, PathOf("home"), "-d", $"{other}/not-mine", "--every", "1h", $"{file}=f.txt", "--", Shell, "-c", "echo data > \"$0\"", file);

        var code = await run.ExitAsync();

        Assert.Equal(6, code);
        Assert.Contains($"error: the final save of {file} failed: ", run.Stderr);
        Assert.Contains("the app exited with code 0", run.Stderr);
        Assert.Equal("data\n", await File.ReadAllTextAsync(file));
    }

    /// <summary>A Dockerfile of a doc: its <c>ENV {variable}=</c> line's value and the argv of the first <c>CMD</c> after it.</summary>
    private static (string Target, string[] Cmd) DockerRecipe(string doc, string variable = "HF_PERSIST_DATASET")
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, doc));
        var at = Array.FindIndex(lines, l => l.StartsWith($"ENV {variable}=", StringComparison.Ordinal));
        Assert.True(at >= 0, $"{doc} has no ENV {variable}= line");
        var cmd = lines.Skip(at).First(l => l.StartsWith("CMD [\"hfctl\", \"persist\", \"run\"", StringComparison.Ordinal));
        using var json = System.Text.Json.JsonDocument.Parse(cmd["CMD ".Length..]);
        return (lines[at][$"ENV {variable}=".Length..], [.. json.RootElement.EnumerateArray().Select(e => e.GetString()!)]);
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("SKILL.md")]
    public async Task The_docs_dockerfile_cmd_run_as_written_keeps_every_committed_row_across_a_sigterm(string doc)
    {
        var (documentedDataset, cmd) = DockerRecipe(doc);
        Assert.Equal(["hfctl", "persist", "run", "--every", "5m", "/app/data.db=db/data.sqlite", "--", "python", "app.py"], cmd);
        var (user, token) = await hub.CreateUserAsync();
        var db = PathOf("data.db");
        var log = PathOf("rows.log");
        // The CMD as written, with the container's paths and app replaced by this machine's: hfctl is the
        // built one, /app/data.db a temp file, `python app.py` the writer; the dataset comes from ENV.
        var dash = Array.IndexOf(cmd, "--");
        string[] args = [.. cmd[3..dash].Select(a => a.Replace("/app/data.db", db, StringComparison.Ordinal)), "--", Shell, WriterScript(), db, log, "0", "0", "0"];
        var info = HfCtlProcess.StartInfo(["persist", "run", .. args]);
        info.Environment["HF_ENDPOINT"] = hub.EndpointText;
        info.Environment["HF_TOKEN"] = token;
        info.Environment["HF_HOME"] = PathOf("home");
        info.Environment["HF_PERSIST_DATASET"] = documentedDataset.Replace(documentedDataset.Split('/')[0], user, StringComparison.Ordinal);
        using var run = new Running(info);

        await UntilAsync(() => Logged(log).Length >= 5, "the app wrote rows", run);
        Terminate(run.Process);
        var code = await run.ExitAsync();

        Assert.True(code == 0, run.Stderr);
        Assert.Equal(Logged(log), await RemoteRowsAsync(token, info.Environment["HF_PERSIST_DATASET"]!, "db/data.sqlite"));
        SecretCanary.AssertNoLeak(run.Stderr, "the stderr of persist run");
    }

    [Fact]
    public async Task The_readmes_bucket_dockerfile_cmd_keeps_every_committed_row_and_a_new_container_restores_them_then_saves_on_exit()
    {
        var (documentedBucket, cmd) = DockerRecipe("README.md", "HF_PERSIST_BUCKET");
        Assert.Equal(["hfctl", "persist", "run", "--every", "5m", "--keep", "10", "/app/data.db=db/data.sqlite", "--", "python", "app.py"], cmd);
        var (user, token) = await hub.CreateUserAsync();
        var bucket = documentedBucket.Replace(documentedBucket.Split('/')[0], user, StringComparison.Ordinal);
        var target = PersistenceManager.ParseBucket(bucket).ToString();
        var db = PathOf("data.db");
        var log = PathOf("rows.log");
        var script = WriterScript();
        var dash = Array.IndexOf(cmd, "--");
        Running Container(string home, string max)
        {
            string[] args = [.. cmd[3..dash].Select(a => a.Replace("/app/data.db", db, StringComparison.Ordinal)), "--", Shell, script, db, log, "0", max, "0"];
            var info = HfCtlProcess.StartInfo(["persist", "run", .. args]);
            info.Environment["HF_ENDPOINT"] = hub.EndpointText;
            info.Environment["HF_TOKEN"] = token;
            info.Environment["HF_HOME"] = home;
            info.Environment["HF_PERSIST_BUCKET"] = bucket;
            return new Running(info);
        }

        // First boot: nothing to restore; stopped by SIGTERM while writing.
        using (var first = Container(PathOf("home-1"), "0"))
        {
            await UntilAsync(() => Logged(log).Length >= 5, "the app wrote rows", first);
            Terminate(first.Process);
            Assert.True(await first.ExitAsync() == 0, first.Stderr);
            Assert.Contains($"persist: {target}:db/data.sqlite does not exist yet (first boot)", first.Stderr);
            SecretCanary.AssertNoLeak(first.Stderr, "the stderr of persist run --bucket");
        }
        Assert.Equal(Logged(log), await RemoteRowsAsync(token, target, "db/data.sqlite"));

        // A new container: the local disk is gone, so the database is restored from the bucket, written to, and saved on exit.
        foreach (var file in Directory.EnumerateFiles(_dir, "data.db*").Concat(Directory.EnumerateFiles(_dir, ".data.db*")))
        {
            File.Delete(file);
        }
        var before = Logged(log).Length;
        using var second = Container(PathOf("home-2"), "10");
        Assert.True(await second.ExitAsync() == 0, second.Stderr);
        Assert.Matches($@"persist: restored {System.Text.RegularExpressions.Regex.Escape(target)}:db/data.sqlite at version \S+ to {System.Text.RegularExpressions.Regex.Escape(db)}", second.Stderr);
        Assert.Equal(before + 10, Logged(log).Length);
        Assert.Equal(Logged(log), await RemoteRowsAsync(token, target, "db/data.sqlite"));
    }
}
