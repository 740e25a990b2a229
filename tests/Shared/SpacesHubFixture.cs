using HfHub.LocalHub;
using HfHub.LocalHub.Spaces;

namespace HfCtl.Testing;

/// <summary>A local hub whose Spaces build, start and fall asleep in milliseconds.</summary>
public sealed class SpacesHubFixture : LocalHubFixture
{
    protected override void Configure(LocalHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Spaces = SpaceTimings.Fast();
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
