using System.Globalization;
using System.Text.Json;
using HfHub.LocalHub.Services;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>
/// Storage Buckets (buckets.md §3): create, info, list, delete, Xet tokens (no revision) and
/// moves (through <c>POST /api/repos/move</c> with <c>type: bucket</c>, see <see cref="Move"/>).
/// Files are in <see cref="BucketFileRoutes"/>, the batch in <see cref="BucketBatchService"/>.
/// Visibility and permissions are the repos' (a bucket is a <see cref="Repo"/> of type <c>bucket</c>):
/// a bucket the caller may not read does not exist for them (404, 401 when anonymous).
/// </summary>
internal static class BucketRoutes
{
    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        var batch = new BucketBatchService(state);
        app.MapPost("/api/buckets/{ns}/{name}", context => Create(context, state));
        app.MapGet("/api/buckets/{ns}", context => List(context, state));
        app.MapGet("/api/buckets/{ns}/{name}", context => Info(context, state));
        app.MapDelete("/api/buckets/{ns}/{name}", context => Delete(context, state));
        app.MapGet("/api/buckets/{ns}/{name}/xet-read-token", context => Token(context, state, write: false));
        app.MapGet("/api/buckets/{ns}/{name}/xet-write-token", context => Token(context, state, write: true));
        app.MapPost("/api/buckets/{ns}/{name}/batch", context => Batch(context, state, batch));
        BucketFileRoutes.Map(app, state);
    }

    /// <summary>The web URL of a bucket: <c>{endpoint}/buckets/{ns}/{name}</c>.</summary>
    public static string Url(HubState state, Repo bucket) => RepoRoutes.Url(state, "buckets/", bucket.FullName);

    /// <summary>The route's namespace, with <c>me</c> meaning the caller (null for an anonymous <c>me</c>).</summary>
    private static string? Namespace(HttpContext context)
    {
        var ns = RepoLookup.Route(context, "ns");
        return ns == "me" ? context.Caller().User?.Name : ns;
    }

    /// <summary>The bucket the route names, if the caller may read it; otherwise answers 404 (401 anonymous) and returns null.</summary>
    public static async Task<Repo?> ReadableAsync(HttpContext context, HubState state)
    {
        var ns = Namespace(context);
        var bucket = ns is null ? null : state.Buckets.Find(ns, RepoLookup.Route(context, "name"));
        if (bucket is null || !state.Access.CanRead(context.Caller(), bucket))
        {
            await BucketNotFound(context.Caller()).WriteAsync(context).ConfigureAwait(false);
            return null;
        }
        return bucket;
    }

    /// <summary>The bucket the route names, if the caller may write to it; otherwise answers 404, 401 or 403 and returns null.</summary>
    public static async Task<Repo?> WritableAsync(HttpContext context, HubState state)
    {
        var bucket = await ReadableAsync(context, state).ConfigureAwait(false);
        return bucket is not null && await RepoLookup.CheckWriteAsync(context, state, bucket).ConfigureAwait(false) ? bucket : null;
    }

    /// <summary>As <see cref="HubError.RepoNotFound"/>, in the bucket's words (Python maps it to <c>BucketNotFoundError</c> by status).</summary>
    public static HubError BucketNotFound(HubCaller caller) =>
        HubError.RepoNotFound(caller) with { Message = "Bucket not found" };

    /// <summary>
    /// <c>POST /api/buckets/{ns|me}/{name}</c>. Public unless the body says <c>private: true</c> or
    /// <c>visibility: "private"</c>: Python sends <c>{}</c> by default and documents "public unless
    /// the organization's default is private" (hf_api.py <c>create_bucket</c>). <c>region</c> is
    /// <c>us</c> or <c>eu</c>; <c>resourceGroupId</c> is accepted and ignored (no Enterprise features here).
    /// </summary>
    private static async Task Create(HttpContext context, HubState state)
    {
        var caller = context.Caller();
        if (caller.User is null)
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return;
        }
        using var document = await RepoLookup.ReadJsonAsync(context, allowEmpty: true).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        var ns = Namespace(context)!;
        var name = RepoLookup.Route(context, "name");
        var isPrivate = body.Bool("private");
        var visibility = body.String("visibility");
        var region = body.String("region") ?? "us";
        HubError? refused =
            !RepoNames.IsValid(name) ? HubError.BadRequest("Invalid bucket name: use letters, digits, '-', '_' or '.', at most 96 characters, not starting or ending with '-' or '.', without '--' or '..'")
            : isPrivate is not null && visibility is not null ? HubError.BadRequest("Specify either private or visibility, not both")
            : visibility is not (null or "public" or "private" or "protected") ? HubError.BadRequest("visibility must be public, private or protected")
            : region is not ("us" or "eu") ? HubError.BadRequest("region must be us or eu")
            : state.Accounts.Find(ns) is null || !state.Access.OwnsNamespace(caller, ns) ? HubError.Forbidden($"You don't have the rights to create a bucket under the namespace \"{ns}\"")
            : !caller.CanWrite ? HubError.Forbidden("You have read access but not the required permissions for this operation (a write token is needed).")
            : null;
        if (refused is not null)
        {
            await refused.WriteAsync(context).ConfigureAwait(false);
            return;
        }
        var owner = state.Accounts.Find(ns)!;
        var makePrivate = isPrivate ?? visibility is "private" or "protected";
        if (state.Buckets.Create(owner.Name, name, makePrivate, region, caller.User) is not { } bucket)
        {
            var existing = state.Buckets.Find(owner.Name, name)!;
            await HubError.Conflict("You already created this bucket", Url(state, existing)).WriteAsync(context).ConfigureAwait(false);
            return;
        }
        await HubResponses.Json(context, new BucketCreatedBody(Url(state, bucket), bucket.FullName), LocalHubJsonContext.Default.BucketCreatedBody).ConfigureAwait(false);
    }

    private static BucketInfoBody InfoOf(HubState state, Repo bucket)
    {
        var (size, files) = state.Buckets.Usage(bucket);
        return new BucketInfoBody(bucket.FullName, bucket.Private, bucket.CreatedAt, size, files);
    }

    private static async Task Info(HttpContext context, HubState state)
    {
        if (await ReadableAsync(context, state).ConfigureAwait(false) is { } bucket)
        {
            await HubResponses.Json(context, InfoOf(state, bucket), LocalHubJsonContext.Default.BucketInfoBody).ConfigureAwait(false);
        }
    }

    /// <summary><c>GET /api/buckets/{ns|me}[?search=]</c>: the namespace's buckets the caller may see, paged with <c>Link</c>.</summary>
    private static async Task List(HttpContext context, HubState state)
    {
        var ns = Namespace(context);
        if (ns is null)
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return;
        }
        var query = context.Request.Query;
        var search = query["search"].ToString() is { Length: > 0 } s ? s : null;
        var visible = state.Buckets.List(ns, search).Where(b => state.Access.CanRead(context.Caller(), b)).ToList();
        var pageSize = state.Options.ListPageSize;
        if (query["limit"].ToString() is { Length: > 0 } limitText)
        {
            if (!int.TryParse(limitText, CultureInfo.InvariantCulture, out var limit) || limit < 1)
            {
                await HubResponses.BadRequest(context, "limit must be a positive integer").ConfigureAwait(false);
                return;
            }
            pageSize = Math.Min(limit, pageSize);
        }
        var offset = RepoRoutes.DecodeCursor(query["cursor"]) ?? 0;
        var page = visible.Skip(offset).Take(pageSize + 1).ToList();
        if (page.Count > pageSize)
        {
            page.RemoveAt(pageSize);
            context.Response.Headers.Link = RepoRoutes.NextLink(state, context, offset + pageSize);
        }
        await HubResponses.Json(context, page.Select(b => InfoOf(state, b)).ToList(), LocalHubJsonContext.Default.ListBucketInfoBody).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>DELETE /api/buckets/{ns}/{name}</c>: the bucket and every object in it, at once. No
    /// source says the Hub refuses a non-empty bucket (Python's <c>delete_bucket</c> documents only
    /// <c>BucketNotFoundError</c>, and its own tests delete buckets they filled), so this hub does not
    /// refuse either; whether production refuses is UNCONFIRMED.
    /// </summary>
    private static async Task Delete(HttpContext context, HubState state)
    {
        if (await WritableAsync(context, state).ConfigureAwait(false) is not { } bucket)
        {
            return;
        }
        state.Buckets.Delete(bucket);
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("OK", context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Xet tokens without a revision (buckets are not versioned); a write token needs write access.</summary>
    private static async Task Token(HttpContext context, HubState state, bool write)
    {
        var bucket = write ? await WritableAsync(context, state).ConfigureAwait(false) : await ReadableAsync(context, state).ConfigureAwait(false);
        if (bucket is null)
        {
            return;
        }
        var (token, expires) = Cas.XetHubRoutes.IssueToken(state, bucket, write);
        await HubResponses.Json(context, new BucketXetTokenBody(token, expires, Cas.XetHubRoutes.CasUrl(state)), LocalHubJsonContext.Default.BucketXetTokenBody).ConfigureAwait(false);
    }

    private static async Task Batch(HttpContext context, HubState state, BucketBatchService batch)
    {
        if (await WritableAsync(context, state).ConfigureAwait(false) is not { } bucket)
        {
            return;
        }
        var result = await batch.ApplyAsync(context, bucket).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            await error.WriteAsync(context).ConfigureAwait(false);
            return;
        }
        // 422 when a line failed: the JS client accepts it and reads `failed`; the production status is UNCONFIRMED.
        var status = result.Value.Success ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity;
        await HubResponses.Json(context, result.Value, LocalHubJsonContext.Default.BucketBatchBody, status).ConfigureAwait(false);
    }

    /// <summary>
    /// A move body of <c>type: bucket</c> (<c>POST /api/repos/move</c>, as Python's <c>move_bucket</c>):
    /// the caller must write the bucket and own the target namespace; 409 when the target exists.
    /// </summary>
    public static HubResult<UrlBody> Move(HubState state, HubCaller caller, JsonElement body)
    {
        var from = (body.String("fromRepo") ?? "").Split('/');
        var to = (body.String("toRepo") ?? "").Split('/');
        if (from.Length != 2 || to.Length != 2 || !RepoNames.IsValid(to[1]))
        {
            return HubError.BadRequest("fromRepo and toRepo must be namespace/name bucket ids, with a valid new name");
        }
        var bucket = state.Buckets.Find(from[0], from[1]);
        if (bucket is null || !state.Access.CanRead(caller, bucket))
        {
            return BucketNotFound(caller);
        }
        if (RepoLookup.WriteRefusal(caller, state, bucket) is { } refused)
        {
            return refused;
        }
        if (state.Accounts.Find(to[0]) is not { } owner || !state.Access.OwnsNamespace(caller, to[0]))
        {
            return HubError.Forbidden($"You don't have the rights to create a bucket under the namespace \"{to[0]}\"");
        }
        if (!state.Buckets.Move(bucket, owner.Name, to[1]))
        {
            return new HubError(StatusCodes.Status409Conflict, $"A bucket called {owner.Name}/{to[1]} already exists");
        }
        return new UrlBody(RepoRoutes.Url(state, "buckets/", $"{owner.Name}/{to[1]}"));
    }
}
