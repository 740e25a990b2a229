namespace HfHub.LocalHub.Spaces;

/// <summary>
/// How fast the local hub's Spaces runtime moves. The defaults suit <c>hfctl --local</c> (a build
/// takes about a second); tests use milliseconds.
/// </summary>
public sealed class SpaceTimings
{
    /// <summary>How long <c>BUILDING</c> lasts.</summary>
    public TimeSpan Build { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>How long <c>APP_STARTING</c> lasts.</summary>
    public TimeSpan Start { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>
    /// What one second of a Space's sleep time (<c>gcTimeout</c>) lasts here. One second by default;
    /// tests shrink it so that a Space with a sleep time of a few "seconds" falls asleep in milliseconds.
    /// </summary>
    public TimeSpan SleepSecond { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the scheduler looks for Spaces whose stage is due to change.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often an open log stream sends an empty <c>data:</c> keep-alive (the real clients time out after 120 s).</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Settings for tests: builds and starts in tens of milliseconds, one sleep-time second = 10 ms.</summary>
    public static SpaceTimings Fast() => new()
    {
        Build = TimeSpan.FromMilliseconds(60),
        Start = TimeSpan.FromMilliseconds(40),
        SleepSecond = TimeSpan.FromMilliseconds(10),
        Tick = TimeSpan.FromMilliseconds(10),
        KeepAlive = TimeSpan.FromMilliseconds(500),
    };
}
