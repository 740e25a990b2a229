using System.Globalization;
using System.Text.Json;
using HfHub.LocalHub.Spaces;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Api;

/// <summary>
/// <c>GET /api/spaces/{id}/logs/build|run</c> over SSE (spaces.md §9): every connection replays
/// the buffered lines (or the last <c>tail</c>) as <c>data: {"data","timestamp"}</c> events, then
/// sends an empty <c>data:</c> keep-alive and stays open while the build or the app runs, with
/// more keep-alives while idle. It closes once the build ends (build log) or the app stops (run log).
/// </summary>
internal static class SpaceLogRoutes
{
    public static void Map(WebApplication app, HubState state)
    {
        app.MapGet("/api/spaces/{ns}/{name}/logs/build", context =>
            SpaceRoutes.WithSpace(context, state, SpaceRoutes.Need.Owner, space => Stream(context, state, space, SpaceLogs.Build)));
        app.MapGet("/api/spaces/{ns}/{name}/logs/run", context =>
            SpaceRoutes.WithSpace(context, state, SpaceRoutes.Need.Owner, space => Stream(context, state, space, SpaceLogs.Run)));
    }

    private static async Task Stream(HttpContext context, HubState state, Repo space, string kind)
    {
        int? tail = null;
        if (context.Request.Query.TryGetValue("tail", out var tailText))
        {
            if (!int.TryParse(tailText, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                await HubResponses.BadRequest(context, "tail must be a non-negative integer").ConfigureAwait(false);
                return;
            }
            tail = n;
        }
        var runtime = state.Spaces;
        var aborted = context.RequestAborted;
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";

        var stage = runtime.Stage(space);
        var lines = runtime.Store.Logs(space.Id, kind);
        var lastId = lines.Count > 0 ? lines[^1].Id : 0;
        var replay = tail is { } t ? lines.Skip(Math.Max(0, lines.Count - t)) : lines;
        try
        {
            foreach (var line in replay)
            {
                await Write(context, line).ConfigureAwait(false);
            }
            await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
            if (!IsLive(kind, stage))
            {
                return;
            }
            // The buffer is drained: say so at once with a keep-alive, then follow.
            await KeepAlive(context).ConfigureAwait(false);
            runtime.LogStreamOpened();
            try
            {
                await FollowAsync(context, state, space, kind, lastId).ConfigureAwait(false);
            }
            finally
            {
                runtime.LogStreamClosed();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client disconnected.
        }
    }

    private static async Task FollowAsync(HttpContext context, HubState state, Repo space, string kind, long lastId)
    {
        var runtime = state.Spaces;
        var aborted = context.RequestAborted;
        while (!aborted.IsCancellationRequested)
        {
            var changed = runtime.Changed;
            var fresh = runtime.Store.Logs(space.Id, kind, lastId);
            foreach (var line in fresh)
            {
                await Write(context, line).ConfigureAwait(false);
                lastId = line.Id;
            }
            if (fresh.Count > 0)
            {
                await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }
            if (state.Repos.FindById(space.Id) is null || !IsLive(kind, runtime.Stage(space)))
            {
                foreach (var line in runtime.Store.Logs(space.Id, kind, lastId))
                {
                    await Write(context, line).ConfigureAwait(false);
                }
                await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
                return;
            }
            var delay = Task.Delay(runtime.Timings.KeepAlive, state.Clock, aborted);
            if (await Task.WhenAny(changed, delay).ConfigureAwait(false) == delay)
            {
                await delay.ConfigureAwait(false); // throws when the client went away
                await KeepAlive(context).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A build log streams while building; a run log while the app starts or runs.</summary>
    private static bool IsLive(string kind, string stage) => kind == SpaceLogs.Build
        ? stage == SpaceStages.Building
        : stage is SpaceStages.AppStarting or SpaceStages.Running;

    private static Task Write(HttpContext context, SpaceLogEntry line)
    {
        var json = JsonSerializer.Serialize(new SpaceLogLineBody(line.Data, line.Timestamp), LocalHubJsonContext.Default.SpaceLogLineBody);
        return context.Response.WriteAsync("data: " + json + "\n\n", context.RequestAborted);
    }

    private static async Task KeepAlive(HttpContext context)
    {
        await context.Response.WriteAsync("data: \n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>One server-sent log event: the line and when it was written.</summary>
internal sealed record SpaceLogLineBody(string Data, string Timestamp);
