using System.Text.Json;

namespace HfHub.Spaces;

/// <summary>
/// Space volumes (volumes.md §2): buckets and read-only repositories mounted in the container. The
/// list is replaced whole (<c>PUT …/volumes</c>) or removed whole (<c>DELETE …/volumes</c>) and read
/// from the runtime; create and duplicate take one too.
/// </summary>
public sealed partial class SpacesClient
{
    /// <summary>
    /// Replaces the Space's volumes with <paramref name="volumes"/> (<c>PUT /api/spaces/{id}/volumes</c>;
    /// at least one, checked first by <see cref="SpaceVolume.Validate"/>). The Hub refuses volumes on static Spaces.
    /// </summary>
    public async Task SetVolumesAsync(string spaceId, IReadOnlyList<SpaceVolume> volumes, CancellationToken cancellationToken = default)
    {
        var id = Id(spaceId);
        SpaceVolume.Validate(volumes);
        // Replacing the whole list is idempotent: safe to retry after a lost answer.
        using var response = await SendJsonAsync(HttpMethod.Put, $"api/spaces/{id}/volumes", w => WriteVolumes(w, volumes), true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes all of the Space's volumes (<c>DELETE /api/spaces/{id}/volumes</c>); the Hub answers 400
    /// (<see cref="Http.HubException"/>) when it has none. Not retried: a retry after a lost answer would get that 400.
    /// </summary>
    public async Task DeleteVolumesAsync(string spaceId, CancellationToken cancellationToken = default)
    {
        using var response = await SendJsonAsync(HttpMethod.Delete, $"api/spaces/{Id(spaceId)}/volumes", null, false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The Space's volumes as its runtime reports them (<c>GET /api/spaces/{id}</c>, as <c>hf spaces volumes ls</c> reads them); empty when none.</summary>
    public async Task<IReadOnlyList<SpaceVolume>> ListVolumesAsync(string spaceId, CancellationToken cancellationToken = default) =>
        (await GetAsync(spaceId, cancellationToken).ConfigureAwait(false)).Runtime?.Volumes ?? [];

    private static void CheckVolumes(IReadOnlyList<SpaceVolume>? volumes)
    {
        if (volumes is { Count: > 0 })
        {
            SpaceVolume.Validate(volumes);
        }
    }

    private static void WriteVolumes(Utf8JsonWriter w, IReadOnlyList<SpaceVolume>? volumes)
    {
        if (volumes is not { Count: > 0 })
        {
            return;
        }
        w.WritePropertyName("volumes");
        JsonSerializer.Serialize(w, volumes, SpacesJsonContext.Default.IReadOnlyListSpaceVolume);
    }
}
