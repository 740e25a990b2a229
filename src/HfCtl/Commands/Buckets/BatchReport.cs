using System.Runtime.ExceptionServices;
using HfCtl.Cli;
using HfCtl.Commands.Upload;
using HfHub;
using HfHub.Buckets;
using HfHub.Http;

namespace HfCtl.Commands.Buckets;

/// <summary>
/// Runs a bucket batch for a command (with progress bars for people) and says what happened: each
/// step (capped at 50 lines), or with <c>--json</c> all of them. Batches are not transactional, so a
/// partial failure prints what landed and what did not before failing (exit 1); a call refused
/// whole before anything landed keeps the Hub's own error and exit code (403 → 6, 404 → 5).
/// </summary>
internal static class BatchReport
{
    public static async Task RunAsync(CommandContext context, HubClient client, BucketId bucket, string source, string destination,
        IReadOnlyList<BucketOperation> ops, IReadOnlyList<BucketActionView> actions, bool dryRun, CancellationToken cancellationToken)
    {
        if (dryRun || ops.Count == 0)
        {
            Write(context, source, destination, actions, [], dryRun);
            return;
        }
        try
        {
            await TransferProgressView.RunAsync(context, progress =>
                client.Buckets.BatchAsync(bucket, ops, new BucketBatchOptions { Progress = progress }, cancellationToken)).ConfigureAwait(false);
        }
        catch (BucketBatchException e)
        {
            if (e.Result.Succeeded.Count == 0 && e.InnerException is HubException whole)
            {
                ExceptionDispatchInfo.Capture(whole).Throw();
            }
            var landed = new HashSet<string>(e.Result.Succeeded, StringComparer.Ordinal);
            Write(context, source, destination, [.. actions.Where(a => landed.Contains(a.Path))],
                [.. e.Result.Failed.Select(f => new BucketFailureView(f.Path, f.Error)), .. e.Result.NotApplied.Select(p => new BucketFailureView(p, "not applied"))], dryRun: false);
            throw new CommandFailedException(e.Message, ExitCodes.Error);
        }
        Write(context, source, destination, actions, [], dryRun: false);
    }

    public static void Write(CommandContext context, string source, string destination, IReadOnlyList<BucketActionView> actions, IReadOnlyList<BucketFailureView> failed, bool dryRun)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(new BucketTransferView(source, destination, dryRun, actions, failed), BucketsCliJsonContext.Default.BucketTransferView);
            return;
        }
        var verb = dryRun ? "would " : "";
        var lines = actions.Select(a => $"{verb}{a.Action} {a.Path}{(a.Action == "delete" ? "" : $" ({BucketsCommands.Bytes(a.Size)})")}")
            .Concat(failed.Select(f => $"failed {f.Path}: {f.Error}"))
            .ToList();
        if (lines.Count > 1 || failed.Count > 0 || dryRun)
        {
            context.Output.WriteCapped(lines, "steps");
        }
        if (failed.Count == 0)
        {
            context.Output.Success(actions.Count switch
            {
                0 => $"{destination} is up to date",
                1 when !dryRun => $"{Past(actions[0].Action)} {actions[0].Path} ({source} → {destination})",
                _ => $"{(dryRun ? "Would apply" : "Applied")} {actions.Count} step(s): {source} → {destination}",
            });
        }
    }

    private static string Past(string action) => action switch
    {
        "upload" => "Uploaded",
        "download" => "Downloaded",
        "copy" => "Copied",
        "delete" => "Deleted",
        _ => action,
    };
}
