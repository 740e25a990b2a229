using System.Buffers.Text;
using System.Globalization;
using System.Text;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>
/// A bucket's files: <c>tree[/{prefix}]</c> (Python sends the prefix with '/' as <c>%2F</c>, JS
/// unencoded; both are understood), <c>paths-info</c>, and <c>resolve</c> (HEAD and GET) with the
/// headers both official clients need (buckets.md §3).
/// </summary>
internal static class BucketFileRoutes
{
    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        app.MapGet("/api/buckets/{ns}/{name}/tree", context => Tree(context, state));
        app.MapGet("/api/buckets/{ns}/{name}/tree/{**prefix}", context => Tree(context, state));
        app.MapPost("/api/buckets/{ns}/{name}/paths-info", context => PathsInfo(context, state));
        app.MapMethods("/buckets/{ns}/{name}/resolve/{**path}", ["GET", "HEAD"], context => Resolve(context, state));
    }

    /// <summary>A path from a catch-all route, decoded once (<c>%2F</c> included), without surrounding slashes.</summary>
    private static string DecodedRoute(HttpContext context, string name)
    {
        var raw = RepoLookup.Route(context, name);
        return raw.Length == 0 ? "" : Uri.UnescapeDataString(RepoLookup.RawRoute(context, name)).Trim('/');
    }

    private static string Iso(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static BucketEntryBody FileEntry(BucketObject o) =>
        new("file", o.Path, o.Size, o.XetHash, o.Mtime is { } ms ? Iso(ms) : null, o.UploadedAt);

    /// <summary>
    /// Files and folders under a prefix, in path order: only the first level unless <c>recursive</c>
    /// (then every file and every folder). A folder's <c>uploadedAt</c> is its newest file's. A prefix
    /// holding nothing answers an empty list, as object stores do (the Hub's answer is UNCONFIRMED).
    /// </summary>
    private static async Task Tree(HttpContext context, HubState state)
    {
        if (await BucketRoutes.ReadableAsync(context, state).ConfigureAwait(false) is not { } bucket)
        {
            return;
        }
        var prefix = DecodedRoute(context, "prefix");
        var recursive = TreeRoutes.Flag(context, "recursive");
        var start = prefix.Length == 0 ? 0 : prefix.Length + 1;
        var entries = new SortedDictionary<string, BucketEntryBody>(StringComparer.Ordinal);
        foreach (var o in state.Buckets.Objects(bucket, prefix))
        {
            var rest = o.Path[start..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || recursive)
            {
                entries[o.Path] = FileEntry(o);
            }
            // Every folder between the prefix and the file (only the first one without recursive).
            for (var at = rest.IndexOf('/', StringComparison.Ordinal); at >= 0; at = recursive ? rest.IndexOf('/', at + 1) : -1)
            {
                var folder = o.Path[..(start + at)];
                if (!entries.TryGetValue(folder, out var known) || string.CompareOrdinal(known.UploadedAt, o.UploadedAt) < 0)
                {
                    entries[folder] = new BucketEntryBody("directory", folder, null, null, null, o.UploadedAt);
                }
            }
        }
        var after = DecodeCursor(context.Request.Query["cursor"]);
        var page = entries.Values.Where(e => after is null || string.CompareOrdinal(e.Path, after) > 0).Take(state.Options.TreePageSize + 1).ToList();
        if (page.Count > state.Options.TreePageSize)
        {
            page.RemoveAt(page.Count - 1);
            context.Response.Headers.Link = RepoRoutes.NextLink(state, context, Base64Url.EncodeToString(Encoding.UTF8.GetBytes(page[^1].Path)));
        }
        await HubResponses.Json(context, page, LocalHubJsonContext.Default.ListBucketEntryBody).ConfigureAwait(false);
    }

    private static string? DecodeCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary><c>{"paths": […]}</c> → the entries of the files among them; folders and unknown paths are left out; above 1000 paths 413 as for repos.</summary>
    private static async Task PathsInfo(HttpContext context, HubState state)
    {
        if (await BucketRoutes.ReadableAsync(context, state).ConfigureAwait(false) is not { } bucket)
        {
            return;
        }
        var body = await RepoLookup.ReadBodyAsync(context, LocalHubJsonContext.Default.BucketPathsBody, "{\"paths\": [\"…\"]}").ConfigureAwait(false);
        if (body is null)
        {
            return;
        }
        var paths = body.Paths ?? [];
        if (paths.Count > TreeRoutes.MaxPathsInfo)
        {
            await HubResponses.Error(context, StatusCodes.Status413PayloadTooLarge, $"Too many paths: at most {TreeRoutes.MaxPathsInfo} per call").ConfigureAwait(false);
            return;
        }
        var found = paths.Distinct(StringComparer.Ordinal)
            .Select(p => p is null ? null : state.Buckets.Object(bucket, p.Trim('/')))
            .OfType<BucketObject>()
            .Select(FileEntry)
            .ToList();
        await HubResponses.Json(context, found, LocalHubJsonContext.Default.ListBucketEntryBody).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>resolve</c> of a bucket file: 200 (a redirect to a CDN is what production may do; UNCONFIRMED)
    /// with <c>Content-Length</c> = the file's size (Python's HEAD needs it), <c>X-Linked-Size</c>,
    /// <c>ETag</c>/<c>X-Linked-Etag</c> (the quoted Xet hash), <c>X-Xet-Hash</c>, the <c>xet-auth</c>
    /// link to the bucket's read-token route and the <c>xet-reconstruction-info</c> link (JS). A GET
    /// with the Xet file-info <c>Accept</c> gets the small JSON the repos give; any other GET gets the
    /// bytes, reassembled from the CAS, with one <c>Range</c>.
    /// </summary>
    private static async Task Resolve(HttpContext context, HubState state)
    {
        if (await BucketRoutes.ReadableAsync(context, state).ConfigureAwait(false) is not { } bucket)
        {
            return;
        }
        var path = DecodedRoute(context, "path");
        var found = state.Buckets.Object(bucket, path);
        var file = found is null ? null : state.Cas.FindFile(found.XetHash);
        if (found is null || (file is null && found.Size > 0))
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"Entry not found: {path}", "EntryNotFound").ConfigureAwait(false);
            return;
        }
        var hub = state.Endpoint.ToString().TrimEnd('/');
        var headers = context.Response.Headers;
        var etag = $"\"{found.XetHash}\"";
        headers.ETag = etag;
        headers["X-Linked-Etag"] = etag;
        headers["X-Linked-Size"] = found.Size.ToString(CultureInfo.InvariantCulture);
        headers["X-Xet-Hash"] = found.XetHash;
        headers.AcceptRanges = "bytes";
        headers.Link = $"<{hub}/api/buckets/{bucket.FullName}/xet-read-token>; rel=\"xet-auth\", <{Cas.XetHubRoutes.CasUrl(state)}/v1/reconstructions/{found.XetHash}>; rel=\"xet-reconstruction-info\"";
        if (found.Mtime is { } mtime)
        {
            headers.LastModified = DateTimeOffset.FromUnixTimeMilliseconds(mtime).ToString("R", CultureInfo.InvariantCulture);
        }
        var response = context.Response;
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Accept.ToString().Contains(Cas.XetHubRoutes.FileInfoType, StringComparison.OrdinalIgnoreCase))
        {
            await RepoLookup.WriteJsonAsync(context, w =>
            {
                w.WriteStartObject();
                w.WriteString("hash", found.XetHash);
                w.WriteNumber("size", found.Size);
                w.WriteEndObject();
            }, contentType: Cas.XetHubRoutes.FileInfoType).ConfigureAwait(false);
            return;
        }
        response.ContentType = found.ContentType ?? "application/octet-stream";
        var (from, to) = (0L, found.Size - 1);
        if (found.Size > 0 && Cas.CasRoutes.ParseRange(context.Request.Headers.Range.ToString(), found.Size) is { } range)
        {
            if (!range.Valid)
            {
                headers.ContentRange = $"bytes */{found.Size}";
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                return;
            }
            (from, to) = (range.From, range.To);
            response.StatusCode = StatusCodes.Status206PartialContent;
            headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {from}-{to}/{found.Size}");
        }
        response.ContentLength = Math.Max(0, to - from + 1);
        if (HttpMethods.IsHead(context.Request.Method) || found.Size == 0 || file is null)
        {
            return;
        }
        await state.Cas.WriteFileAsync(file, from, to, response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
