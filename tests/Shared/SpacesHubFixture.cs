using System.Net.Http.Json;
using HfHub.LocalHub;
using HfHub.LocalHub.Spaces;

namespace HfCtl.Testing;

/// <summary>
/// A local hub whose Spaces build, start and fall asleep in milliseconds, with public volume sources
/// that the Spaces tests mount (the hub refuses a volume whose source is not there): buckets, datasets,
/// models and a Space of the accounts <c>ns</c> and <c>my-org</c>.
/// </summary>
public sealed class SpacesHubFixture : LocalHubFixture
{
    protected override void Configure(LocalHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Spaces = SpaceTimings.Fast();
    }

    /// <summary>The public volume sources every Spaces test may mount, by type.</summary>
    public static readonly (string Type, string Id)[] VolumeSources =
    [
        ("bucket", "ns/b"), ("bucket", "ns/b2"), ("bucket", "ns/a"), ("bucket", "ns/my-bucket"), ("bucket", "ns/store"),
        ("dataset", "ns/ds"), ("dataset", "ns/d"), ("model", "ns/m"), ("model", "ns/model"), ("space", "ns/other"),
        ("bucket", "my-org/web-data"), ("dataset", "my-org/assets"),
    ];

    protected override async Task SeedAsync()
    {
        foreach (var owner in VolumeSources.Select(s => s.Id.Split('/')[0]).Distinct())
        {
            var (_, token) = await CreateUserAsync(name: owner);
            using var http = RawClient(token);
            foreach (var (type, id) in VolumeSources.Where(s => s.Id.StartsWith(owner + "/", StringComparison.Ordinal)))
            {
                var name = id.Split('/')[1];
                using var created = type == "bucket"
                    ? await http.PostAsJsonAsync($"/api/buckets/{id}", new { @private = false })
                    : await http.PostAsJsonAsync("/api/repos/create", type == "space" ? new { name, type, sdk = "docker" } : (object)new { name, type });
                created.EnsureSuccessStatusCode();
            }
        }
    }

    /// <summary>A Dockerfile that builds and runs on the local hub.</summary>
    public const string GoodDockerfile = "FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n";

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="seconds"/>.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }
            await Task.Delay(20);
        }
    }
}
