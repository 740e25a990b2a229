using System.CommandLine;
using System.Globalization;
using HfCtl.Cli;
using HfHub;
using HfHub.Buckets;

namespace HfCtl.Commands.Buckets;

/// <summary>
/// <c>hfctl buckets</c>, with the <c>hf buckets</c> nouns: create, info, list, delete, move; and
/// the files: ls, cp, rm, sync (<see cref="BucketFileCommands"/>, <see cref="BucketSyncCommand"/>).
/// </summary>
internal static class BucketsCommands
{
    private static readonly Argument<string> Id = new("bucket") { Description = "The bucket: namespace/name or hf://buckets/namespace/name (a bare name is yours, for create)" };
    private static readonly Option<bool> Public = new("--public") { Description = "Make the bucket public (buckets are private unless this is given)" };
    private static readonly Option<string?> Region = new("--region") { Description = "Where the bytes live: us or eu (default: the Hub's)" };
    private static readonly Option<bool> ExistOk = new("--exist-ok") { Description = "Succeed if the bucket exists already" };
    private static readonly Option<bool> Yes = new("--yes", "-y") { Description = "Delete without asking" };
    private static readonly Option<bool> MissingOk = new("--missing-ok") { Description = "Succeed if the bucket does not exist" };
    private static readonly Option<string?> Namespace = new("--namespace", "--author") { Description = "List this user's or organisation's buckets (default: yours)" };
    private static readonly Option<string?> Search = new("--search") { Description = "Only buckets whose id contains this text" };
    private static readonly Argument<string> From = new("from") { Description = "The bucket to move: namespace/name" };
    private static readonly Argument<string> To = new("to") { Description = "Its new id: namespace/name" };

    public static Command Create(App app)
    {
        var buckets = new Command("buckets", "Storage Buckets: mutable, non-versioned object storage on Xet");
        buckets.Aliases.Add("bucket");
        var create = new Command("create", "Create a bucket (private unless --public)") { Id, Public, Region, ExistOk };
        create.SetAction(app.Handler(CreateAsync));
        var info = new Command("info", "Show a bucket: visibility, size, number of files") { Id };
        info.SetAction(app.Handler(InfoAsync));
        var list = new Command("list", "List buckets") { Namespace, Search };
        list.SetAction(app.Handler(ListAsync));
        var delete = new Command("delete", "Delete a bucket and every file in it (irreversible)") { Id, Yes, MissingOk };
        delete.SetAction(app.Handler(DeleteAsync));
        var move = new Command("move", "Rename a bucket or move it to another namespace") { From, To };
        move.SetAction(app.Handler(MoveAsync));
        buckets.Subcommands.Add(create);
        buckets.Subcommands.Add(info);
        buckets.Subcommands.Add(list);
        buckets.Subcommands.Add(delete);
        buckets.Subcommands.Add(move);
        foreach (var command in BucketFileCommands.Create(app))
        {
            buckets.Subcommands.Add(command);
        }
        buckets.Subcommands.Add(BucketSyncCommand.Create(app));
        return buckets;
    }

    /// <summary>A bucket id for a write: a bare name is the caller's (as <c>hf buckets create name</c>).</summary>
    private static async Task<BucketId> WriteIdAsync(HubClient client, string text, CancellationToken cancellationToken)
    {
        if (!BucketPath.IsRemote(text) && !text.Contains('/', StringComparison.Ordinal) && HfHub.Repos.RepoId.TryParse(text, out _, out _))
        {
            return BucketId.Parse($"{(await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false)).Name}/{text}");
        }
        return BucketPath.ParseId(text);
    }

    private static async Task<int> CreateAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var text = context.ParseResult.GetValue(Id)!;
        if (text.Contains('/', StringComparison.Ordinal) || BucketPath.IsRemote(text))
        {
            BucketPath.ParseId(text);
        }
        else if (!HfHub.Repos.RepoId.TryParse(text, out _, out var error))
        {
            throw new UsageException(error.Replace("repo", "bucket", StringComparison.Ordinal));
        }
        var region = context.ParseResult.GetValue(Region) switch
        {
            null => (BucketRegion?)null,
            "us" => BucketRegion.Us,
            "eu" => BucketRegion.Eu,
            var other => throw new UsageException($"--region must be us or eu, not '{other}'"),
        };
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var bucket = await WriteIdAsync(client, text, cancellationToken).ConfigureAwait(false);
        var result = await client.Buckets.CreateAsync(bucket, new CreateBucketOptions
        {
            Private = !context.ParseResult.GetValue(Public),
            Region = region,
            ExistOk = context.ParseResult.GetValue(ExistOk),
        }, cancellationToken).ConfigureAwait(false);
        context.PrintedHubUrls();
        if (context.Output.Json)
        {
            context.Output.WriteJson(new BucketCreatedView(bucket.ToString(), result.Url.ToString(), $"hf://buckets/{bucket}", result.Created), BucketsCliJsonContext.Default.BucketCreatedView);
        }
        else
        {
            context.Output.Success(result.Created ? $"Created bucket {result.Url}" : $"bucket exists already: {result.Url}");
        }
        return ExitCodes.Ok;
    }

    private static async Task<int> InfoAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var bucket = BucketPath.ParseId(context.ParseResult.GetValue(Id)!);
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var info = await client.Buckets.GetAsync(bucket, cancellationToken).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(View(info), BucketsCliJsonContext.Default.BucketView);
            return ExitCodes.Ok;
        }
        context.Output.Line($"id:         {info.Id}");
        context.Output.Line($"visibility: {(info.Private ? "private" : "public")}");
        context.Output.Line($"files:      {info.TotalFiles.ToString(CultureInfo.InvariantCulture)}");
        context.Output.Line($"size:       {Bytes(info.Size)}");
        context.Output.Line($"created:    {info.CreatedAt.ToString("u", CultureInfo.InvariantCulture)}");
        context.Output.Line($"uri:        hf://buckets/{info.Id}");
        return ExitCodes.Ok;
    }

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var ns = context.ParseResult.GetValue(Namespace);
        if (ns is not null && (ns.Contains('/', StringComparison.Ordinal) || !HfHub.Repos.RepoId.TryParse(ns, out _, out _)))
        {
            throw new UsageException($"--namespace '{ns}' is not a user or organisation name");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var everything = context.Output.Settings.All || context.Output.Json;
        var items = new List<BucketView>();
        await foreach (var info in client.Buckets.ListAsync(ns, context.ParseResult.GetValue(Search), cancellationToken).ConfigureAwait(false))
        {
            items.Add(View(info));
            if (!everything && items.Count > OutputSettings.MaxHumanLines)
            {
                break;
            }
        }
        context.Output.WriteList(items, [
            new Column<BucketView>("id", b => b.Id),
            new Column<BucketView>("visibility", b => b.Private ? "private" : "public"),
            new Column<BucketView>("files", b => b.TotalFiles.ToString(CultureInfo.InvariantCulture)),
            new Column<BucketView>("size", b => Bytes(b.Size)),
        ], BucketsCliJsonContext.Default.ListBucketView, "buckets", moreAtSource: !everything && items.Count > OutputSettings.MaxHumanLines);
        return ExitCodes.Ok;
    }

    private static async Task<int> DeleteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var bucket = BucketPath.ParseId(context.ParseResult.GetValue(Id)!);
        var yes = context.ParseResult.GetValue(Yes);
        Confirmation.RefuseUnanswerable(context, yes, $"delete bucket {bucket}");
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await Confirmation.RequireAsync(context, yes, $"delete bucket {bucket}",
            $"Delete bucket {bucket} and every file in it? This cannot be undone.", cancellationToken).ConfigureAwait(false);
        var deleted = await client.Buckets.DeleteAsync(bucket, context.ParseResult.GetValue(MissingOk), cancellationToken).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(new BucketDeletedView(bucket.ToString(), deleted), BucketsCliJsonContext.Default.BucketDeletedView);
        }
        else
        {
            context.Output.Success(deleted ? $"Deleted bucket {bucket}" : $"bucket {bucket} did not exist");
        }
        return ExitCodes.Ok;
    }

    private static async Task<int> MoveAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var from = BucketPath.ParseId(context.ParseResult.GetValue(From)!);
        var to = BucketPath.ParseId(context.ParseResult.GetValue(To)!);
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await client.Buckets.MoveAsync(from, to, cancellationToken).ConfigureAwait(false);
        context.Output.Success($"Moved bucket {from} to {to}");
        return ExitCodes.Ok;
    }

    private static BucketView View(BucketInfo info) => new(info.Id, info.Private, info.Size, info.TotalFiles, info.CreatedAt);

    internal static string Bytes(long size) => size switch
    {
        < 1024 => $"{size} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{size / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{size / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{size / (1024.0 * 1024 * 1024):0.##} GiB"),
    };
}
