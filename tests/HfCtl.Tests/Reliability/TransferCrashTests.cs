using System.Text;
using HfCtl.Testing;
using HfHub;
using HfHub.Files;
using HfHub.Repos;

namespace HfCtl.Tests.Reliability;

/// <summary>
/// Crash suite, transfers: <c>hfctl upload</c> and <c>hfctl download</c> as real processes killed
/// at 50 seeded moments each (seed printed on failure; <c>HFCTL_CRASH_SEED</c> replays one).
/// Invariants: the remote always holds one complete commit, the previous or the next, never a mix
/// or a damaged file; no target path ever holds a partial file; after a kill, the next download
/// serves correct bytes (the cache never serves a truncated blob).
/// </summary>
public sealed class TransferCrashTests(CrashHubFixture hub) : IClassFixture<CrashHubFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfctl-crash-transfer-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static readonly string[] Paths = ["config.json", "notes/readme.txt", "weights/a.bin", "model.safetensors"];

    /// <summary>Version <paramref name="v"/> of the repo: two regular files, an LFS file and a multipart LFS file (5 parts), about 1.4 MB.</summary>
    private static Dictionary<string, byte[]> Version(int v)
    {
        var random = new Random(CrashTesting.Seed ^ (v * 7919));
        byte[] Bytes(int size)
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            return bytes;
        }
        var notes = new StringBuilder();
        for (var i = 0; i < 400; i++)
        {
            notes.Append(System.Globalization.CultureInfo.InvariantCulture, $"version {v} line {i} {random.Next()}\n");
        }
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["config.json"] = Encoding.UTF8.GetBytes($"{{\"version\": {v}}}\n"),
            ["notes/readme.txt"] = Encoding.UTF8.GetBytes(notes.ToString()),
            ["weights/a.bin"] = Bytes(300_000 + v),
            ["model.safetensors"] = Bytes(4 * CrashHubFixture.ChunkSize + 17 + v),
        };
    }

    private static void WriteFolder(string folder, Dictionary<string, byte[]> files)
    {
        foreach (var (path, bytes) in files)
        {
            var full = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
        }
    }

    /// <summary>True when the bytes are the content the remote id names (LFS sha256 or git blob id).</summary>
    private static bool Matches(string id, byte[] bytes) =>
        string.Equals(id, CrashTesting.Sha256(bytes), StringComparison.OrdinalIgnoreCase) || string.Equals(id, CrashTesting.GitBlobId(bytes), StringComparison.OrdinalIgnoreCase);

    /// <summary>Which of the candidate versions the remote holds; fails unless every file is of that one version.</summary>
    private static async Task<int> RemoteVersionAsync(HubClient client, RepoId repo, int round, params int[] candidates)
    {
        var entries = await client.Files.GetPathsInfoAsync(repo, Paths);
        foreach (var v in candidates)
        {
            var files = Version(v);
            if (entries.Count == Paths.Length && entries.All(e => Matches(e.Lfs?.Oid ?? e.Oid, files[e.Path])))
            {
                return v;
            }
        }
        Assert.Fail($"seed {CrashTesting.Seed}, round {round}: the remote holds neither version {string.Join(" nor ", candidates)} complete: "
            + string.Join(", ", entries.Select(e => $"{e.Path}={e.Lfs?.Oid ?? e.Oid}")));
        return -1;
    }

    [Fact]
    public async Task Killing_upload_at_random_moments_leaves_the_remote_at_the_previous_or_the_next_complete_commit()
    {
        var (user, token) = await hub.CreateUserAsync();
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("up")}");
        var crash = new CrashTesting(hub, _dir);
        using var client = crash.Client(token);
        await client.Repos.CreateAsync(repo);
        var source = Path.Combine(_dir, "source");
        var random = new Random(CrashTesting.Seed);

        var startup = await crash.RunOkAsync(token, "--version");
        WriteFolder(source, Version(1));
        var span = await crash.RunOkAsync(token, "upload", repo.ToString(), source, "-m", "version 1");
        var remote = await RemoteVersionAsync(client, repo, 0, 1);
        var clock = new KillClock(random, startup, span);
        var outcomes = new Dictionary<string, int> { ["kills"] = 0, ["remote_previous"] = 0, ["remote_next"] = 0, ["finished_before_kill"] = 0 };
        var round = 0;
        for (; CrashTesting.NeedsMore(outcomes, round); round++)
        {
            var next = round + 2;
            WriteFolder(source, Version(next));
            var killed = await crash.RunAndKillAsync(token, clock, "upload", repo.ToString(), source, "-m", $"version {next}");
            var now = await RemoteVersionAsync(client, repo, round + 1, remote, next);
            outcomes[killed ? "kills" : "finished_before_kill"]++;
            if (killed)
            {
                outcomes[now == next ? "remote_next" : "remote_previous"]++;
            }
            else
            {
                Assert.True(now == next, $"seed {CrashTesting.Seed}, round {round + 1}: the upload finished but the remote is at version {now}");
            }
            remote = now;
        }

        // One kill lands after the commit for certain: the remote is then at the new version, complete.
        var last = round + 2;
        WriteFolder(source, Version(last));
        await crash.KillOnceCommittedAsync(token, repo, RepoType.Model, "upload", repo.ToString(), source, "-m", $"version {last}");
        remote = await RemoteVersionAsync(client, repo, round + 1, last);
        outcomes["killed_after_commit"] = 1;

        // The remote's bytes, not only its ids, are those of the version it names.
        var snapshot = await client.Files.SnapshotDownloadAsync(repo, new SnapshotOptions { LocalDir = Path.Combine(_dir, "check"), Force = true });
        foreach (var (path, bytes) in Version(remote))
        {
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(snapshot.Folder, path))), $"seed {CrashTesting.Seed}: the remote {path} is not version {remote}");
        }
        await CrashTesting.ReportAsync("upload", outcomes);
        var summary = string.Join(", ", outcomes.Select(p => $"{p.Key} {p.Value}"));
        Assert.True(outcomes["kills"] >= CrashTesting.KillsPerCommand, $"seed {CrashTesting.Seed}: too few runs were killed: {summary}");
        // Random kills landed before the commit (after it only now and then: that moment is short, hence the kill above).
        Assert.True(outcomes["remote_previous"] > 0, $"seed {CrashTesting.Seed}: {summary}");
    }

    [Fact]
    public async Task Killing_download_at_random_moments_never_leaves_a_partial_file_and_the_next_download_is_correct()
    {
        var (user, token) = await hub.CreateUserAsync();
        var repo = RepoId.Parse($"{user}/{LocalHubFixture.UniqueName("down")}");
        var crash = new CrashTesting(hub, _dir);
        using var client = crash.Client(token);
        await client.Repos.CreateAsync(repo);
        var v1 = Version(1);
        var v2 = Version(2);
        foreach (var (v, files) in new[] { (1, v1), (2, v2) })
        {
            var commit = new CommitBuilder($"version {v}");
            foreach (var (path, bytes) in files)
            {
                commit.AddFile(path, bytes);
            }
            await client.Files.CommitAsync(repo, commit);
        }
        var random = new Random(CrashTesting.Seed + 1);
        var local = Path.Combine(_dir, "local");
        var cache = Path.Combine(crash.HfHome, "hub");

        var startup = await crash.RunOkAsync(token, "--version");
        var span = await crash.RunOkAsync(token, "download", repo.ToString(), "--local-dir", local);
        Wipe(local);
        var clock = new KillClock(random, startup, span);
        var outcomes = new Dictionary<string, int> { ["kills"] = 0, ["finished_before_kill"] = 0, ["files_old"] = 0, ["files_new"] = 0, ["files_absent"] = 0, ["followups_correct"] = 0 };
        for (var round = 0; CrashTesting.NeedsMore(outcomes, round); round++)
        {
            var where = $"seed {CrashTesting.Seed}, round {round + 1}";
            if (round % 2 == 0)
            {
                // --local-dir over an older copy: each target is the old file or the complete new one.
                WriteFolder(local, v1);
                var killed = await crash.RunAndKillAsync(token, clock, "download", repo.ToString(), "--local-dir", local);
                outcomes[killed ? "kills" : "finished_before_kill"]++;
                foreach (var (path, bytes) in v2)
                {
                    var target = Path.Combine(local, path);
                    var have = File.ReadAllBytes(target);
                    var isNew = have.AsSpan().SequenceEqual(bytes);
                    Assert.True(isNew || have.AsSpan().SequenceEqual(v1[path]), $"{where}: {path} in the local dir is neither the old nor the new file ({have.Length} bytes)");
                    outcomes[isNew ? "files_new" : "files_old"]++;
                }
                // Nothing else appears at a target path (the .incomplete files live under .cache/huggingface/).
                Assert.Equal(Paths.Order(StringComparer.Ordinal), Directory.EnumerateFiles(local, "*", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(local, f).Replace('\\', '/'))
                    .Where(f => !f.StartsWith(".cache/", StringComparison.Ordinal) && f != ".gitattributes").Order(StringComparer.Ordinal));
                await client.Files.SnapshotDownloadAsync(repo, new SnapshotOptions { LocalDir = local });
                foreach (var (path, bytes) in v2)
                {
                    Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(local, path))), $"{where}: the download after the kill left {path} wrong");
                }
                Wipe(local);
            }
            else
            {
                // The shared cache: a snapshot path is absent or complete; the next download resumes what the killed one left.
                var killed = await crash.RunAndKillAsync(token, clock, "download", repo.ToString());
                outcomes[killed ? "kills" : "finished_before_kill"]++;
                foreach (var (path, bytes) in v2)
                {
                    var snapshot = Directory.Exists(cache)
                        ? Directory.EnumerateDirectories(cache, "snapshots", SearchOption.AllDirectories).Select(s => Directory.EnumerateDirectories(s).Select(c => Path.Combine(c, path)).FirstOrDefault(File.Exists)).FirstOrDefault(p => p is not null)
                        : null;
                    if (snapshot is null)
                    {
                        outcomes["files_absent"]++;
                        continue;
                    }
                    Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(snapshot)), $"{where}: the cache serves a partial or wrong {path}");
                    outcomes["files_new"]++;
                }
                CacheAssert.BlobsAreWhole(cache, where);
                foreach (var (path, bytes) in v2)
                {
                    var served = await client.Files.DownloadFileAsync(repo, path);
                    Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(served)), $"{where}: the download after the kill served a wrong {path}");
                }
                outcomes["followups_correct"]++;
                Wipe(cache);
            }
        }
        await CrashTesting.ReportAsync("download", outcomes);
        var summary = string.Join(", ", outcomes.Select(p => $"{p.Key} {p.Value}"));
        Assert.True(outcomes["kills"] >= CrashTesting.KillsPerCommand, $"seed {CrashTesting.Seed}: too few runs were killed: {summary}");
        // Kills landed before any file was done and after some were.
        Assert.True(outcomes["files_new"] > 0 && outcomes["files_old"] + outcomes["files_absent"] > 0, $"seed {CrashTesting.Seed}: {summary}");
    }

    private static void Wipe(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
