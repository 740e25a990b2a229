using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HfCtl.Testing;
using HfHub.Auth;
using HfHub.Files;
using HfHub.Http;
using HfHub.LocalHub;
using HfHub.LocalHub.Faults;
using HfHub.LocalHub.Spaces;
using HfHub.Persistence;
using HfHub.Repos;
using HfHub.Spaces;
using HfHub.Tests.Files;
using Microsoft.Data.Sqlite;

namespace HfHub.Tests.Reliability;

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class FaultSuiteJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>A local hub with small multipart parts and fast Spaces; faults are switched on per test.</summary>
public sealed class FaultSuiteHubFixture : LocalHubFixture
{
    public const int ChunkSize = 64 * 1024;

    protected override void Configure(LocalHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LfsChunkSize = ChunkSize;
        options.Spaces = SpaceTimings.Fast();
    }
}

/// <summary>
/// The fault suite: one fixed workload (create a repo, upload 200 files in 10 commits — regular, LFS
/// and one multipart file —, download them all, a Space's lifecycle, a persistence save and restore)
/// through the library while the hub fails 5%, 10% or 20% of requests with 500, 429 + Retry-After,
/// dropped connections, cut-off bodies and slow answers. Every operation either succeeds with the
/// right bytes or fails with a clear <see cref="HubException"/>; no target path ever holds a partial
/// or wrong file, and the remote never holds a corrupted one. The figures go to
/// <c>$HFCTL_RELIABILITY_OUT/faults-&lt;pct&gt;.json</c> when that variable is set (see bench/reliability).
/// The per-file tests of the retry machinery stay in <see cref="FaultToleranceTests"/>.
/// </summary>
public sealed class FaultSuiteTests(FaultSuiteHubFixture hub) : IClassFixture<FaultSuiteHubFixture>, IDisposable
{
    private const int FileCount = 200;
    private const int Commits = 10;
    private const int Seed = 20261126;

    // The library's default retry count, with short waits so the suite runs in seconds.
    private static readonly RetryPolicy Retries = new() { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(250) };

    private readonly string _home = FilesTesting.TempDir("hfhub-fault-suite-");

    public void Dispose()
    {
        hub.Hub.Faults.Options = FaultOptions.None;
        Directory.Delete(_home, recursive: true);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(20)]
    public async Task The_fixed_workload_under_faults_ends_in_right_bytes_or_clear_errors_and_never_a_partial_file(int percent)
    {
        var timer = Stopwatch.StartNew();
        var (user, token) = await hub.CreateUserAsync();
        var home = Path.Combine(_home, $"p{percent}");
        Directory.CreateDirectory(home);
        var tally = new Tally();
        var files = Workload(percent);
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("faults")}");

        hub.Hub.Faults.Options = FaultOptions.Parse(
            $"rate={percent / 100.0:0.00},kinds=500+429+drop+truncate+slow,seed={Seed + percent},delay=100,retry-after=1");
        using (var client = Client(token, home))
        {
            // 1. Create the repo (the rest needs it: a failed attempt is counted and tried again).
            for (var i = 0; i < 5 && !await tally.RunAsync("repo create", () => client.Repos.CreateAsync(repo, new CreateRepoOptions { ExistOk = true })); i++)
            {
            }

            // 2. Upload 200 files in 10 commits.
            var committed = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var paths = files.Keys.Order(StringComparer.Ordinal).ToList();
            for (var c = 0; c < Commits; c++)
            {
                var part = paths.Skip(c * FileCount / Commits).Take(FileCount / Commits).ToList();
                var builder = new CommitBuilder($"fault suite part {c + 1}");
                foreach (var path in part)
                {
                    builder.AddFile(path, files[path]);
                }
                if (await tally.RunAsync("upload commit", () => client.Files.CommitAsync(repo, builder, new CommitOptions { MaxParallelFiles = 4 })))
                {
                    foreach (var path in part)
                    {
                        committed[path] = files[path];
                    }
                }
            }

            // 3. Download every committed file into the cache and check its bytes.
            var downloaded = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
            await Parallel.ForEachAsync(committed.Keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (path, _) =>
            {
                string? local = null;
                if (await tally.RunAsync("download", async () => local = await client.Files.DownloadFileAsync(repo, path)))
                {
                    downloaded[path] = local!;
                }
            });
            foreach (var (path, local) in downloaded)
            {
                var bytes = await File.ReadAllBytesAsync(local);
                Assert.True(Sha256(bytes) == Sha256(committed[path]), $"{percent}%: {path} was downloaded with wrong bytes");
                tally.BytesVerified += bytes.Length;
            }

            // 4. A Space's lifecycle.
            await SpaceLifecycleAsync(client, $"{user}/{LocalHubFixture.UniqueName("space")}", tally);

            // 5. Persistence: save a database, change it, save again, restore each time.
            await PersistenceAsync(token, $"{user}/{LocalHubFixture.UniqueName("data")}", home, tally);

            tally.Injected = hub.Hub.Faults.Counts.ToDictionary(p => FaultOptions.KindName(p.Key), p => p.Value);
            hub.Hub.Faults.Options = FaultOptions.None;

            // No target path holds a partial or wrong file: every file in the cache's snapshots and
            // blobs is complete and correct (partial downloads only live as *.incomplete beside blobs).
            tally.TargetFilesChecked += CheckCache(Path.Combine(home, "hub"), files);

            // The remote holds exactly the committed files, none corrupted.
            if (tally.Succeeded("repo create") > 0)
            {
                var snapshot = await client.Files.SnapshotDownloadAsync(repo, new SnapshotOptions { LocalDir = Path.Combine(home, "check"), Force = true });
                foreach (var path in snapshot.Files.Where(p => p != ".gitattributes"))
                {
                    Assert.True(files.ContainsKey(path), $"{percent}%: the remote holds {path}, which was never uploaded");
                    var bytes = await File.ReadAllBytesAsync(Path.Combine(snapshot.Folder, path));
                    Assert.True(Sha256(bytes) == Sha256(files[path]), $"{percent}%: the remote copy of {path} is corrupted");
                }
                Assert.True(committed.Keys.All(snapshot.Files.Contains), $"{percent}%: a commit reported as made is missing from the remote");
                tally.RemoteFilesChecked = snapshot.Files.Count;
            }
        }
        tally.Seconds = timer.Elapsed.TotalSeconds;
        tally.Percent = percent;
        await tally.WriteAsync();

        Assert.True(tally.Unclear.IsEmpty, $"{percent}%: failures without a clear error:\n{string.Join("\n", tally.Unclear)}");
        Assert.True(tally.Injected.Values.Sum() >= 10, $"{percent}%: only {tally.Injected.Values.Sum()} faults were injected");
        Assert.True(tally.Injected.Count >= 4, $"{percent}%: only these kinds were injected: {string.Join(", ", tally.Injected.Keys)}");
        // Retries absorb most faults: the bulk of the workload succeeds even at 20%.
        Assert.True(tally.SucceededTotal >= tally.AttemptedTotal * 0.9, tally.Summary());
    }

    private HubClient Client(string token, string home) => new(new HubClientOptions
    {
        Endpoint = hub.Endpoint,
        Token = HfToken.FromValue(token),
        Retry = Retries,
        Environment = new HfEnvironment(name => name == "HF_HOME" ? home : null, home),
    });

    private static async Task SpaceLifecycleAsync(HubClient client, string space, Tally tally)
    {
        var created = false;
        for (var i = 0; i < 5 && !created; i++)
        {
            created = await tally.RunAsync("space create", () => client.Spaces.CreateAsync(space, new SpaceCreateOptions
            {
                Sdk = "docker",
                ExistOk = true,
                Files =
                [
                    new SpaceFile("Dockerfile", Encoding.UTF8.GetBytes(SpacesHubFixture.GoodDockerfile)),
                    new SpaceFile("app.py", "print('fault suite')\n"u8.ToArray()),
                ],
            }));
        }
        if (!created)
        {
            return;
        }
        var wait = new SpaceWaitOptions { Timeout = TimeSpan.FromSeconds(20), PollInterval = TimeSpan.FromMilliseconds(20) };
        await tally.RunAsync("space wait", () => client.Spaces.WaitAsync(space, wait));
        await tally.RunAsync("space restart", () => client.Spaces.RestartAsync(space));
        await tally.RunAsync("space pause", () => client.Spaces.PauseAsync(space));
        await tally.RunAsync("space wake", () => client.Spaces.WakeUpAsync(space, wait));
        await tally.RunAsync("space hardware", () => client.Spaces.RequestHardwareAsync(space, "cpu-upgrade"));
        await tally.RunAsync("space secret set", () => client.Spaces.SetSecretAsync(space, "API_KEY", "fault-suite-secret-value"));
        await tally.RunAsync("space secrets list", async () =>
        {
            var secrets = await client.Spaces.ListSecretsAsync(space);
            Assert.Contains(secrets, s => s.Key == "API_KEY");
        });
        await tally.RunAsync("space secret delete", () => client.Spaces.DeleteSecretAsync(space, "API_KEY"));
    }

    private async Task PersistenceAsync(string token, string dataset, string home, Tally tally)
    {
        var db = Path.Combine(home, "app.db");
        CreateDatabase(db);
        using var persistence = new PersistenceManager(dataset, new PersistenceOptions
        {
            ClientOptions = new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token), Retry = Retries, Environment = new HfEnvironment(_ => null, home) },
            TempDirectory = home,
        });
        for (var round = 0; round < 2; round++)
        {
            Execute(db, $"INSERT INTO rows(payload) VALUES ('round {round}')");
            SaveResult? saved = null;
            if (!await tally.RunAsync("persist save", async () => saved = await persistence.SaveAsync(db, "db/app.sqlite")))
            {
                continue;
            }
            var target = Path.Combine(home, $"restored-{round}.db");
            RestoreResult? restored = null;
            var ok = await tally.RunAsync("persist restore", async () => restored = await persistence.RestoreAsync("db/app.sqlite", target));
            if (ok)
            {
                Assert.Equal(saved!.Sha256, restored!.Sha256);
                Assert.Equal(saved.Sha256, Sha256(await File.ReadAllBytesAsync(target)));
                Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(target));
                tally.BytesVerified += restored.Size;
            }
            else
            {
                // A failed restore leaves nothing at the target path.
                Assert.False(File.Exists(target), $"a failed restore left {target} behind");
            }
            tally.TargetFilesChecked++;
            // No temp file of the restore is left beside the target either; a restored file has its
            // lineage record (".<name>.hfpersist.json": which remote version it came from), a failed
            // restore has none.
            var record = Path.Combine(home, $".{Path.GetFileName(target)}.hfpersist.json");
            Assert.Equal(File.Exists(target), File.Exists(record));
            Assert.DoesNotContain(Directory.EnumerateFiles(home), f => Path.GetFileName(f) is var n && n.Contains("restored-", StringComparison.Ordinal)
                && !n.EndsWith(".db", StringComparison.Ordinal) && !n.EndsWith(".db.hfpersist.json", StringComparison.Ordinal));
        }
    }

    /// <summary>Checks every snapshot and blob in the cache against the expected content; returns how many were checked.</summary>
    private static int CheckCache(string cache, Dictionary<string, byte[]> files)
    {
        var checkedFiles = 0;
        if (!Directory.Exists(cache))
        {
            return 0;
        }
        foreach (var snapshotRoot in Directory.EnumerateDirectories(cache, "snapshots", SearchOption.AllDirectories))
        {
            foreach (var file in Directory.EnumerateFiles(snapshotRoot, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(snapshotRoot, file).Replace('\\', '/');
                var path = relative[(relative.IndexOf('/', StringComparison.Ordinal) + 1)..];
                Assert.True(files.TryGetValue(path, out var expected), $"unexpected file in the cache: {relative}");
                Assert.True(Sha256(File.ReadAllBytes(file)) == Sha256(expected), $"the cached {relative} is partial or wrong");
                checkedFiles++;
            }
        }
        checkedFiles += CacheAssert.BlobsAreWhole(cache, "the cache");
        return checkedFiles;
    }

    /// <summary>200 files: 179 small text files, 20 LFS binaries below the part size and one multipart file of 6 parts.</summary>
    private static Dictionary<string, byte[]> Workload(int salt)
    {
        var random = new Random(Seed + salt);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < 179; i++)
        {
            var text = new StringBuilder();
            for (var line = random.Next(1, 40); line > 0; line--)
            {
                text.Append(CultureInfo.InvariantCulture, $"{salt}:{i}:{random.Next()}\n");
            }
            files[$"text/{i:000}.txt"] = Encoding.UTF8.GetBytes(text.ToString());
        }
        for (var i = 0; i < 20; i++)
        {
            files[$"weights/{i:00}.bin"] = FilesTesting.RandomBytes(random.Next(1_000, 60_000), Seed + salt * 100 + i);
        }
        files["weights/large.safetensors"] = FilesTesting.RandomBytes(5 * FaultSuiteHubFixture.ChunkSize + 123, Seed + salt);
        return files;
    }

    private static void CreateDatabase(string path)
    {
        Execute(path, "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS rows(id INTEGER PRIMARY KEY, payload TEXT NOT NULL);"
            + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO rows(payload) SELECT hex(randomblob(200)) FROM n");
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Counts operations and their outcomes; an outcome is clear when it is a one-line <see cref="HubException"/>.</summary>
    private sealed class Tally
    {
        private readonly ConcurrentDictionary<string, int[]> _ops = new(StringComparer.Ordinal);

        public ConcurrentBag<string> Unclear { get; } = [];
        public ConcurrentBag<string> Clear { get; } = [];
        public long BytesVerified { get; set; }
        public int TargetFilesChecked { get; set; }
        public int RemoteFilesChecked { get; set; }
        public Dictionary<string, long> Injected { get; set; } = [];
        public double Seconds { get; set; }
        public int Percent { get; set; }

        public int AttemptedTotal => _ops.Values.Sum(v => v[0]);
        public int SucceededTotal => _ops.Values.Sum(v => v[1]);
        public int ClearTotal => _ops.Values.Sum(v => v[2]);

        public int Succeeded(string name) => _ops.TryGetValue(name, out var v) ? v[1] : 0;

        public async Task<bool> RunAsync(string name, Func<Task> operation)
        {
            var counts = _ops.GetOrAdd(name, _ => new int[3]);
            Interlocked.Increment(ref counts[0]);
            try
            {
                await operation();
                Interlocked.Increment(ref counts[1]);
                return true;
            }
            catch (HubException e) when (!string.IsNullOrWhiteSpace(e.Message) && !e.Message.Contains('\n', StringComparison.Ordinal))
            {
                Interlocked.Increment(ref counts[2]);
                Clear.Add($"{name}: {e.GetType().Name}: {e.Message}");
                return false;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Unclear.Add($"{name}: {e.GetType().Name}: {e.Message}");
                return false;
            }
        }

        public string Summary() =>
            $"{Percent}%: attempted {AttemptedTotal}, succeeded {SucceededTotal}, clear errors {ClearTotal}, unclear {Unclear.Count}; "
            + string.Join(", ", _ops.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value[1]}/{p.Value[0]}"));

        public async Task WriteAsync()
        {
            if (Environment.GetEnvironmentVariable("HFCTL_RELIABILITY_OUT") is not { Length: > 0 } folder)
            {
                return;
            }
            Directory.CreateDirectory(folder);
            var json = new StringBuilder();
            json.Append(CultureInfo.InvariantCulture, $"{{\"suite\":\"faults\",\"rate_percent\":{Percent},\"attempted\":{AttemptedTotal},\"succeeded\":{SucceededTotal},");
            json.Append(CultureInfo.InvariantCulture, $"\"failed_clear\":{ClearTotal},\"failed_unclear\":{Unclear.Count},\"bytes_verified\":{BytesVerified},");
            json.Append(CultureInfo.InvariantCulture, $"\"target_files_checked\":{TargetFilesChecked},\"remote_files_checked\":{RemoteFilesChecked},\"corrupted_or_partial\":0,");
            json.Append(CultureInfo.InvariantCulture, $"\"seconds\":{Seconds:0.0},\"injected\":{{{string.Join(",", Injected.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{p.Value}"))}}},");
            json.Append("\"operations\":{");
            json.Append(string.Join(",", _ops.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{{\"attempted\":{p.Value[0]},\"succeeded\":{p.Value[1]},\"failed_clear\":{p.Value[2]}}}")));
            json.Append("},\"errors\":[");
            json.Append(string.Join(",", Clear.Concat(Unclear).Order(StringComparer.Ordinal).Select(e => System.Text.Json.JsonSerializer.Serialize(e, FaultSuiteJson.Default.String))));
            json.Append("]}\n");
            await File.WriteAllTextAsync(Path.Combine(folder, $"faults-{Percent:00}.json"), json.ToString());
        }
    }
}
