using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Api;

/// <summary>
/// The middleware every request goes through, in order: collapse duplicate slashes (the JS
/// client sends <c>//api/…</c> when its hubUrl ends in '/'), request ids, the Hub's exposed
/// headers, a JSON 500 for unhandled errors, bearer-token authentication; then the routes.
/// </summary>
internal static class HubRequestPipeline
{
    private const string ExposedHeaders =
        "X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,Content-Range,X-Linked-Size,X-Linked-ETag,"
        + "X-Xet-Hash,X-Xet-Cas-Url,X-Xet-Access-Token,X-Xet-Token-Expiration,X-Xet-Refresh-Route";

    public static void Configure(WebApplication app, HubState state)
    {
        if (state.Options.Bandwidth is { } bandwidth)
        {
            // First, so that everything the hub sends or reads crosses the emulated link.
            app.Use(new Faults.BandwidthThrottle(bandwidth, state.Clock).InvokeAsync);
        }
        app.Use((context, next) =>
        {
            var path = context.Request.Path.Value;
            if (path is not null && path.Contains("//", StringComparison.Ordinal))
            {
                context.Request.Path = new PathString(CollapseSlashes(path));
            }
            CanonicalIds.Rewrite(context, state);
            var traceId = context.Request.Headers["X-Amzn-Trace-Id"].ToString();
            var requestId = string.Create(CultureInfo.InvariantCulture,
                $"Root=1-{state.Clock.GetUtcNow().ToUnixTimeSeconds():x8}-{Store.HubIds.NewObjectId()}");
            context.Response.Headers["X-Request-Id"] = traceId.Length > 0 ? $"{requestId};{traceId}" : requestId;
            context.Response.Headers["Access-Control-Expose-Headers"] = ExposedHeaders;
            return next(context);
        });
        app.Use((context, next) => state.Faults.InvokeAsync(context, next));
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (Exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                context.Response.Clear();
                await HubResponses.Error(context, StatusCodes.Status500InternalServerError, "Internal Error").ConfigureAwait(false);
            }
        });
        app.Use((context, next) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            // The CAS authenticates its own (Xet) tokens; a Hub token is never accepted there.
            if (header.Length == 0 || context.Request.Path.StartsWithSegments("/_localhub") || context.Request.Path.StartsWithSegments("/cas"))
            {
                return next(context);
            }
            const string bearer = "Bearer ";
            var value = header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? header[bearer.Length..].Trim() : "";
            if (value.Length == 0 || state.Accounts.Authenticate(value) is not { } found)
            {
                return HubResponses.Unauthorized(context);
            }
            context.Features.Set(new HubCaller(found.User, found.Token));
            return next(context);
        });
        if (state.Options.RateLimits is { } limits)
        {
            var limiter = new Faults.RateLimiter(limits, state.Clock);
            app.Use(limiter.InvokeAsync);
        }
        app.UseRouting();

        AccountRoutes.Map(app, state);
        HubServiceRoutes.Map(app);
        AdminRoutes.Map(app, state);
        RepoRoutes.Map(app, state);
        BucketRoutes.Map(app, state);
        CommitRoutes.Map(app, state);
        LfsRoutes.Map(app, state);
        LfsStorageRoutes.Map(app, state);
        FileRoutes.Map(app, state);
        GatedRoutes.Map(app, state);
        LikeRoutes.Map(app, state);
        DiscussionRoutes.Map(app, state);
        Spaces.SpaceSearchRoutes.Map(app, state);
        Spaces.SpaceTemplateRoutes.Map(app, state);
        TreeRoutes.Map(app, state);
        RefRoutes.Map(app, state);
        Faults.FaultRoutes.Map(app, state);
        Faults.RedirectRoutes.Map(app);
        Cas.XetHubRoutes.Map(app, state);
        Cas.CasRoutes.Map(app, state);
        SpaceRoutes.Map(app, state);
        Endpoints.EndpointRoutes.Map(app, state);

        app.MapFallback(context => HubResponses.Error(context, StatusCodes.Status404NotFound, "Sorry, we can't find the page you are looking for."));
    }

    internal static string CollapseSlashes(string path)
    {
        var builder = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c == '/' && builder.Length > 0 && builder[^1] == '/')
            {
                continue;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }
}
