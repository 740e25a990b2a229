using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Spaces;

/// <summary>
/// The local hub's Spaces runtime: a stage machine per Space, persisted in SQLite and moved on
/// by a scheduler (and by every read, so that a hub restarted mid-build catches up at once).
/// BUILDING → APP_STARTING → RUNNING (or BUILD_ERROR / RUNTIME_ERROR); pause → PAUSED until a
/// restart; idle past its sleep time → SLEEPING until its app host is requested.
/// </summary>
internal sealed partial class SpaceRuntimeHost : ISpaceHooks, IDisposable
{
    public const string SecretKind = "secret";
    public const string VariableKind = "variable";
    public const string BuildLog = "build";
    public const string RunLog = "run";

    /// <summary>The default sleep time of free hardware: 48 h (recorded <c>gcTimeout</c>).</summary>
    public const long FreeSleepSeconds = 172_800;

    private readonly HubState _state;
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = NewSignal();
    private CancellationTokenSource? _stop;
    private Task? _loop;

    public SpaceRuntimeHost(HubState state, SpaceTimings timings)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        Timings = timings;
        Store = new SpaceStore(state.Database);
    }

    public SpaceTimings Timings { get; }
    public SpaceStore Store { get; }

    /// <summary>
    /// Reads a file of a Space at a revision (null when absent). Wired to the commit store by the
    /// repo routes; without it, changed paths are taken as present with unknown content.
    /// </summary>
    public Func<Repo, string, string, byte[]?>? FileReader { get; set; }

    /// <summary>Reads a small text file of a Space at a commit from the git store (null when absent or stored in LFS).</summary>
    public byte[]? ReadFile(Repo space, string commit, string path)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (FileReader is { } reader)
        {
            return reader(space, commit, path);
        }
        if (_state.Git.GetEntry(space.Id, commit, path) is not { IsDirectory: false, Lfs: false, Sha256: { } sha } || !_state.Blobs.Exists(sha))
        {
            return null;
        }
        return File.ReadAllBytes(_state.Blobs.PathOf(sha));
    }

    /// <summary>Copies the main branch of one Space to a new one as its first commit (duplicate).</summary>
    public void CopyFiles(Repo source, Repo copy, string author)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(copy);
        if (FileCopier is { } copier)
        {
            copier(source, copy);
            return;
        }
        if (_state.Git.ResolveRevision(source.Id, "main") is not { } head)
        {
            return;
        }
        var files = _state.Git.Files(source.Id, head).Values
            .Where(e => e.Sha256 is not null)
            .Select(e => new GitFile(e.Path, e.Oid, e.Size, e.Sha256!, e.Lfs))
            .ToList();
        foreach (var lfs in files.Where(f => f.Lfs))
        {
            _state.Git.AddLfsObject(copy.Id, lfs.Sha256, lfs.Size);
        }
        _state.Git.Commit(copy.Id, "refs/heads/main", null, null, files, author, $"Duplicate from {source.FullName}", "");
    }

    /// <summary>Copies every file of one Space to another as one commit (for duplicate); wired by the repo routes.</summary>
    public Action<Repo, Repo>? FileCopier { get; set; }

    private int _openLogStreams;

    /// <summary>How many log streams are following right now (tests wait on it instead of sleeping).</summary>
    public int OpenLogStreams => Volatile.Read(ref _openLogStreams);

    internal void LogStreamOpened() => Interlocked.Increment(ref _openLogStreams);

    internal void LogStreamClosed() => Interlocked.Decrement(ref _openLogStreams);

    /// <summary>Completes whenever a stage changes or a log line is written (open log streams wait on it).</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    [GeneratedRegex("^[a-zA-Z][_a-zA-Z0-9]*\\z")]
    public static partial Regex KeyRule();

    // ---- scheduler -------------------------------------------------------------------------

    /// <summary>Starts the scheduler (once the hub listens).</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            return;
        }
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Timings.Tick, _state.Clock);
            try
            {
                do
                {
                    try
                    {
                        AdvanceDue();
                    }
                    catch (Exception) when (!token.IsCancellationRequested)
                    {
                        // A locked database or a deleted row: the next tick tries again.
                    }
                }
                while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
            }
        }, token);
    }

    /// <summary>Stops the scheduler; state stays in SQLite and resumes at the next start.</summary>
    public void Stop()
    {
        _stop?.Cancel();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
        _loop = null;
        Pulse();
    }

    public void Dispose()
    {
        Stop();
        _stop?.Dispose();
    }

    /// <summary>Moves every Space whose stage is due.</summary>
    public void AdvanceDue()
    {
        var now = Now();
        foreach (var id in Store.Due(now))
        {
            lock (_gate)
            {
                if (Store.Find(id) is { } row && Advance(row, now))
                {
                    Store.Save(row);
                }
            }
        }
    }

    // ---- hooks from the repo routes ----------------------------------------------------------

    /// <inheritdoc/>
    public string? ValidateCreate(JsonElement body)
    {
        var sdk = String(body, "sdk");
        if (sdk is null)
        {
            return "Invalid sdk: a Space needs an sdk (gradio, docker or static)";
        }
        if (sdk is not ("gradio" or "docker" or "static" or "streamlit"))
        {
            return $"Invalid sdk '{sdk}': expected gradio, docker or static";
        }
        if (String(body, "hardware") is { } hardware)
        {
            if (SpaceHardwareCatalog.Find(hardware) is null && hardware != "zerogpu")
            {
                return SpaceHardwareCatalog.InvalidMessage(hardware);
            }
            if (hardware is "zero-a10g" or "zerogpu" && sdk != "gradio")
            {
                return "If you select 'zero-a10g' or 'zerogpu', the SDK must be Gradio";
            }
        }
        if (body.TryGetProperty("sleepTimeSeconds", out var sleep) && sleep.ValueKind != JsonValueKind.Null
            && (sleep.ValueKind != JsonValueKind.Number || !sleep.TryGetInt64(out var seconds) || (seconds <= 0 && seconds != -1)))
        {
            return "sleepTimeSeconds must be a positive number of seconds, or -1 to never sleep";
        }
        return ValidateSettings(body, "secrets") ?? ValidateSettings(body, "variables");
    }

    /// <inheritdoc/>
    public void OnCreated(Repo space, JsonElement body)
    {
        ArgumentNullException.ThrowIfNull(space);
        var sdk = String(body, "sdk") ?? space.Sdk;
        var hardware = String(body, "hardware") is { } h ? (h == "zerogpu" ? "zero-a10g" : h) : (sdk == "static" ? null : SpaceHardwareCatalog.Default);
        long? gc = sdk == "static" ? null : SpaceHardwareCatalog.IsFree(hardware) ? FreeSleepSeconds : null;
        if (body.TryGetProperty("sleepTimeSeconds", out var sleep) && sleep.ValueKind == JsonValueKind.Number)
        {
            var seconds = sleep.GetInt64();
            gc = seconds == -1 ? null : seconds;
        }
        var now = Now();
        var stamp = _state.Now();
        foreach (var (kind, field) in new[] { (SecretKind, "secrets"), (VariableKind, "variables") })
        {
            foreach (var setting in Settings(body, field))
            {
                Store.UpsertSetting(space.Id, kind, setting.Key, setting.Value, setting.Description, stamp);
            }
        }
        lock (_gate)
        {
            var row = new SpaceRow
            {
                RepoId = space.Id,
                Sdk = sdk,
                Stage = SpaceStages.NoAppFile,
                HardwareRequested = hardware,
                GcTimeout = gc,
                DevMode = body.TryGetProperty("devModeEnabled", out var dev) && dev.ValueKind == JsonValueKind.True,
                LastActivity = now,
                Sha = _state.Git.ResolveRevision(space.Id, "main"),
            };
            // Files in the create body (the Hub OpenAPI's `files`) make the first commit; when the repo
            // routes also report that commit, the build simply starts again from the same content.
            foreach (var (path, content) in CreateFiles(body))
            {
                if (SpaceApps.AppFiles(sdk).Contains(path) && row.AppFile is null)
                {
                    row.AppFile = path;
                    row.AppContent = content;
                }
            }
            if (row.AppFile is not null)
            {
                StartBuild(row, now, factory: false);
            }
            Store.Save(row);
        }
        Pulse();
    }

    /// <inheritdoc/>
    public void OnCommitted(Repo space, string branch, string commitId, IReadOnlyList<string> changedPaths)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(changedPaths);
        if (branch != "main")
        {
            return; // only the main branch is deployed
        }
        var now = Now();
        lock (_gate)
        {
            var row = Load(space, now);
            row.Sha = commitId;
            var candidates = SpaceApps.AppFiles(row.Sdk);
            foreach (var path in changedPaths.Where(candidates.Contains))
            {
                var bytes = ReadFile(space, commitId, path);
                if (bytes is null)
                {
                    if (row.AppFile == path)
                    {
                        row.AppFile = null;
                        row.AppContent = null;
                    }
                    continue;
                }
                row.AppFile = path;
                row.AppContent = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 65_536));
            }
            if (row.AppFile is null)
            {
                row.Stage = SpaceStages.NoAppFile;
                row.NextAt = null;
                row.HardwareCurrent = null;
            }
            else if (row.Stage != SpaceStages.Paused)
            {
                // A paused Space keeps its pause; the next restart builds the new commit.
                StartBuild(row, now, factory: false);
            }
            Store.Save(row);
        }
        Pulse();
    }

    /// <inheritdoc/>
    public void OnDeleted(Repo space)
    {
        ArgumentNullException.ThrowIfNull(space);
        lock (_gate)
        {
            Store.Delete(space.Id);
        }
        Pulse();
    }

    // ---- reads -------------------------------------------------------------------------------

    private static readonly AsyncLocal<Dictionary<string, JsonObject>?> Prefetched = new();

    /// <summary>
    /// Loads the runtimes of a listing page in one query; until disposed, <see cref="Runtime"/>
    /// answers from them (a 1,000-Space page costs one SELECT instead of a thousand).
    /// </summary>
    public IDisposable Prefetch(IReadOnlyList<Repo> spaces)
    {
        Prefetched.Value = Runtimes(spaces);
        return new PrefetchScope();
    }

    private sealed class PrefetchScope : IDisposable
    {
        public void Dispose() => Prefetched.Value = null;
    }

    /// <summary>The Space's runtime object (spaces.md §5), after catching up with the clock.</summary>
    public JsonObject Runtime(Repo space)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (Prefetched.Value is { } prefetched && prefetched.TryGetValue(space.Id, out var cached))
        {
            return cached;
        }
        lock (_gate)
        {
            return RuntimeJson(space, Current(space));
        }
    }

    /// <summary>The Space's stage now.</summary>
    public string Stage(Repo space)
    {
        ArgumentNullException.ThrowIfNull(space);
        lock (_gate)
        {
            return Current(space).Stage;
        }
    }

    /// <summary>The Space's SDK as the runtime knows it.</summary>
    public string? Sdk(Repo space)
    {
        ArgumentNullException.ThrowIfNull(space);
        lock (_gate)
        {
            return Current(space).Sdk;
        }
    }

    /// <summary>
    /// Adds what Space info needs to a repo info object: <c>subdomain</c>, <c>host</c> and, when
    /// asked, <c>runtime</c>. Called by the repo info and listing routes for Spaces.
    /// </summary>
    public void AddInfoFields(Repo space, JsonObject info, bool includeRuntime = true)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(info);
        info["subdomain"] = Subdomain(space);
        info["host"] = Host(space);
        if (includeRuntime)
        {
            info["runtime"] = Runtime(space);
        }
    }

    /// <summary>Runtimes of many Spaces at once, for listings with <c>expand=runtime</c>.</summary>
    public Dictionary<string, JsonObject> Runtimes(IReadOnlyList<Repo> spaces)
    {
        ArgumentNullException.ThrowIfNull(spaces);
        var now = Now();
        var result = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        lock (_gate)
        {
            var rows = Store.FindMany([.. spaces.Select(s => s.Id)]);
            foreach (var space in spaces)
            {
                if (!rows.TryGetValue(space.Id, out var row))
                {
                    row = NewRow(space, now);
                    Store.Save(row);
                }
                else if (Advance(row, now))
                {
                    Store.Save(row);
                }
                result[space.Id] = RuntimeJson(space, row);
            }
        }
        return result;
    }

    /// <summary>The app's subdomain: the id in lower case with '/', '_' and '.' as '-' (spaces.md §4).</summary>
    public static string Subdomain(Repo space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return SubdomainOf(space.FullName);
    }

    public static string SubdomainOf(string fullName)
    {
        ArgumentNullException.ThrowIfNull(fullName);
        return fullName.ToLowerInvariant().Replace('/', '-').Replace('_', '-').Replace('.', '-');
    }

    /// <summary>
    /// The app's origin. The real Hub says <c>https://{subdomain}.hf.space</c>; here the app is
    /// served by the hub itself under <c>/_spaces/{subdomain}</c>, so that the URL works offline.
    /// </summary>
    public string Host(Repo space) => $"{_state.Endpoint.ToString().TrimEnd('/')}/_spaces/{Subdomain(space)}";

    // ---- lifecycle ---------------------------------------------------------------------------

    public JsonObject Restart(Repo space, bool factory)
    {
        ArgumentNullException.ThrowIfNull(space);
        var now = Now();
        lock (_gate)
        {
            var row = Load(space, now);
            if (row.AppFile is null)
            {
                row.Stage = SpaceStages.NoAppFile;
                row.NextAt = null;
            }
            else
            {
                StartBuild(row, now, factory);
            }
            Store.Save(row);
            Pulse();
            return RuntimeJson(space, row);
        }
    }

    public JsonObject Pause(Repo space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var now = Now();
        lock (_gate)
        {
            var row = Load(space, now);
            row.Stage = SpaceStages.Paused;
            row.NextAt = null;
            row.HardwareCurrent = null;
            row.ErrorMessage = null;
            Log(row, RunLog, "Space paused by its owner: it stays paused until it is restarted");
            Store.Save(row);
            Pulse();
            return RuntimeJson(space, row);
        }
    }

    /// <summary>Sets the sleep time in seconds (-1 = never). Returns an error message, or null.</summary>
    public string? SetSleepTime(Repo space, long seconds, out JsonObject? runtime)
    {
        ArgumentNullException.ThrowIfNull(space);
        runtime = null;
        if (seconds <= 0 && seconds != -1)
        {
            return "seconds must be a positive number of seconds, or -1 to never sleep";
        }
        var now = Now();
        lock (_gate)
        {
            var row = Load(space, now);
            if (row.HardwareRequested == "zero-a10g")
            {
                return "Cannot change the sleep time for zero-a10g Spaces.";
            }
            row.GcTimeout = seconds == -1 ? null : seconds;
            if (row.Stage == SpaceStages.Running)
            {
                row.LastActivity = now;
                row.NextAt = SleepAt(row);
            }
            Store.Save(row);
            runtime = RuntimeJson(space, row);
            return null;
        }
    }

    /// <summary>Requests a flavor: <c>requested</c> changes now, <c>current</c> once the rebuild runs.</summary>
    public JsonObject RequestHardware(Repo space, string flavor, long? sleepTimeSeconds)
    {
        ArgumentNullException.ThrowIfNull(space);
        var now = Now();
        lock (_gate)
        {
            var row = Load(space, now);
            var wasFree = SpaceHardwareCatalog.IsFree(row.HardwareRequested);
            row.HardwareRequested = flavor;
            if (sleepTimeSeconds is { } seconds)
            {
                row.GcTimeout = seconds == -1 ? null : seconds;
            }
            else if (wasFree != SpaceHardwareCatalog.IsFree(flavor))
            {
                // Upgraded hardware never sleeps unless asked; free hardware sleeps after 48 h.
                row.GcTimeout = SpaceHardwareCatalog.IsFree(flavor) ? FreeSleepSeconds : null;
            }
            if (row.AppFile is not null && row.Stage != SpaceStages.Paused)
            {
                StartBuild(row, now, factory: false);
            }
            Store.Save(row);
            Pulse();
            return RuntimeJson(space, row);
        }
    }

    public JsonObject SetDevMode(Repo space, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(space);
        var now = Now();
        lock (_gate)
        {
            var row = Load(space, now);
            row.DevMode = enabled;
            Store.Save(row);
            return RuntimeJson(space, row);
        }
    }

    /// <summary>Upserts or deletes a secret or variable; a running app restarts to pick it up.</summary>
    public void ChangeSetting(Repo space, string kind, string key, string? value, string? description)
    {
        ArgumentNullException.ThrowIfNull(space);
        var now = Now();
        lock (_gate)
        {
            var row = Load(space, now);
            var changed = value is null
                ? Store.DeleteSetting(space.Id, kind, key)
                : Upsert(space.Id, kind, key, value, description);
            if (changed && row.Stage is SpaceStages.Running or SpaceStages.AppStarting)
            {
                StartApp(row, now, $"Restarting: the {kind} {key} changed");
            }
            Store.Save(row);
        }
        Pulse();
    }

    private bool Upsert(string repoId, string kind, string key, string value, string? description)
    {
        Store.UpsertSetting(repoId, kind, key, value, description, _state.Now());
        return true;
    }

    /// <summary>A request to the app host: served when RUNNING, wakes a SLEEPING Space, 503 otherwise.</summary>
    public (int Status, string Body, string? Stage) AppRequest(Repo space, string method, string path)
    {
        ArgumentNullException.ThrowIfNull(space);
        var now = Now();
        lock (_gate)
        {
            var row = Load(space, now);
            switch (row.Stage)
            {
                case SpaceStages.Running:
                    row.LastActivity = now;
                    Log(row, RunLog, $"INFO:     127.0.0.1:0 - \"{method} {path} HTTP/1.1\" 200 OK");
                    Store.Save(row);
                    Pulse();
                    return (200, AppPage(space, row), row.Stage);
                case SpaceStages.Sleeping:
                    StartApp(row, now, "Waking up: a visitor requested the app");
                    Store.Save(row);
                    Pulse();
                    return (503, "This Space is waking up. Retry in a moment.", row.Stage);
                case SpaceStages.Paused:
                    return (503, "This Space has been paused by its author.", row.Stage);
                default:
                    return (503, $"This Space is not running (stage {row.Stage}).", row.Stage);
            }
        }
    }

    /// <summary>Applies a duplicate's source state and options to the new Space (same running or paused state).</summary>
    public void OnDuplicated(Repo source, Repo copy, JsonElement body)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(copy);
        var now = Now();
        lock (_gate)
        {
            var from = Load(source, now);
            var row = NewRow(copy, now);
            row.Sdk = from.Sdk;
            row.HardwareRequested = String(body, "hardware") ?? from.HardwareRequested;
            row.GcTimeout = from.GcTimeout;
            if (body.TryGetProperty("sleepTimeSeconds", out var sleep) && sleep.ValueKind == JsonValueKind.Number)
            {
                row.GcTimeout = sleep.GetInt64() == -1 ? null : sleep.GetInt64();
            }
            row.AppFile = from.AppFile;
            row.AppContent = from.AppContent;
            row.Sha = _state.Git.ResolveRevision(copy.Id, "main");
            foreach (var (kind, field) in new[] { (SecretKind, "secrets"), (VariableKind, "variables") })
            {
                foreach (var setting in Settings(body, field))
                {
                    Store.UpsertSetting(copy.Id, kind, setting.Key, setting.Value, setting.Description, _state.Now());
                }
            }
            if (from.Stage == SpaceStages.Paused)
            {
                row.Stage = SpaceStages.Paused;
            }
            else if (row.AppFile is not null)
            {
                StartBuild(row, now, factory: false);
            }
            Store.Save(row);
        }
        Pulse();
    }

    // ---- the stage machine ---------------------------------------------------------------------

    private SpaceRow Load(Repo space, long now)
    {
        var row = Store.Find(space.Id) ?? NewRow(space, now);
        Advance(row, now);
        return row;
    }

    private SpaceRow Current(Repo space)
    {
        var now = Now();
        var row = Store.Find(space.Id);
        if (row is null)
        {
            row = NewRow(space, now);
            Store.Save(row);
        }
        else if (Advance(row, now))
        {
            Store.Save(row);
        }
        return row;
    }

    private static SpaceRow NewRow(Repo space, long now) => new()
    {
        RepoId = space.Id,
        Sdk = space.Sdk,
        Stage = SpaceStages.NoAppFile,
        HardwareRequested = space.Sdk == "static" ? null : SpaceHardwareCatalog.Default,
        GcTimeout = space.Sdk == "static" ? null : FreeSleepSeconds,
        LastActivity = now,
    };

    /// <summary>Applies every transition due by <paramref name="now"/>, each at its own due time; true if anything changed.</summary>
    private bool Advance(SpaceRow row, long now)
    {
        var changed = false;
        for (var guard = 0; guard < 16 && row.NextAt is { } at && at <= now; guard++)
        {
            Step(row, at);
            changed = true;
        }
        if (changed)
        {
            Pulse();
        }
        return changed;
    }

    private void Step(SpaceRow row, long at)
    {
        switch (row.Stage)
        {
            case SpaceStages.Building:
                if (SpaceApps.BuildError(row.Sdk, row.AppFile, row.AppContent) is { } error)
                {
                    Log(row, BuildLog, "ERROR: " + error, at);
                    row.Stage = SpaceStages.BuildError;
                    row.ErrorMessage = "Build failed: " + error;
                    row.NextAt = null;
                    row.HardwareCurrent = null;
                    return;
                }
                Log(row, BuildLog, "--> Pushing image", at);
                Log(row, BuildLog, "DONE", at);
                StartApp(row, at, null);
                return;
            case SpaceStages.AppStarting:
                if (SpaceApps.RuntimeError(row.Sdk, row.AppContent) is { } failure)
                {
                    Log(row, RunLog, failure, at);
                    row.Stage = SpaceStages.RuntimeError;
                    row.ErrorMessage = failure;
                    row.NextAt = null;
                    row.HardwareCurrent = null;
                    return;
                }
                row.Stage = SpaceStages.Running;
                row.HardwareCurrent = row.HardwareRequested;
                row.ErrorMessage = null;
                row.LastActivity = at;
                Log(row, RunLog, "INFO:     Started server process [7]", at);
                Log(row, RunLog, "INFO:     Application startup complete.", at);
                Log(row, RunLog, "INFO:     Uvicorn running on http://0.0.0.0:7860 (Press CTRL+C to quit)", at);
                row.NextAt = SleepAt(row);
                return;
            case SpaceStages.Running:
                var due = SleepAt(row);
                if (due is { } sleepAt && sleepAt <= at)
                {
                    row.Stage = SpaceStages.Sleeping;
                    row.HardwareCurrent = null;
                    row.NextAt = null;
                    Log(row, RunLog, $"Space is sleeping: no traffic for {row.GcTimeout} s", at);
                }
                else
                {
                    row.NextAt = due;
                }
                return;
            default:
                row.NextAt = null;
                return;
        }
    }

    private long? SleepAt(SpaceRow row)
    {
        if (row.GcTimeout is not { } seconds)
        {
            return null;
        }
        var unit = Timings.SleepSecond.TotalMilliseconds;
        var delay = Math.Min(seconds * unit, 100L * 365 * 24 * 3600 * 1000);
        return row.LastActivity + (long)delay;
    }

    private void StartBuild(SpaceRow row, long now, bool factory)
    {
        if (row.Sdk == "static")
        {
            // Static Spaces are served as they are: no build, no container, no hardware.
            row.Stage = SpaceStages.Running;
            row.NextAt = null;
            row.ErrorMessage = null;
            return;
        }
        Store.ClearLogs(row.RepoId, BuildLog);
        row.Stage = SpaceStages.Building;
        row.ErrorMessage = null;
        row.NextAt = now + (long)Timings.Build.TotalMilliseconds;
        var sha = row.Sha is { Length: >= 7 } s ? s[..7] : "HEAD";
        Log(row, BuildLog, $"===== Build Queued at {Stamp(now)} / Commit SHA: {sha} =====", now);
        if (factory)
        {
            Log(row, BuildLog, "--> Factory rebuild: building without cache", now);
        }
        var secrets = Store.Settings(row.RepoId, SecretKind).Select(s => s.Key).ToList();
        if (secrets.Count > 0)
        {
            // Names only: secret values never reach a log.
            Log(row, BuildLog, $"--> Secrets available to the build: {string.Join(", ", secrets)}", now);
        }
        foreach (var step in SpaceApps.BuildSteps(row.Sdk, row.AppContent))
        {
            Log(row, BuildLog, step, now);
        }
    }

    private void StartApp(SpaceRow row, long now, string? reason)
    {
        Store.ClearLogs(row.RepoId, RunLog);
        row.Stage = SpaceStages.AppStarting;
        row.NextAt = now + (long)Timings.Start.TotalMilliseconds;
        if (reason is not null)
        {
            Log(row, RunLog, reason, now);
        }
        Log(row, RunLog, $"===== Application Startup at {Stamp(now)} =====", now);
    }

    private void Log(SpaceRow row, string kind, string line, long? at = null) =>
        Store.AppendLogs(row.RepoId, kind, Stamp(at ?? Now()), [line + "\n"]);

    private JsonObject RuntimeJson(Repo space, SpaceRow row)
    {
        var runtime = new JsonObject
        {
            ["stage"] = row.Stage,
            ["hardware"] = new JsonObject
            {
                ["current"] = row.HardwareCurrent,
                ["requested"] = row.HardwareRequested,
            },
            ["storage"] = null,
        };
        var replicas = new JsonObject { ["requested"] = 1 };
        if (row.Stage == SpaceStages.Running)
        {
            replicas["current"] = 1;
        }
        if (row.Sdk == "static")
        {
            // As recorded for static Spaces: no gcTimeout, devMode or domains.
            runtime["replicas"] = replicas;
            return runtime;
        }
        runtime["gcTimeout"] = row.GcTimeout;
        runtime["replicas"] = replicas;
        runtime["devMode"] = row.DevMode;
        // The real domain is {subdomain}.hf.space; here the app lives under the hub's own address.
        var host = new Uri(Host(space));
        runtime["domains"] = new JsonArray(new JsonObject { ["domain"] = host.Authority + host.AbsolutePath, ["stage"] = "READY" });
        if (row.ErrorMessage is not null)
        {
            runtime["errorMessage"] = row.ErrorMessage;
        }
        runtime["sdk"] = row.Sdk;
        return runtime;
    }

    private static string AppPage(Repo space, SpaceRow row)
    {
        if (row.Sdk == "static" && row.AppContent is { } html)
        {
            return html;
        }
        var name = System.Net.WebUtility.HtmlEncode(space.FullName);
        return $"<!doctype html><html><head><title>{name}</title></head><body><h1>{name}</h1><p>Running on the hfctl local hub ({row.Sdk}, {row.HardwareCurrent}).</p></body></html>\n";
    }

    // ---- helpers -------------------------------------------------------------------------------

    private long Now() => _state.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static string Stamp(long ms) => HubIds.Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(ms));

    private void Pulse()
    {
        var old = Interlocked.Exchange(ref _changed, NewSignal());
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string? String(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The 400 message for a bad secret or variable key, or null.</summary>
    public static string? KeyError(string? key, string kind) =>
        key is null || !KeyRule().IsMatch(key)
            ? $"Invalid {kind} key '{key}': it must start with a letter and contain only letters, digits and '_' (^[a-zA-Z][_a-zA-Z0-9]*$)"
            : null;

    private static string? ValidateSettings(JsonElement body, string field)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(field, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            return $"{field} must be an array of {{key, value, description}}";
        }
        foreach (var item in list.EnumerateArray())
        {
            var key = item.ValueKind == JsonValueKind.Object ? String(item, "key") : null;
            if (KeyError(key, field.TrimEnd('s')) is { } error)
            {
                return error;
            }
        }
        return null;
    }

    private static IEnumerable<(string Key, string Value, string? Description)> Settings(JsonElement body, string field)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(field, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        foreach (var item in list.EnumerateArray())
        {
            if (String(item, "key") is { } key && KeyRule().IsMatch(key))
            {
                yield return (key, String(item, "value") ?? "", String(item, "description"));
            }
        }
    }

    private static IEnumerable<(string Path, string? Content)> CreateFiles(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        foreach (var file in files.EnumerateArray())
        {
            if (String(file, "path") is not { } path)
            {
                continue;
            }
            var content = String(file, "content") ?? "";
            string? text;
            if (String(file, "encoding") == "base64")
            {
                try
                {
                    text = Encoding.UTF8.GetString(Convert.FromBase64String(content));
                }
                catch (FormatException)
                {
                    text = null;
                }
            }
            else
            {
                text = content;
            }
            yield return (path, text);
        }
    }

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
