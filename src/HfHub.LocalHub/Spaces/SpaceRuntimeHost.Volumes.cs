using System.Text.Json;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Spaces;

/// <summary>
/// Space volumes (volumes.md §2): set as a whole, removed as a whole, given at create or duplicate
/// time, shown in <c>runtime.volumes</c>. A change restarts a running app so that it sees the new
/// mounts, as a change of secrets does: the Hub's docs do not say (UNCONFIRMED), but a container
/// cannot gain or lose a mount without a restart. A duplicate gets only the volumes its request
/// names, never the source's: two Spaces writing one bucket is the multi-writer case that the
/// mount machinery does not support (volumes.md §6).
/// </summary>
internal sealed partial class SpaceRuntimeHost
{
    /// <summary>The 400 message for the volumes of a create or duplicate body, or null when they are fine.</summary>
    public static string? ValidateVolumes(JsonElement body, string? sdk)
    {
        var (error, volumes) = SpaceVolumesBody.Read(body);
        return error ?? (volumes is not null && sdk == "static" ? SpaceVolumesBody.StaticRefused : null);
    }

    /// <summary>Replaces the Space's volumes; an error message for a 400, or null with the new runtime.</summary>
    public string? SetVolumes(Repo space, JsonElement body, out SpaceRuntimeBody? runtime)
    {
        ArgumentNullException.ThrowIfNull(space);
        runtime = null;
        var (error, volumes) = SpaceVolumesBody.Read(body);
        if (error is not null)
        {
            return error;
        }
        if (volumes is null)
        {
            return "volumes must be an array of at least one volume {type, source, mountPath}";
        }
        return ChangeVolumes(space, volumes, out runtime);
    }

    /// <summary>Removes all of the Space's volumes; an error message for a 400 (none attached, static), or null.</summary>
    public string? DeleteVolumes(Repo space, out SpaceRuntimeBody? runtime) => ChangeVolumes(space, null, out runtime);

    private string? ChangeVolumes(Repo space, List<SpaceVolumeBody>? volumes, out SpaceRuntimeBody? runtime)
    {
        runtime = null;
        var now = _machine.Now();
        lock (_machine.Gate)
        {
            var row = _machine.Load(space, now);
            if (row.Sdk == "static")
            {
                return SpaceVolumesBody.StaticRefused;
            }
            var text = volumes is null ? null : SpaceVolumesBody.Serialize(volumes);
            if (volumes is null && Store.Volumes(space.Id) is null)
            {
                return $"{space.FullName} has no volumes to delete";
            }
            Store.SetVolumes(space.Id, text);
            if (row.Stage is SpaceStages.Running or SpaceStages.AppStarting)
            {
                _machine.StartApp(row, now, "Restarting: the volumes changed");
                Store.Save(row);
            }
            runtime = RuntimeOf(space, row, text);
        }
        _signal.Pulse();
        return null;
    }

    /// <summary>Stores the volumes of a create or duplicate body (already validated).</summary>
    private void ApplyVolumes(Repo space, JsonElement body)
    {
        if (SpaceVolumesBody.Read(body) is (null, { } volumes))
        {
            Store.SetVolumes(space.Id, SpaceVolumesBody.Serialize(volumes));
        }
    }
}
