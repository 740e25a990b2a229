using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HfHub.Persistence;

/// <summary>One local file kept in the dataset by <see cref="PersistenceHostedService"/>.</summary>
/// <param name="LocalPath">The file on this machine.</param>
/// <param name="RemotePath">Its path in the dataset.</param>
public sealed record PersistedFile(string LocalPath, string RemotePath);

/// <summary>What <see cref="PersistenceHostedService"/> keeps, and how often it saves.</summary>
public sealed class PersistenceHostedServiceOptions
{
    /// <summary>The files to restore at start and save on change.</summary>
    public IList<PersistedFile> Files { get; } = [];

    /// <summary>How often changed files are saved.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Restore each file at start when it is missing locally and exists remotely. Default true.</summary>
    public bool RestoreOnStart { get; set; } = true;

    /// <summary>Called with every failed save.</summary>
    public Action<Exception>? OnError { get; set; }
}

/// <summary>
/// Restores files when the host starts and saves them while it runs and once more when it stops
/// (the host stops on SIGTERM). Register it after the manager:
/// <code>services.AddSingleton(new PersistenceManager("me/app-data"));
/// services.AddHostedService(sp => new PersistenceHostedService(sp.GetRequiredService&lt;PersistenceManager&gt;(), options));</code>
/// The restore runs in <see cref="StartAsync"/>, so it completes before the app's own hosted services
/// registered later start using the files.
/// </summary>
public sealed class PersistenceHostedService(PersistenceManager manager, PersistenceHostedServiceOptions options, ILogger<PersistenceHostedService>? logger = null) : IHostedService, IAsyncDisposable
{
    private readonly List<AutoSaveSession> _sessions = [];

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var file in options.Files)
        {
            if (options.RestoreOnStart)
            {
                var result = await manager.RestoreAsync(file.RemotePath, file.LocalPath, new RestoreOptions { IfLocalMissing = true, IfRemoteExists = true }, cancellationToken).ConfigureAwait(false);
                logger?.LogInformation("restore of {Remote} to {Local}: {Outcome}", file.RemotePath, file.LocalPath, result.Outcome);
            }
            _sessions.Add(manager.StartAutoSave(file.LocalPath, file.RemotePath, options.Interval, new AutoSaveOptions
            {
                FlushOnTermination = false,
                OnError = options.OnError,
            }));
        }
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var errors = new List<Exception>();
        foreach (var session in _sessions)
        {
            try
            {
                await session.StopAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }
        if (errors.Count > 0)
        {
            throw new AggregateException("the final save of persisted files failed", errors);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
        _sessions.Clear();
    }
}
