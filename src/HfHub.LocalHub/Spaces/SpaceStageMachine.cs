using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Spaces;

/// <summary>
/// The stage machine of every Space, on the rows of <see cref="SpaceStore"/>:
/// BUILDING → APP_STARTING → RUNNING (or BUILD_ERROR / RUNTIME_ERROR); pause → PAUSED until a
/// restart; idle past its sleep time → SLEEPING until its app is requested. Each transition is
/// applied at its own due time, so a hub restarted mid-build catches up at once. Callers hold
/// <see cref="Gate"/> around a load, its changes and its save.
/// </summary>
internal sealed class SpaceStageMachine(SpaceStore store, SpaceTimings timings, TimeProvider clock, SpaceChangeSignal signal)
{
    /// <summary>The default sleep time of free hardware: 48 h (recorded <c>gcTimeout</c>).</summary>
    public const long FreeSleepSeconds = 172_800;

    /// <summary>Serialises every read-modify-write of a Space's row.</summary>
    public Lock Gate { get; } = new();

    public long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Moves every Space whose stage is due (the scheduler's tick).</summary>
    public void AdvanceDue()
    {
        var now = Now();
        foreach (var id in store.Due(now))
        {
            lock (Gate)
            {
                if (store.Find(id) is { } row && Advance(row, now))
                {
                    store.Save(row);
                }
            }
        }
    }

    /// <summary>The Space's row caught up with <paramref name="now"/> (a new one when it has none yet); the caller saves it.</summary>
    public SpaceRow Load(Repo space, long now)
    {
        var row = store.Find(space.Id) ?? NewRow(space, now);
        Advance(row, now);
        return row;
    }

    /// <summary>The Space's row caught up with the clock, saved when that changed it.</summary>
    public SpaceRow Current(Repo space)
    {
        var now = Now();
        var row = store.Find(space.Id);
        if (row is null)
        {
            row = NewRow(space, now);
            store.Save(row);
        }
        else if (Advance(row, now))
        {
            store.Save(row);
        }
        return row;
    }

    public static SpaceRow NewRow(Repo space, long now) => new()
    {
        RepoId = space.Id,
        Sdk = space.Sdk,
        Stage = SpaceStages.NoAppFile,
        HardwareRequested = space.Sdk == "static" ? null : SpaceHardwareCatalog.Default,
        GcTimeout = space.Sdk == "static" ? null : FreeSleepSeconds,
        LastActivity = now,
    };

    /// <summary>Applies every transition due by <paramref name="now"/>, each at its own due time; true if anything changed.</summary>
    public bool Advance(SpaceRow row, long now)
    {
        var changed = false;
        for (var guard = 0; guard < 16 && row.NextAt is { } at && at <= now; guard++)
        {
            Step(row, at);
            changed = true;
        }
        if (changed)
        {
            signal.Pulse();
        }
        return changed;
    }

    /// <summary>When a running Space falls asleep: its last activity plus its sleep time (null: never).</summary>
    public long? SleepAt(SpaceRow row)
    {
        if (row.GcTimeout is not { } seconds)
        {
            return null;
        }
        var unit = timings.SleepSecond.TotalMilliseconds;
        var delay = Math.Min(seconds * unit, 100L * 365 * 24 * 3600 * 1000);
        return row.LastActivity + (long)delay;
    }

    /// <summary>Starts a build of the row's app file (a static Space runs at once: it has no build).</summary>
    public void StartBuild(SpaceRow row, long now, bool factory)
    {
        if (row.Sdk == "static")
        {
            // Static Spaces are served as they are: no build, no container, no hardware.
            row.Stage = SpaceStages.Running;
            row.NextAt = null;
            row.ErrorMessage = null;
            return;
        }
        store.ClearLogs(row.RepoId, SpaceLogs.Build);
        row.Stage = SpaceStages.Building;
        row.ErrorMessage = null;
        row.NextAt = now + (long)timings.Build.TotalMilliseconds;
        var sha = row.Sha is { Length: >= 7 } s ? s[..7] : "HEAD";
        Log(row, SpaceLogs.Build, $"===== Build Queued at {Stamp(now)} / Commit SHA: {sha} =====", now);
        if (factory)
        {
            Log(row, SpaceLogs.Build, "--> Factory rebuild: building without cache", now);
        }
        var secrets = store.Settings(row.RepoId, SpaceSettings.SecretKind).Select(s => s.Key).ToList();
        if (secrets.Count > 0)
        {
            // Names only: secret values never reach a log.
            Log(row, SpaceLogs.Build, $"--> Secrets available to the build: {string.Join(", ", secrets)}", now);
        }
        foreach (var step in SpaceApps.BuildSteps(row.Sdk, row.AppContent))
        {
            Log(row, SpaceLogs.Build, step, now);
        }
    }

    /// <summary>(Re)starts the app of a built Space, saying why in its run log when <paramref name="reason"/> is given.</summary>
    public void StartApp(SpaceRow row, long now, string? reason)
    {
        store.ClearLogs(row.RepoId, SpaceLogs.Run);
        row.Stage = SpaceStages.AppStarting;
        row.NextAt = now + (long)timings.Start.TotalMilliseconds;
        if (reason is not null)
        {
            Log(row, SpaceLogs.Run, reason, now);
        }
        Log(row, SpaceLogs.Run, $"===== Application Startup at {Stamp(now)} =====", now);
    }

    /// <summary>Appends a line to one of the Space's logs, stamped <paramref name="at"/> (default: now).</summary>
    public void Log(SpaceRow row, string kind, string line, long? at = null) =>
        store.AppendLogs(row.RepoId, kind, Stamp(at ?? Now()), [line + "\n"]);

    private void Step(SpaceRow row, long at)
    {
        switch (row.Stage)
        {
            case SpaceStages.Building:
                if (SpaceApps.BuildError(row.Sdk, row.AppFile, row.AppContent) is { } error)
                {
                    Log(row, SpaceLogs.Build, "ERROR: " + error, at);
                    row.Stage = SpaceStages.BuildError;
                    row.ErrorMessage = "Build failed: " + error;
                    row.NextAt = null;
                    row.HardwareCurrent = null;
                    return;
                }
                Log(row, SpaceLogs.Build, "--> Pushing image", at);
                Log(row, SpaceLogs.Build, "DONE", at);
                StartApp(row, at, null);
                return;
            case SpaceStages.AppStarting:
                if (SpaceApps.RuntimeError(row.Sdk, row.AppContent) is { } failure)
                {
                    Log(row, SpaceLogs.Run, failure, at);
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
                Log(row, SpaceLogs.Run, "INFO:     Started server process [7]", at);
                Log(row, SpaceLogs.Run, "INFO:     Application startup complete.", at);
                Log(row, SpaceLogs.Run, "INFO:     Uvicorn running on http://0.0.0.0:7860 (Press CTRL+C to quit)", at);
                row.NextAt = SleepAt(row);
                return;
            case SpaceStages.Running:
                var due = SleepAt(row);
                if (due is { } sleepAt && sleepAt <= at)
                {
                    row.Stage = SpaceStages.Sleeping;
                    row.HardwareCurrent = null;
                    row.NextAt = null;
                    Log(row, SpaceLogs.Run, $"Space is sleeping: no traffic for {row.GcTimeout} s", at);
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

    private static string Stamp(long ms) => HubIds.Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(ms));
}
