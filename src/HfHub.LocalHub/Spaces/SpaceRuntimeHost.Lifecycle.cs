using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Spaces;

/// <summary>The lifecycle verbs of the Spaces routes: restart, pause, sleep time, hardware, dev mode, secrets and variables, and app requests.</summary>
internal sealed partial class SpaceRuntimeHost
{
    public SpaceRuntimeBody Restart(Repo space, bool factory) => Change(space, pulse: true, (row, now) =>
    {
        if (row.AppFile is null)
        {
            row.Stage = SpaceStages.NoAppFile;
            row.NextAt = null;
        }
        else
        {
            _machine.StartBuild(row, now, factory);
        }
    });

    public SpaceRuntimeBody Pause(Repo space) => Change(space, pulse: true, (row, _) =>
    {
        row.Stage = SpaceStages.Paused;
        row.NextAt = null;
        row.HardwareCurrent = null;
        row.ErrorMessage = null;
        _machine.Log(row, SpaceLogs.Run, "Space paused by its owner: it stays paused until it is restarted");
    });

    /// <summary>Sets the sleep time in seconds (-1 = never). Returns an error message, or null.</summary>
    public string? SetSleepTime(Repo space, long seconds, out SpaceRuntimeBody? runtime)
    {
        ArgumentNullException.ThrowIfNull(space);
        runtime = null;
        if (seconds <= 0 && seconds != -1)
        {
            return "seconds must be a positive number of seconds, or -1 to never sleep";
        }
        var now = _machine.Now();
        lock (_machine.Gate)
        {
            var row = _machine.Load(space, now);
            if (row.HardwareRequested == "zero-a10g")
            {
                return "Cannot change the sleep time for zero-a10g Spaces.";
            }
            row.GcTimeout = seconds == -1 ? null : seconds;
            if (row.Stage == SpaceStages.Running)
            {
                row.LastActivity = now;
                row.NextAt = _machine.SleepAt(row);
            }
            Store.Save(row);
            runtime = RuntimeOf(space, row);
            return null;
        }
    }

    /// <summary>Requests a flavor: <c>requested</c> changes now, <c>current</c> once the rebuild runs.</summary>
    public SpaceRuntimeBody RequestHardware(Repo space, string flavor, long? sleepTimeSeconds) => Change(space, pulse: true, (row, now) =>
    {
        var wasFree = SpaceHardwareCatalog.IsFree(row.HardwareRequested);
        row.HardwareRequested = flavor;
        if (sleepTimeSeconds is { } seconds)
        {
            row.GcTimeout = seconds == -1 ? null : seconds;
        }
        else if (wasFree != SpaceHardwareCatalog.IsFree(flavor))
        {
            // Upgraded hardware never sleeps unless asked; free hardware sleeps after 48 h.
            row.GcTimeout = SpaceHardwareCatalog.IsFree(flavor) ? SpaceStageMachine.FreeSleepSeconds : null;
        }
        if (row.AppFile is not null && row.Stage != SpaceStages.Paused)
        {
            _machine.StartBuild(row, now, factory: false);
        }
    });

    public SpaceRuntimeBody SetDevMode(Repo space, bool enabled) => Change(space, pulse: false, (row, _) => row.DevMode = enabled);

    /// <summary>Upserts or deletes a secret or variable; a running app restarts to pick it up.</summary>
    public void ChangeSetting(Repo space, string kind, string key, string? value, string? description)
    {
        ArgumentNullException.ThrowIfNull(space);
        var now = _machine.Now();
        lock (_machine.Gate)
        {
            var row = _machine.Load(space, now);
            var changed = value is null
                ? Store.DeleteSetting(space.Id, kind, key)
                : Upsert(space.Id, kind, key, value, description);
            if (changed && row.Stage is SpaceStages.Running or SpaceStages.AppStarting)
            {
                _machine.StartApp(row, now, $"Restarting: the {kind} {key} changed");
            }
            Store.Save(row);
        }
        _signal.Pulse();
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
        var now = _machine.Now();
        lock (_machine.Gate)
        {
            var row = _machine.Load(space, now);
            switch (row.Stage)
            {
                case SpaceStages.Running:
                    row.LastActivity = now;
                    _machine.Log(row, SpaceLogs.Run, $"INFO:     127.0.0.1:0 - \"{method} {path} HTTP/1.1\" 200 OK");
                    Store.Save(row);
                    _signal.Pulse();
                    return (200, SpaceApps.Page(space, row), row.Stage);
                case SpaceStages.Sleeping:
                    _machine.StartApp(row, now, "Waking up: a visitor requested the app");
                    Store.Save(row);
                    _signal.Pulse();
                    return (503, "This Space is waking up. Retry in a moment.", row.Stage);
                case SpaceStages.Paused:
                    return (503, "This Space has been paused by its author.", row.Stage);
                default:
                    return (503, $"This Space is not running (stage {row.Stage}).", row.Stage);
            }
        }
    }

    /// <summary>Loads the Space's row, applies <paramref name="change"/>, saves it and answers its runtime object.</summary>
    private SpaceRuntimeBody Change(Repo space, bool pulse, Action<SpaceRow, long> change)
    {
        ArgumentNullException.ThrowIfNull(space);
        var now = _machine.Now();
        lock (_machine.Gate)
        {
            var row = _machine.Load(space, now);
            change(row, now);
            Store.Save(row);
            if (pulse)
            {
                _signal.Pulse();
            }
            return RuntimeOf(space, row);
        }
    }
}
