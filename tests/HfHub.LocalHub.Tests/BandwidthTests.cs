using System.Net.Http.Headers;
using HfHub.LocalHub.Faults;

namespace HfHub.LocalHub.Tests;

/// <summary>
/// <c>--bandwidth</c>: request and response bodies cross an emulated link. The hub runs on a manual
/// clock, so the test measures time the hub itself sees, not the wall clock of a loaded machine: a
/// transfer cannot finish before the clock has moved far enough to pay for its bytes.
/// </summary>
public sealed class BandwidthTests
{
    [Theory]
    [InlineData("100mbit", 12_500_000)]
    [InlineData("100Mbit/s", 12_500_000)]
    [InlineData("12.5MB/s", 12_500_000)]
    [InlineData("512KiB", 524_288)]
    [InlineData("1gbit", 125_000_000)]
    [InlineData(" 4 MB ", 4_000_000)]
    public void The_rate_grammar_reads_bits_and_bytes(string spec, double bytesPerSecond) =>
        Assert.Equal(bytesPerSecond, BandwidthOptions.Parse(spec).BytesPerSecond);

    [Theory]
    [InlineData("fast", "not a rate")]
    [InlineData("100", "not a rate")]
    [InlineData("-5MB", "not a rate")]
    [InlineData("1.2.3MB", "not a rate")]
    [InlineData("10mbps", "not a rate")]
    [InlineData("0mbit", "out of range")]
    [InlineData("500B", "out of range")]
    [InlineData("1000GB", "out of range")]
    public void A_bad_rate_is_one_line_naming_the_grammar(string spec, string reason)
    {
        var error = Assert.Throws<FormatException>(() => BandwidthOptions.Parse(spec));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Two_megabytes_at_four_megabytes_a_second_take_at_least_four_tenths_of_a_second_each_way()
    {
        var clock = new ManualClock();
        await using var hub = await LocalHubServer.StartAsync(new LocalHubOptions { Clock = clock, Bandwidth = BandwidthOptions.Parse("4MB/s") });
        using var http = new HttpClient { BaseAddress = hub.Endpoint };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hub.DemoToken);
        var repo = await http.CreateRepoAsync("bandwidth");
        var content = HubFiles.RandomBytes(2_000_000, seed: 4);

        // Up: the commit's body (the file in base64, 2.7 MB) is read through the upstream bucket.
        var (upCommit, upElapsed) = await WhileTheClockRuns(clock, () => http.CommitOkAsync(repo, "big", HubFiles.File("big.bin", content)));
        Assert.NotEmpty(upCommit);
        Assert.True(upElapsed >= TimeSpan.FromSeconds(0.4), $"2.7 MB went up in {upElapsed.TotalSeconds:0.000} s of hub time");

        // Down: the file's bytes are written through the downstream bucket.
        var (downloaded, downElapsed) = await WhileTheClockRuns(clock, () => http.GetByteArrayAsync($"/{repo}/resolve/main/big.bin"));
        Assert.Equal(content, downloaded);
        Assert.True(downElapsed >= TimeSpan.FromSeconds(0.4), $"2 MB came down in {downElapsed.TotalSeconds:0.000} s of hub time");
    }

    /// <summary>Runs <paramref name="transfer"/> while moving the hub's clock 10 ms at a time; returns its result and the hub time it took.</summary>
    private static async Task<(T Result, TimeSpan Elapsed)> WhileTheClockRuns<T>(ManualClock clock, Func<Task<T>> transfer)
    {
        var start = clock.Elapsed;
        var task = transfer();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!task.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the transfer did not finish within a minute");
            await Task.WhenAny(task, Task.Delay(2));
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }
        return (await task, clock.Elapsed - start);
    }
}

/// <summary>A clock that moves only when told to, with timers (so <c>Task.Delay</c> on it waits for <see cref="Advance"/>).</summary>
internal sealed class ManualClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<Timer> _timers = [];
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _ticks;
        }
    }

    public override DateTimeOffset GetUtcNow() => _start + Elapsed;

    public TimeSpan Elapsed => TimeSpan.FromTicks(GetTimestamp());

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        List<Timer> due;
        lock (_gate)
        {
            _ticks += by.Ticks;
            due = [.. _timers.Where(t => t.Due <= _ticks)];
            foreach (var timer in due)
            {
                timer.Rearm(_ticks);
            }
        }
        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    private sealed class Timer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period;

        public long Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var now = false;
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }
                if (dueTime <= TimeSpan.Zero)
                {
                    now = true;
                    Rearm(clock._ticks);
                }
                else
                {
                    Due = clock._ticks + dueTime.Ticks;
                    clock._timers.Add(this);
                }
            }
            if (now)
            {
                ThreadPool.QueueUserWorkItem(_ => Fire());
            }
            return true;
        }

        /// <summary>After firing: due again a period later, or gone (called under the clock's lock).</summary>
        public void Rearm(long ticks)
        {
            clock._timers.Remove(this);
            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                Due = ticks + _period.Ticks;
                clock._timers.Add(this);
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
