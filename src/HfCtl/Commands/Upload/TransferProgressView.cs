using HfCtl.Cli;
using HfHub.Files;
using Spectre.Console;

namespace HfCtl.Commands.Upload;

/// <summary>
/// Progress bars for transfers, drawn on stderr with Spectre.Console, one per file. Only on a
/// terminal and never with <c>--quiet</c> or <c>--json</c>: pipes and scripts get the result line only.
/// An agent gets one line on stderr when the transfer starts and one when it ends, instead of bars.
/// </summary>
internal static class TransferProgressView
{
    public static Task<T> RunAsync<T>(CommandContext context, Func<IProgress<TransferProgress>?, Task<T>> work) =>
        RunAsync(context, "transfer", work);

    /// <summary><paramref name="what"/> names the transfer in agent mode's two lines (e.g. "upload to me/model").</summary>
    public static async Task<T> RunAsync<T>(CommandContext context, string what, Func<IProgress<TransferProgress>?, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(work);
        if (context.Console.ProgressSink is { } sink)
        {
            return await work(new SyncProgress<TransferProgress>(Totals(sink))).ConfigureAwait(false);
        }
        if (context.Output.Settings.Agent && !context.Output.Settings.Quiet && !context.Output.Json)
        {
            return await StartAndEndLinesAsync(context, what, work).ConfigureAwait(false);
        }
        if (!context.Console.IsErrorTerminal || context.Output.Settings.Quiet || context.Output.Json)
        {
            return await work(null).ConfigureAwait(false);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Console.Err),
            Ansi = context.Console.Color ? AnsiSupport.Yes : AnsiSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
        T result = default!;
        await console.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async progressContext =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var gate = new Lock();
                var reporter = new SyncProgress<TransferProgress>(report =>
                {
                    lock (gate)
                    {
                        if (!tasks.TryGetValue(report.Path, out var task))
                        {
                            task = progressContext.AddTask(Markup.Escape(report.Path), maxValue: Math.Max(1, report.TotalBytes));
                            tasks[report.Path] = task;
                        }
                        var label = report.Stage switch
                        {
                            TransferStage.Hashing => "hashing",
                            TransferStage.Uploading => "uploading",
                            TransferStage.Downloading => "downloading",
                            _ => "done",
                        };
                        task.Description = $"{Markup.Escape(report.Path)} [grey]{label}[/]";
                        task.Value = report.Stage == TransferStage.Completed ? task.MaxValue : Math.Max(0, report.BytesDone);
                        if (report.Stage == TransferStage.Completed)
                        {
                            task.StopTask();
                        }
                    }
                });
                result = await work(reporter).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return result;
    }

    private static async Task<T> StartAndEndLinesAsync<T>(CommandContext context, string what, Func<IProgress<TransferProgress>?, Task<T>> work)
    {
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        var gate = new Lock();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        context.Console.Err.WriteLine($"{what}: started");
        var result = await work(new SyncProgress<TransferProgress>(report =>
        {
            lock (gate)
            {
                files[report.Path] = Math.Max(0, report.TotalBytes);
            }
        })).ConfigureAwait(false);
        var bytes = files.Values.Sum();
        context.Console.Err.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{what}: done, {files.Count} file{(files.Count == 1 ? "" : "s")}, {bytes} bytes in {clock.Elapsed.TotalSeconds:0.0} s"));
        return result;
    }

    /// <summary>Per-file reports summed into one figure for the whole transfer (bytes done of bytes known).</summary>
    private static Action<TransferProgress> Totals(IProgress<CliProgress> sink)
    {
        var files = new Dictionary<string, (long Done, long Total)>(StringComparer.Ordinal);
        var gate = new Lock();
        return report =>
        {
            CliProgress total;
            lock (gate)
            {
                var done = report.Stage == TransferStage.Completed ? report.TotalBytes : Math.Max(0, report.BytesDone);
                files[report.Path] = (done, Math.Max(0, report.TotalBytes));
                total = new CliProgress(files.Values.Sum(f => f.Done), files.Values.Sum(f => f.Total),
                    $"{report.Stage.ToString().ToLowerInvariant()} {report.Path}");
            }
            sink.Report(total);
        };
    }
}
