using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HfHub.LocalHub.Services;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>
/// Repo CRUD, info and listing: <c>POST /api/repos/create</c>, <c>DELETE /api/repos/delete</c>,
/// <c>POST /api/repos/move</c>, <c>PUT /api/{type}s/{id}/settings</c>,
/// <c>GET /api/{type}s/{id}[/revision/{rev}]</c>, <c>GET /api/{type}s</c>. Creation, moves and
/// settings are done by <see cref="RepoService"/>.
/// </summary>
internal static class RepoRoutes
{
    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        var repos = new RepoService(state, new CommitService(state));
        app.MapPost("/api/repos/create", context => Create(context, state, repos));
        app.MapDelete("/api/repos/delete", context => Delete(context, state));
        app.MapPost("/api/repos/move", context => Move(context, state, repos));
        foreach (var (segment, type, _) in RepoLookup.Types)
        {
            app.MapGet($"/api/{segment}", context => List(context, state, type));
            app.MapGet($"/api/{segment}/{{ns}}/{{name}}", context => Info(context, state, type, null));
            app.MapGet($"/api/{segment}/{{ns}}/{{name}}/revision/{{**rev}}", context => Info(context, state, type, RepoLookup.Revision(RepoLookup.Route(context, "rev"))));
            app.MapPut($"/api/{segment}/{{ns}}/{{name}}/settings", context => Settings(context, state, repos, type));
            app.MapGet($"/api/{segment}/{{ns}}/{{name}}/auth-check", context => AuthCheck(context, state, type, write: false));
            app.MapGet($"/api/{segment}/{{ns}}/{{name}}/auth-check/write", context => AuthCheck(context, state, type, write: true));
        }
    }

    private static async Task Create(HttpContext context, HubState state, RepoService repos)
    {
        var caller = context.Caller();
        if (caller.User is not { } user)
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return;
        }
        using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var created = await repos.CreateAsync(caller, user, document.RootElement, context.RequestAborted).ConfigureAwait(false);
        await HubResponses.Result(context, created, LocalHubJsonContext.Default.RepoCreatedBody).ConfigureAwait(false);
    }

    private static async Task Delete(HttpContext context, HubState state)
    {
        using var document = await RepoLookup.SignedInBodyAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        var (type, ns, name) = RepoLookup.TargetOf(body, context.Caller().User!.Name);
        var repo = type is null ? null : state.Repos.Find(type, ns, name);
        if (repo is null || !state.Access.CanRead(context.Caller(), repo))
        {
            await HubResponses.RepoNotFound(context).ConfigureAwait(false);
            return;
        }
        if (!await RepoLookup.CheckWriteAsync(context, state, repo).ConfigureAwait(false))
        {
            return;
        }
        state.Repos.Delete(repo);
        if (repo.Type == "space")
        {
            state.SpaceHooks?.OnDeleted(repo);
        }
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("OK", context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task Move(HttpContext context, HubState state, RepoService repos)
    {
        using var document = await RepoLookup.SignedInBodyAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        var moved = body.String("type") == BucketStore.Type ? BucketRoutes.Move(state, context.Caller(), body) : repos.Move(context.Caller(), body);
        await HubResponses.Result(context, moved, LocalHubJsonContext.Default.UrlBody).ConfigureAwait(false);
    }

    private static async Task Settings(HttpContext context, HubState state, RepoService repos, string type)
    {
        if (await RepoLookup.WritableWithBodyAsync(context, state, type).ConfigureAwait(false) is not { } request)
        {
            return;
        }
        using var document = request.Body;
        await HubResponses.Result(context, repos.UpdateSettings(request.Repo, document.RootElement), LocalHubJsonContext.Default.RepoSettingsBody).ConfigureAwait(false);
    }

    /// <summary><c>auth-check[/write]</c>: 200 when the caller may read (or write) the repo, else the usual 404/401/403.</summary>
    private static async Task AuthCheck(HttpContext context, HubState state, string type, bool write)
    {
        var repo = write
            ? await RepoLookup.WritableAsync(context, state, type).ConfigureAwait(false)
            : await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is not null)
        {
            await HubResponses.Json(context, new SuccessBody(true), LocalHubJsonContext.Default.SuccessBody).ConfigureAwait(false);
        }
    }

    private static async Task Info(HttpContext context, HubState state, string type, string? revision)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var expand = RepoJson.ParseExpand(context, type, out var error);
        if (error is not null)
        {
            await HubResponses.BadRequest(context, error).ConfigureAwait(false);
            return;
        }
        var commit = await RepoLookup.CommitAsync(context, state, repo, revision ?? GitStore.DefaultBranch).ConfigureAwait(false);
        if (commit is null)
        {
            return;
        }
        var blobs = context.Request.Query["blobs"].ToString() is "true" or "True" or "1";
        await RepoLookup.WriteJsonAsync(context, w => RepoJson.Write(w, state, repo, commit, RepoFields.Info, expand, blobs, context.Caller())).ConfigureAwait(false);
    }

    private static async Task List(HttpContext context, HubState state, string type)
    {
        var query = context.Request.Query;
        var expand = RepoJson.ParseExpand(context, type, out var error);
        var full = query["full"] is var f && (f == "true" || f == "1" || f == "True");
        if (error is not null || (full && expand is not null))
        {
            await HubResponses.BadRequest(context, error ?? "full and expand cannot be combined").ConfigureAwait(false);
            return;
        }
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
        var offset = DecodeCursor(query["cursor"]) ?? (int.TryParse(query["skip"], CultureInfo.InvariantCulture, out var skip) ? Math.Max(skip, 0) : 0);
        var author = query["author"].ToString() is { Length: > 0 } a ? a : null;
        var search = query["search"].ToString() is { Length: > 0 } s ? s : null;
        var all = state.Repos.List(type, author, search, state.Access.ReadableNamespaces(context.Caller()), 0, int.MaxValue);
        if (query["filter"].Count > 0)
        {
            all = []; // the local hub's repos carry no tags, so a tag filter matches nothing
        }
        var descending = query["direction"].ToString() != "1";
        IEnumerable<Repo> sorted = query["sort"].ToString() switch
        {
            "createdAt" or "created_at" => descending ? all.OrderByDescending(r => r.CreatedAt, StringComparer.Ordinal) : all.OrderBy(r => r.CreatedAt, StringComparer.Ordinal),
            "id" or "name" => descending && query["direction"].Count > 0 ? all.OrderByDescending(r => r.FullName, StringComparer.OrdinalIgnoreCase) : all.OrderBy(r => r.FullName, StringComparer.OrdinalIgnoreCase),
            "lastModified" or "last_modified" when !descending => all.OrderBy(r => r.LastModified, StringComparer.Ordinal),
            // likes, downloads and trending are all 0 on a local hub: those sorts fall back to the newest change first
            _ => all,
        };
        var page = sorted.Skip(offset).Take(pageSize + 1).ToList();
        if (page.Count > pageSize)
        {
            page.RemoveAt(pageSize);
            context.Response.Headers.Link = NextLink(state, context, offset + pageSize);
        }
        var fields = full ? RepoFields.Full : RepoFields.List;
        var wantsSha = (expand?.Contains("sha") ?? full) || (expand?.Contains("siblings") ?? full);
        using var runtimes = type == "space" && expand?.Contains("runtime") == true ? state.Spaces.Prefetch(page) : null;
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var repo in page)
            {
                var commit = wantsSha ? state.Git.ResolveRevision(repo.Id, GitStore.DefaultBranch) : null;
                RepoJson.Write(w, state, repo, commit, fields, expand, blobs: false, context.Caller());
            }
            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// The <c>Link</c> header for the next page: the same absolute URL with a <c>cursor</c>, and a
    /// space after ';' (the JS client's parser requires both).
    /// </summary>
    public static string NextLink(HubState state, HttpContext context, int nextOffset) =>
        NextLink(state, context, EncodeCursor(nextOffset));

    public static string NextLink(HubState state, HttpContext context, string cursor)
    {
        var query = context.Request.Query.Where(q => q.Key != "cursor")
            .SelectMany(q => q.Value.Select(v => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(v ?? "")))
            .Append("cursor=" + Uri.EscapeDataString(cursor));
        var path = context.Request.PathBase + context.Request.Path;
        return $"<{state.Endpoint.ToString().TrimEnd('/')}{path}?{string.Join('&', query)}>; rel=\"next\"";
    }

    public static string EncodeCursor(int offset) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"offset\":{offset}}}")));

    public static int? DecodeCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(cursor));
            // Any JSON may come back as a cursor: only {"offset": <non-negative int>} is one.
            return document.RootElement.Int64("offset") is { } value && value is >= 0 and <= int.MaxValue ? (int)value : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    public static string Url(HubState state, string prefix, string fullName) =>
        $"{state.Endpoint.ToString().TrimEnd('/')}/{prefix}{fullName}";

}
