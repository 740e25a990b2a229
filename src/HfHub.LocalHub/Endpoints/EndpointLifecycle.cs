namespace HfHub.LocalHub.Endpoints;

/// <summary>
/// How fast the local hub's Inference Endpoints move. The defaults suit <c>hfctl --local</c>; tests
/// pass milliseconds.
/// </summary>
public sealed class EndpointTimings
{
    /// <summary>How long a new endpoint stays <c>pending</c> (waiting for capacity).</summary>
    public TimeSpan Pending { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How long <c>initializing</c> lasts: a start, a resume, or the cold start after scale-to-zero.</summary>
    public TimeSpan Initialize { get; set; } = TimeSpan.FromMilliseconds(900);

    /// <summary>Settings for tests: tens of milliseconds.</summary>
    public static EndpointTimings Fast() => new() { Pending = TimeSpan.FromMilliseconds(30), Initialize = TimeSpan.FromMilliseconds(60) };
}

/// <summary>
/// The states of the Endpoints API (<c>status.state</c>: pending, initializing, updating,
/// updateFailed, running, paused, failed, scaledToZero) derived from what was last asked for.
/// The local hub never fails an endpoint on its own, so <c>failed</c> and <c>updateFailed</c> are
/// only reported for a model repository that does not exist.
/// </summary>
internal static class EndpointLifecycle
{
    /// <summary>Phase of an endpoint asked to run: its state moves pending → initializing → running with the clock.</summary>
    public const string Starting = "starting";
    public const string Paused = "paused";
    public const string ScaledToZero = "scaledToZero";
    public const string Failed = "failed";

    public static string State(EndpointRow row, DateTimeOffset now, EndpointTimings timings)
    {
        if (row.Phase != Starting)
        {
            return row.Phase;
        }
        var elapsed = now.ToUnixTimeMilliseconds() - row.PhaseSince;
        var pending = row.FirstStart ? (long)timings.Pending.TotalMilliseconds : 0;
        if (elapsed < pending)
        {
            return "pending";
        }
        return elapsed < pending + (long)timings.Initialize.TotalMilliseconds ? "initializing" : "running";
    }

    /// <summary>Replicas that answer requests in a state.</summary>
    public static int ReadyReplicas(string state, EndpointRow row) => state == "running" ? Math.Max(1, row.MinReplica) : 0;

    /// <summary>Replicas the endpoint is scaling to in a state.</summary>
    public static int TargetReplicas(string state, EndpointRow row) => state is Paused or ScaledToZero or Failed ? 0 : Math.Max(1, row.MinReplica);
}
