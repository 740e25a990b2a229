using System.CommandLine;
using HfCtl.Cli;
using HfHub.Persistence;

namespace HfCtl.Commands.Persist;

/// <summary>
/// <c>hfctl persist watch &lt;local&gt; &lt;remote&gt; --every 5m</c>: saves the file whenever it changed,
/// at most once per interval, until SIGTERM or Ctrl-C; then makes a final save and exits 0
/// (non-zero only if that final save fails). A file that does not exist yet is waited for.
/// To run an app and keep its files, <c>persist run</c> owns the whole lifecycle instead.
/// </summary>
internal static class WatchCommand
{
    private static readonly Argument<string> Local = new("local") { Description = "The local file (a SQLite database is snapshotted consistently while in use)" };
    private static readonly Argument<string> Remote = new("remote") { Description = "Its path in the dataset or bucket; ending in '/', a folder to save it into" };
    private static readonly Option<string> Every = new("--every") { Description = "How often to check for changes and save: 30s, 5m, 1h", DefaultValueFactory = _ => "5m" };
    private static readonly Option<bool> Force = new("--force") { Description = "Replace the remote version even if this local file never restored or saved it" };
    private static readonly Option<int?> Keep = new("--keep") { Description = PersistCommands.KeepDescription };

    public static Command Create(App app)
    {
        var command = new Command("watch", "Save a file whenever it changed, every interval, until SIGTERM (then save once more)") { Local, Remote, Every, Force, Keep };
        command.SetAction(app.Handler(RunAsync, capOutput: false));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var local = context.ParseResult.GetValue(Local)!;
        var remote = PersistCommands.RemoteFor(local, context.ParseResult.GetValue(Remote)!);
        var every = Duration.Parse(context.ParseResult.GetValue(Every), "--every");
        var keep = context.ParseResult.GetValue(Keep);
        if (keep is < 1)
        {
            throw new UsageException("--keep must be at least 1");
        }
        if (Directory.Exists(local))
        {
            throw new CommandFailedException($"'{local}' is a directory, not a file");
        }
        PersistCommands.NoteLink(context, local);
        using var manager = await PersistCommands.ConnectAsync(context, cancellationToken, o => o.KeepVersions = keep).ConfigureAwait(false);
        var gate = new object();
        void Report(SaveResult result)
        {
            if (result.SkippedUnchanged)
            {
                return;
            }
            lock (gate)
            {
                if (context.Output.Json)
                {
                    context.Output.WriteJson(result, PersistCliJsonContext.Default.SaveResult);
                }
                else
                {
                    context.Output.Line(PersistCommands.Describe(manager, result));
                }
            }
        }
        var session = manager.StartAutoSave(local, remote, every, new AutoSaveOptions
        {
            // hfctl's own SIGTERM/Ctrl-C handling cancels the token below; the final save happens in StopAsync.
            FlushOnTermination = false,
            Save = new SaveOptions { Force = context.ParseResult.GetValue(Force) },
            OnSaved = Report,
            OnError = e => context.Output.Warn($"save failed (will retry in {context.ParseResult.GetValue(Every)}): {App.Classify(e).Message}"),
        });
        await using (session.ConfigureAwait(false))
        {
            context.Console.Err.WriteLine($"watching {local} → {manager.Target}:{remote} every {context.ParseResult.GetValue(Every)}; SIGTERM or Ctrl-C saves once more and stops");
            if (!File.Exists(local))
            {
                context.Console.Err.WriteLine($"waiting for {local} to appear; saving starts once it does");
            }
            // The first save right away, so a fresh start is protected without waiting one interval.
            try
            {
                await session.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Reported through OnError; the interval retries.
            }
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            await session.StopAsync(CancellationToken.None).ConfigureAwait(false);
            context.Console.Err.WriteLine($"stopped watching {local}; last save: {(session.LastResult is { } last ? manager.IsBucket ? $"version {last.CommitId}" : $"commit {PersistCommands.Short(last.CommitId)}" : "none")}");
        }
        return ExitCodes.Ok;
    }
}
