using System.Text;
using System.Text.Json;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Spaces;

/// <summary>
/// The local hub's Spaces runtime, as the routes see it: what a Space's creation, commits,
/// duplication and deletion do to it, its lifecycle verbs (restart, pause, sleep time, hardware,
/// dev mode, secrets and variables), its runtime object and its app's answers. The stages move in
/// <see cref="SpaceStageMachine"/>, on a clock driven by <see cref="SpaceScheduler"/>; the
/// lifecycle verbs are in <c>SpaceRuntimeHost.Lifecycle.cs</c>, volumes in <c>SpaceRuntimeHost.Volumes.cs</c>.
/// </summary>
internal sealed partial class SpaceRuntimeHost : ISpaceHooks, IDisposable
{
    private readonly HubState _state;
    private readonly SpaceStageMachine _machine;
    private readonly SpaceScheduler _scheduler;
    private readonly SpaceRepoFiles _files;
    private readonly SpaceChangeSignal _signal = new();

    public SpaceRuntimeHost(HubState state, SpaceTimings timings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(timings);
        _state = state;
        Timings = timings;
        Store = new SpaceStore(state.Database);
        _machine = new SpaceStageMachine(Store, timings, state.Clock, _signal);
        _scheduler = new SpaceScheduler(_machine.AdvanceDue, timings.Tick, state.Clock);
        _files = new SpaceRepoFiles(state.Git, state.Blobs);
    }

    public SpaceTimings Timings { get; }
    public SpaceStore Store { get; }

    /// <summary>Completes whenever a stage changes or a log line is written (open log streams wait on it).</summary>
    public Task Changed => _signal.Changed;

    /// <summary>How many log streams are following right now (tests wait on it instead of sleeping).</summary>
    public int OpenLogStreams => _signal.OpenLogStreams;

    internal void LogStreamOpened() => _signal.LogStreamOpened();

    internal void LogStreamClosed() => _signal.LogStreamClosed();

    /// <summary>Starts the scheduler (once the hub listens).</summary>
    public void Start() => _scheduler.Start();

    /// <summary>Stops the scheduler; state stays in SQLite and resumes at the next start.</summary>
    public void Stop()
    {
        _scheduler.Stop();
        _signal.Pulse();
    }

    public void Dispose()
    {
        Stop();
        _scheduler.Dispose();
    }

    // ---- hooks from the repo routes ----------------------------------------------------------

    /// <inheritdoc/>
    public string? ValidateCreate(JsonElement body, HubCaller caller) => SpaceOptionsBody.ValidateCreate(body) ?? ValidateVolumes(body, SpaceOptionsBody.String(body, "sdk"), caller);

    /// <inheritdoc/>
    public void OnCreated(Repo space, JsonElement body)
    {
        ArgumentNullException.ThrowIfNull(space);
        var sdk = SpaceOptionsBody.String(body, "sdk") ?? space.Sdk;
        var hardware = SpaceOptionsBody.String(body, "hardware") is { } h ? (h == "zerogpu" ? "zero-a10g" : h) : (sdk == "static" ? null : SpaceHardwareCatalog.Default);
        long? gc = sdk == "static" ? null : SpaceHardwareCatalog.IsFree(hardware) ? SpaceStageMachine.FreeSleepSeconds : null;
        if (SpaceOptionsBody.SleepTime(body) is (var seconds, true))
        {
            gc = seconds;
        }
        var now = _machine.Now();
        var stamp = _state.Now();
        foreach (var (kind, key, value, description) in SpaceOptionsBody.AllSettings(body))
        {
            Store.UpsertSetting(space.Id, kind, key, value, description, stamp);
        }
        ApplyVolumes(space, body);
        lock (_machine.Gate)
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
            // The first commit holds the create body's `files` (the Hub OpenAPI's) and a template's files:
            // its app file starts the build. When the repo routes also report that commit, the build simply
            // starts again from the same content.
            foreach (var path in row.Sha is null ? [] : SpaceApps.AppFiles(sdk))
            {
                if (row.AppFile is null && _files.Read(space, row.Sha!, path) is { } bytes)
                {
                    row.AppFile = path;
                    row.AppContent = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 65_536));
                }
            }
            if (row.AppFile is not null)
            {
                _machine.StartBuild(row, now, factory: false);
            }
            Store.Save(row);
        }
        _signal.Pulse();
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
        var now = _machine.Now();
        lock (_machine.Gate)
        {
            var row = _machine.Load(space, now);
            row.Sha = commitId;
            var candidates = SpaceApps.AppFiles(row.Sdk);
            foreach (var path in changedPaths.Where(candidates.Contains))
            {
                var bytes = _files.Read(space, commitId, path);
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
                _machine.StartBuild(row, now, factory: false);
            }
            Store.Save(row);
        }
        _signal.Pulse();
    }

    /// <inheritdoc/>
    public void OnDeleted(Repo space)
    {
        ArgumentNullException.ThrowIfNull(space);
        lock (_machine.Gate)
        {
            Store.Delete(space.Id);
        }
        _signal.Pulse();
    }

    /// <summary>Makes a duplicate: copies the source's files, then its state and the body's options (same running or paused state).</summary>
    public void Duplicate(Repo source, Repo copy, string author, JsonElement body)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(copy);
        _files.Copy(source, copy, author);
        var now = _machine.Now();
        lock (_machine.Gate)
        {
            var from = _machine.Load(source, now);
            var row = SpaceStageMachine.NewRow(copy, now);
            row.Sdk = from.Sdk;
            row.HardwareRequested = SpaceOptionsBody.String(body, "hardware") ?? from.HardwareRequested;
            row.GcTimeout = from.GcTimeout;
            if (SpaceOptionsBody.SleepTime(body) is (var seconds, true))
            {
                row.GcTimeout = seconds;
            }
            row.AppFile = from.AppFile;
            row.AppContent = from.AppContent;
            row.Sha = _state.Git.ResolveRevision(copy.Id, "main");
            foreach (var (kind, key, value, description) in SpaceOptionsBody.AllSettings(body))
            {
                Store.UpsertSetting(copy.Id, kind, key, value, description, _state.Now());
            }
            ApplyVolumes(copy, body);
            if (from.Stage == SpaceStages.Paused)
            {
                row.Stage = SpaceStages.Paused;
            }
            else if (row.AppFile is not null)
            {
                _machine.StartBuild(row, now, factory: false);
            }
            Store.Save(row);
        }
        _signal.Pulse();
    }

    // ---- reads -------------------------------------------------------------------------------

    private static readonly AsyncLocal<Dictionary<string, SpaceRuntimeBody>?> Prefetched = new();

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
    public SpaceRuntimeBody Runtime(Repo space)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (Prefetched.Value is { } prefetched && prefetched.TryGetValue(space.Id, out var cached))
        {
            return cached;
        }
        lock (_machine.Gate)
        {
            return RuntimeOf(space, _machine.Current(space));
        }
    }

    /// <summary>The Space's stage now.</summary>
    public string Stage(Repo space)
    {
        ArgumentNullException.ThrowIfNull(space);
        lock (_machine.Gate)
        {
            return _machine.Current(space).Stage;
        }
    }

    /// <summary>The Space's SDK as the runtime knows it.</summary>
    public string? Sdk(Repo space)
    {
        ArgumentNullException.ThrowIfNull(space);
        lock (_machine.Gate)
        {
            return _machine.Current(space).Sdk;
        }
    }

    /// <summary>Runtimes of many Spaces at once, for listings with <c>expand=runtime</c>.</summary>
    private Dictionary<string, SpaceRuntimeBody> Runtimes(IReadOnlyList<Repo> spaces)
    {
        ArgumentNullException.ThrowIfNull(spaces);
        var now = _machine.Now();
        var result = new Dictionary<string, SpaceRuntimeBody>(StringComparer.Ordinal);
        lock (_machine.Gate)
        {
            var rows = Store.FindMany([.. spaces.Select(s => s.Id)]);
            var volumes = Store.VolumesOfMany([.. spaces.Select(s => s.Id)]);
            foreach (var space in spaces)
            {
                if (!rows.TryGetValue(space.Id, out var row))
                {
                    row = SpaceStageMachine.NewRow(space, now);
                    Store.Save(row);
                }
                else if (_machine.Advance(row, now))
                {
                    Store.Save(row);
                }
                result[space.Id] = RuntimeOf(space, row, volumes.GetValueOrDefault(space.Id));
            }
        }
        return result;
    }

    /// <summary>
    /// The app's origin. The real Hub says <c>https://{subdomain}.hf.space</c>; here the app is
    /// served by the hub itself under <c>/_spaces/{subdomain}</c>, so that the URL works offline.
    /// </summary>
    public string Host(Repo space) => $"{_state.Endpoint.ToString().TrimEnd('/')}/_spaces/{Subdomain(space)}";

    /// <summary>
    /// The app's subdomain: the id in lower case with '/', '_' and '.' as '-' (spaces.md §4), the
    /// only characters of a repo id that are not letters, digits or '-'.
    /// </summary>
    public static string Subdomain(Repo space) =>
        space.FullName.ToLowerInvariant().Replace('/', '-').Replace('_', '-').Replace('.', '-');

    private SpaceRuntimeBody RuntimeOf(Repo space, SpaceRow row) => RuntimeOf(space, row, Store.Volumes(space.Id));

    private SpaceRuntimeBody RuntimeOf(Repo space, SpaceRow row, string? volumes) =>
        SpaceRuntimeBody.From(row, Host(space), SpaceVolumesBody.Deserialize(volumes));
}
