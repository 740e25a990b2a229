using System.Globalization;
using System.Text.Json;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Cas;

/// <summary>
/// The Hub side of Xet (xet.md §7): the token routes
/// <c>GET /api/{type}s/{id}/xet-{read|write}-token/{rev}</c>, the Xet headers and bridge redirect
/// of <c>resolve</c> for Xet files, and the admin surface <c>/_localhub/xet</c> (counters) and
/// <c>/_localhub/repos/{type}s/{ns}/{name}/xet</c> (turn Xet off or on for one repo).
/// </summary>
internal static class XetHubRoutes
{
    public const string FileInfoType = "application/vnd.xet-fileinfo+json";

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        foreach (var (segment, type, _) in RepoLookup.Types)
        {
            app.MapGet($"/api/{segment}/{{ns}}/{{name}}/xet-read-token/{{**rev}}", context => Token(context, state, type, write: false));
            app.MapGet($"/api/{segment}/{{ns}}/{{name}}/xet-write-token/{{**rev}}", context => Token(context, state, type, write: true));
            app.MapPost($"/_localhub/repos/{segment}/{{ns}}/{{name}}/xet", AdminRoutes.RequireAdmin(state, context => SetXet(context, state, type)));
        }
        app.MapGet("/_localhub/xet", AdminRoutes.RequireAdmin(state, context => Stats(context, state)));
    }

    public static string CasUrl(HubState state) => state.Endpoint.ToString().TrimEnd('/') + "/cas";

    public static bool Enabled(HubState state, Repo repo) => state.Cas.XetEnabled(repo.Id, state.Options.XetEnabledByDefault);

    /// <summary>A CAS token for a repo: an HMAC-signed grant (kind, repo, expiry) like the storage URLs, opaque to clients.</summary>
    public static (string Token, long Expires) IssueToken(HubState state, Repo repo, bool write)
    {
        var token = state.Lfs.Sign(write ? CasRoutes.WriteKind : CasRoutes.ReadKind, repo.Id, "", 0, state.Options.XetTokenLifetime);
        return (token, state.Lfs.Verify(token, write ? CasRoutes.WriteKind : CasRoutes.ReadKind)!.ExpiresAt);
    }

    /// <summary>
    /// Read tokens need read access; write tokens a write token with the namespace, or with
    /// <c>create_pr=1</c> any signed-in reader. The revision must exist, except the literal
    /// <c>None</c> Python sends for a write before the branch exists. A repo with Xet off answers 400:
    /// it stores through LFS only.
    /// </summary>
    private static async Task Token(HttpContext context, HubState state, string type, bool write)
    {
        var createPr = context.Request.Query["create_pr"].ToString() is "1" or "true" or "True";
        var repo = write && !createPr
            ? await RepoLookup.WritableAsync(context, state, type).ConfigureAwait(false)
            : await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        if (write && context.Caller().IsAnonymous)
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return;
        }
        // A read token opens every file of the repo to the CAS: a gated repo gives it only to callers with access.
        if (!write && RepoGate.Check(state, context.Caller(), repo) is { } gated)
        {
            await gated.WriteAsync(context).ConfigureAwait(false);
            return;
        }
        var revision = RepoLookup.Revision(RepoLookup.Route(context, "rev"));
        if (!(write && revision is "None" or "") && await RepoLookup.CommitAsync(context, state, repo, revision).ConfigureAwait(false) is null)
        {
            return;
        }
        if (!Enabled(state, repo))
        {
            await HubResponses.BadRequest(context, $"Xet storage is not enabled for {repo.Type} {repo.FullName}: upload and download through Git LFS").ConfigureAwait(false);
            return;
        }
        var (token, expires) = IssueToken(state, repo, write);
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("accessToken", token);
            w.WriteNumber("exp", expires);
            w.WriteString("casUrl", CasUrl(state));
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>resolve</c> of a file that is a Xet file in this repo (xet.md §7.2): <c>X-Xet-Hash</c> and
    /// the <c>xet-auth</c> / <c>xet-reconstruction-info</c> links besides the usual LFS headers;
    /// with <c>Accept: application/vnd.xet-fileinfo+json</c> a 200 of that type (JS reads only the
    /// headers; the body is UNCONFIRMED, so it carries just the hash and size); otherwise a 302 to
    /// the bridge, a signed URL that streams the reconstructed bytes, for clients without Xet.
    /// A repo whose Xet was turned off keeps serving its Xet files, through the bridge only.
    /// </summary>
    public static Task ResolveAsync(HttpContext context, HubState state, Repo repo, string commit, GitEntry entry, string fileHash)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(entry);
        var headers = context.Response.Headers;
        headers["X-Linked-Etag"] = $"\"{entry.Sha256}\"";
        headers["X-Linked-Size"] = entry.Size.ToString(CultureInfo.InvariantCulture);
        headers.AcceptRanges = "bytes";
        var xet = Enabled(state, repo);
        if (xet)
        {
            var hub = state.Endpoint.ToString().TrimEnd('/');
            headers["X-Xet-Hash"] = fileHash;
            headers.Link = $"<{hub}/api/{repo.Segment}/{repo.FullName}/xet-read-token/{commit}>; rel=\"xet-auth\", <{CasUrl(state)}/v1/reconstructions/{fileHash}>; rel=\"xet-reconstruction-info\"";
        }
        if (xet && context.Request.Headers.Accept.ToString().Contains(FileInfoType, StringComparison.OrdinalIgnoreCase))
        {
            headers.ETag = $"\"{entry.Sha256}\"";
            return RepoLookup.WriteJsonAsync(context, w =>
            {
                w.WriteStartObject();
                w.WriteString("hash", fileHash);
                w.WriteNumber("size", entry.Size);
                w.WriteEndObject();
            }, contentType: FileInfoType);
        }
        headers.Location = CasRoutes.BridgeUrl(state, repo.Id, fileHash, entry.Size);
        context.Response.StatusCode = StatusCodes.Status302Found;
        return Task.CompletedTask;
    }

    /// <summary><c>{"enabled": false}</c> turns Xet off for one repo (LFS only from then on); <c>true</c> turns it back on.</summary>
    private static async Task SetXet(HttpContext context, HubState state, string type)
    {
        var repo = state.Repos.Find(type, RepoLookup.Route(context, "ns"), RepoLookup.Route(context, "name"));
        if (repo is null)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "Repository not found", "RepoNotFound").ConfigureAwait(false);
            return;
        }
        using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        if (document.RootElement.Bool("enabled") is not { } enabled)
        {
            await HubResponses.BadRequest(context, "The body must be {\"enabled\": true|false}").ConfigureAwait(false);
            return;
        }
        state.Cas.SetXetEnabled(repo.Id, enabled);
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("xetEnabled", enabled);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static Task Stats(HttpContext context, HubState state)
    {
        var counters = state.Cas.Counters;
        var onDisk = state.Cas.ChunkBytesOnDisk();
        return RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("xorbUploads", counters.XorbUploads);
            w.WriteNumber("xorbsStored", counters.XorbsStored);
            w.WriteNumber("shardUploads", counters.ShardUploads);
            w.WriteNumber("filesRegistered", counters.FilesRegistered);
            w.WriteNumber("dedupeQueries", counters.DedupeQueries);
            w.WriteNumber("reconstructions", counters.Reconstructions);
            w.WriteNumber("xorbRangeRequests", counters.XorbRangeRequests);
            w.WriteNumber("bridgeDownloads", counters.BridgeDownloads);
            w.WriteNumber("lfsUploads", counters.LfsUploads);
            w.WriteNumber("chunkBytesOnDisk", onDisk);
            w.WriteEndObject();
        });
    }

    /// <summary>Writes <c>xetHash</c> into a tree or paths-info entry when the file is a Xet file of the repo.</summary>
    public static void WriteTreeHash(Utf8JsonWriter writer, HubState state, Repo repo, GitEntry entry)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(entry);
        if (entry is { Lfs: true, Sha256: { } sha } && state.Cas.RepoFile(repo.Id, sha) is { } file)
        {
            writer.WriteString("xetHash", file.File);
        }
    }

    /// <summary>The Xet answer of an LFS batch object that needs uploading: the write-token URL and the token itself in the headers JS reads (xet.md §7.3).</summary>
    public static void WriteBatchUpload(Utf8JsonWriter w, HubState state, Repo repo, string refName, bool createPr, string token, long expires, string sessionId)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(repo);
        var hub = state.Endpoint.ToString().TrimEnd('/');
        w.WriteStartObject("actions");
        w.WriteStartObject("upload");
        w.WriteString("href", $"{hub}/api/{repo.Segment}/{repo.FullName}/xet-write-token/{Uri.EscapeDataString(refName)}{(createPr ? "?create_pr=1" : "")}");
        w.WriteStartObject("header");
        w.WriteString("X-Xet-Cas-Url", CasUrl(state));
        w.WriteString("X-Xet-Access-Token", token);
        w.WriteString("X-Xet-Token-Expiration", expires.ToString(CultureInfo.InvariantCulture));
        w.WriteString("X-Xet-Session-Id", sessionId);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The ref an LFS batch names (<c>ref.name</c>), <c>main</c> when none.</summary>
    public static string BatchRef(JsonElement body) =>
        body.TryGetProperty("ref", out var value) && value.String("name") is { Length: > 0 } name ? name : GitStore.DefaultBranch;
}
