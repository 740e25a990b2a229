namespace HfHub.LocalHub.Spaces;

/// <summary>
/// Moves Spaces on while nobody asks about them: every <see cref="SpaceTimings.Tick"/>, the stage
/// machine applies every transition that is due. Reads catch up on their own, so the scheduler
/// only matters for what happens unobserved (a build finishing, an idle Space falling asleep).
/// </summary>
internal sealed class SpaceScheduler(Action advanceDue, TimeSpan tick, TimeProvider clock) : IDisposable
{
    private CancellationTokenSource? _stop;
    private Task? _loop;

    /// <summary>Starts the loop (once the hub listens).</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            return;
        }
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(tick, clock);
            try
            {
                do
                {
                    try
                    {
                        advanceDue();
                    }
                    catch (Exception) when (!token.IsCancellationRequested)
                    {
                        // A locked database or a deleted row: the next tick tries again.
                    }
                }
                while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
            }
        }, token);
    }

    /// <summary>Stops the loop; state stays in SQLite and resumes at the next start.</summary>
    public void Stop()
    {
        _stop?.Cancel();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
        _loop = null;
    }

    public void Dispose()
    {
        Stop();
        _stop?.Dispose();
    }
}
