using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace HfHub.Persistence;

/// <summary>Options of <see cref="PersistenceManager.StartAutoSave"/>.</summary>
public sealed class AutoSaveOptions
{
    /// <summary>Called with every failed save (the session keeps running and retries at the next tick).</summary>
    public Action<Exception>? OnError { get; set; }

    /// <summary>Called with every completed save, including skipped-unchanged ones.</summary>
    public Action<SaveResult>? OnSaved { get; set; }

    /// <summary>Options passed to each save.</summary>
    public SaveOptions? Save { get; set; }

    /// <summary>
    /// Save once more when the process gets SIGTERM, SIGINT (Ctrl-C) or SIGQUIT, before it exits
    /// (Spaces send SIGTERM before a restart). The session keeps running: when the app handles the
    /// signal and stops on its own, disposing the session afterwards saves its last writes as well. Default true; turn it off when a host already stops
    /// the session on shutdown (the hosted service does).
    /// </summary>
    public bool FlushOnTermination { get; set; } = true;

    /// <summary>How long the final save may take on termination or dispose.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// A running auto-save of one file. Every interval it compares the file (and its <c>-wal</c>) with what
/// it last saved — size and modification time — and saves when they differ, so a burst of writes
/// costs one commit per interval (the debounce). A file that does not exist yet (an app's first boot,
/// before it created its database) is waited for: nothing is saved until it appears, then it is saved
/// at the next interval like any change. Errors go to <see cref="AutoSaveOptions.OnError"/> and
/// the log, and are kept in <see cref="LastError"/>; never swallowed. Stop it with <see cref="StopAsync"/>
/// (which makes a final save and throws if it fails) or dispose it (final save, errors reported).
/// </summary>
public sealed class AutoSaveSession : IAsyncDisposable
{
    private readonly PersistenceManager _manager;
    private readonly string _local;
    private readonly string _remote;
    private readonly TimeSpan _interval;
    private readonly AutoSaveOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<PosixSignalRegistration> _signals = [];
    private Task _loop = Task.CompletedTask;
    private string? _savedFingerprint;
    private int _stopped;

    private AutoSaveSession(PersistenceManager manager, string local, string remote, TimeSpan interval, AutoSaveOptions options)
    {
        _manager = manager;
        _local = local;
        _remote = remote;
        _interval = interval;
        _options = options;
    }

    /// <summary>The result of the last save, when one completed.</summary>
    public SaveResult? LastResult { get; private set; }

    /// <summary>The last save's failure; cleared by the next success.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>True while the local file does not exist (as of the last check): nothing to save yet.</summary>
    public bool WaitingForFile { get; private set; }

    private ILogger? Logger => _manager.Options.Logger;

    internal static AutoSaveSession Start(PersistenceManager manager, string local, string remote, TimeSpan interval, AutoSaveOptions options)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), "the auto-save interval must be positive");
        }
        var session = new AutoSaveSession(manager, local, remote, interval, options);
        if (options.FlushOnTermination && !OperatingSystem.IsBrowser())
        {
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
            {
                session._signals.Add(PosixSignalRegistration.Create(signal, session.OnSignal));
            }
        }
        session._loop = Task.Run(session.RunAsync);
        return session;
    }

    /// <summary>Saves now if the file changed since the last save; returns the save's result, or null when nothing changed or the file does not exist yet.</summary>
    public async Task<SaveResult?> FlushAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var fingerprint = Fingerprint(_local);
            if (fingerprint is null)
            {
                if (!WaitingForFile)
                {
                    Logger?.LogInformation("{Local} does not exist yet; saving starts once it appears", _local);
                }
                WaitingForFile = true;
                return null;
            }
            WaitingForFile = false;
            if (fingerprint == _savedFingerprint)
            {
                return null;
            }
            var result = await _manager.SaveAsync(_local, _remote, _options.Save, cancellationToken).ConfigureAwait(false);
            _savedFingerprint = fingerprint;
            LastResult = result;
            LastError = null;
            _options.OnSaved?.Invoke(result);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LastError = e;
            Logger?.LogError(e, "auto-save of {Local} failed: {Message}", _local, e.Message);
            _options.OnError?.Invoke(e);
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the timer and makes a final save; throws when that save fails.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        foreach (var registration in _signals)
        {
            registration.Dispose();
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.FlushTimeout);
        await FlushAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Stops and makes a final save; a failure is reported through the callback and the log, not thrown.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already reported by FlushAsync (callback, log, LastError).
        }
        _stop.Dispose();
        _gate.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await FlushAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception)
                {
                    // Reported in FlushAsync; the next tick tries again.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Runs on the signal thread: save synchronously before the process goes on to exit. A save, not
        // a stop: an app that handles the signal itself goes on to finish its last writes, and the
        // session's dispose after that saves them too.
        Logger?.LogInformation("{Signal}: saving {Local} before exit", context.Signal, _local);
        try
        {
            using var timeout = new CancellationTokenSource(_options.FlushTimeout);
            FlushAsync(timeout.Token).Wait(_options.FlushTimeout);
        }
        catch (Exception)
        {
            // Reported in FlushAsync.
        }
    }

    /// <summary>Size and modification time of the file and its -wal (any committed write changes one of them); null while the file does not exist.</summary>
    private static string? Fingerprint(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            if (Directory.Exists(path))
            {
                throw new PersistenceException($"'{path}' is a directory, not a file");
            }
            return null;
        }
        var wal = new FileInfo(path + "-wal");
        return $"{file.Length}:{file.LastWriteTimeUtc.Ticks}:{(wal.Exists ? wal.Length : -1)}:{(wal.Exists ? wal.LastWriteTimeUtc.Ticks : 0)}";
    }
}
