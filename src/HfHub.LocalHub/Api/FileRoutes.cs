using System.Globalization;
using System.Text;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace HfHub.LocalHub.Api;

/// <summary>
/// File downloads: <c>GET|HEAD /{prefix}{id}/resolve/{rev}/{path}</c> and <c>…/raw/{rev}/{path}</c>.
/// Regular files are served directly (<c>ETag</c> = git blob id); LFS files answer 302 to a signed
/// storage URL with <c>X-Linked-Etag</c> (the SHA-256) and <c>X-Linked-Size</c>, as the Hub
/// redirects to its CDN. <c>raw</c> serves the git object itself, i.e. the pointer for LFS files.
/// Bodies stream from the blob store with single-range support (206, 416).
/// </summary>
internal static class FileRoutes
{
    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        foreach (var (_, type, prefix) in RepoLookup.Types)
        {
            app.MapMethods($"/{prefix}{{ns}}/{{name}}/resolve/{{**rest}}", ["GET", "HEAD"], context => Resolve(context, state, type, raw: false));
            app.MapMethods($"/{prefix}{{ns}}/{{name}}/raw/{{**rest}}", ["GET", "HEAD"], context => Resolve(context, state, type, raw: true));
        }
    }

    private static async Task Resolve(HttpContext context, HubState state, string type, bool raw)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var (revision, path) = RepoLookup.SplitRevision(RepoLookup.RawRoute(context, "rest"));
        var commit = await RepoLookup.CommitAsync(context, state, repo, revision).ConfigureAwait(false);
        if (commit is null)
        {
            return;
        }
        context.Response.Headers["X-Repo-Commit"] = commit;
        var entry = path.Length == 0 ? null : state.Git.GetEntry(repo.Id, commit, path);
        if (entry is null || entry.IsDirectory)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "Entry not found", "EntryNotFound").ConfigureAwait(false);
            return;
        }
        if (RepoGate.Check(state, context.Caller(), repo, path) is { } gated)
        {
            await gated.WriteAsync(context).ConfigureAwait(false);
            return;
        }
        if (entry.Lfs && raw)
        {
            var pointer = Encoding.UTF8.GetBytes(GitObjects.Pointer(entry.Sha256!, entry.Size));
            await TypedResults.Bytes(pointer, "text/plain; charset=utf-8", entityTag: new EntityTagHeaderValue($"\"{entry.Oid}\""), enableRangeProcessing: true)
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        if (entry.Lfs && state.Cas.RepoFile(repo.Id, entry.Sha256!) is { } xetFile)
        {
            await Cas.XetHubRoutes.ResolveAsync(context, state, repo, commit, entry, xetFile.File).ConfigureAwait(false);
            return;
        }
        if (entry.Lfs)
        {
            context.Response.Headers["X-Linked-Etag"] = $"\"{entry.Sha256}\"";
            context.Response.Headers["X-Linked-Size"] = entry.Size.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers.AcceptRanges = "bytes";
            context.Response.Headers.Location = LfsRoutes.DownloadUrl(state, repo.Id, entry.Sha256!, entry.Size);
            context.Response.StatusCode = StatusCodes.Status302Found;
            return;
        }
        if (!state.Blobs.Exists(entry.Sha256!))
        {
            await HubResponses.Error(context, StatusCodes.Status500InternalServerError, "The file's content is missing from the local hub's blob store").ConfigureAwait(false);
            return;
        }
        await ServeBlobAsync(context, state, entry.Sha256!, $"\"{entry.Oid}\"").ConfigureAwait(false);
    }

    /// <summary>Streams a stored blob (zero-copy where the server can), honouring one <c>Range</c>.</summary>
    public static Task ServeBlobAsync(HttpContext context, HubState state, string sha256, string quotedEtag)
    {
        ArgumentNullException.ThrowIfNull(state);
        return TypedResults.PhysicalFile(state.Blobs.PathOf(sha256), "application/octet-stream", entityTag: new EntityTagHeaderValue(quotedEtag), enableRangeProcessing: true)
            .ExecuteAsync(context);
    }
}
