using System.Text.Json;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Spaces;

/// <summary>
/// Space volumes (volumes.md §2): set as a whole, removed as a whole, given at create or duplicate
/// time, shown in <c>runtime.volumes</c>. A change restarts a running app so that it sees the new
/// mounts, as a change of secrets does: the Hub's docs do not say (UNCONFIRMED), but a container
/// cannot gain or lose a mount without a restart. A duplicate gets only the volumes its request
/// names, never the source's: two Spaces writing one bucket is the multi-writer case that the
/// mount machinery does not support (volumes.md §6).
/// <para>
/// Two more choices where no source says what the Hub does (UNCONFIRMED):
/// a volume whose source does not exist, or that the caller cannot read, is refused with 400 and
/// <c>{"error": "Invalid volume at /data: bucket ns/b not found …"}</c> (one message for both, so a
/// private source's existence does not leak; 400, not 404, because the Space was found and it is the
/// body that is wrong). And a reader of the runtime who cannot read a volume's source sees the volume
/// with its type, mount path and mode, but <c>source</c> masked as <c>****/******</c> (the form the
/// Hub's docs show, spaces-storage.md) and without <c>revision</c> or <c>path</c>, which describe the
/// private source too.
/// </para>
/// </summary>
internal sealed partial class SpaceRuntimeHost
{
    /// <summary>The 400 message for the volumes of a create or duplicate body, or null when they are fine.</summary>
    public string? ValidateVolumes(JsonElement body, string? sdk, HubCaller caller)
    {
        var (error, volumes) = SpaceVolumesBody.Read(body);
        return error ?? (volumes is null ? null : sdk == "static" ? SpaceVolumesBody.StaticRefused : SourcesProblem(volumes, caller));
    }

    /// <summary>The masked source a reader sees for a volume whose source they cannot read.</summary>
    public const string MaskedSource = "****/******";

    /// <summary>The 400 message for the first volume whose source is not there or not readable by <paramref name="caller"/>.</summary>
    private string? SourcesProblem(List<SpaceVolumeBody> volumes, HubCaller caller) =>
        volumes.FirstOrDefault(v => !CanReadSource(v, caller)) is { } bad
            ? $"Invalid volume at {bad.MountPath}: {bad.Type} {bad.Source} not found (it does not exist or you cannot read it)"
            : null;

    private bool CanReadSource(SpaceVolumeBody volume, HubCaller caller)
    {
        var parts = volume.Source.Split('/');
        if (parts.Length != 2)
        {
            return false;
        }
        var source = volume.Type == BucketStore.Type ? _state.Buckets.Find(parts[0], parts[1]) : _state.Repos.Find(volume.Type, parts[0], parts[1]);
        return source is not null && _state.Access.CanRead(caller, source);
    }

    /// <summary>The runtime as <paramref name="reader"/> may see it: the sources they cannot read masked.</summary>
    public SpaceRuntimeBody ForReader(SpaceRuntimeBody runtime, HubCaller reader)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        if (runtime.Volumes is not { Count: > 0 } volumes || volumes.All(v => CanReadSource(v, reader)))
        {
            return runtime;
        }
        return runtime with
        {
            Volumes = [.. volumes.Select(v => CanReadSource(v, reader) ? v : v with { Source = MaskedSource, Revision = null, Path = null })],
        };
    }

    /// <summary>Replaces the Space's volumes; an error message for a 400, or null with the new runtime.</summary>
    public string? SetVolumes(Repo space, JsonElement body, HubCaller caller, out SpaceRuntimeBody? runtime)
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
        if (Sdk(space) != "static" && SourcesProblem(volumes, caller) is { } problem)
        {
            return problem;
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
