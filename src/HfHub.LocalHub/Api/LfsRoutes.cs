using System.Globalization;
using System.Text.Json;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>
/// The Git LFS batch API (<c>POST /{prefix}{id}.git/info/lfs/objects/batch</c>): which transfer,
/// and the signed storage URLs of each object (served by <see cref="LfsStorageRoutes"/>). Its answer
/// is written with a <see cref="Utf8JsonWriter"/> because the CAS writes its Xet actions into it.
/// </summary>
internal static class LfsRoutes
{
    /// <summary>
    /// The Hub's hard limit for one file, 500 GB (hub-api files.md, storage limits). How the Hub
    /// words its refusal is UNCONFIRMED; a per-object 422, like any other invalid object, is what
    /// LFS clients already report.
    /// </summary>
    internal const long MaxObjectSize = 500L * 1000 * 1000 * 1000;

    private const string LfsJson = "application/vnd.git-lfs+json";

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        foreach (var (_, type, prefix) in RepoLookup.Types)
        {
            app.MapPost($"/{prefix}{{ns}}/{{name}}.git/info/lfs/objects/batch", context => Batch(context, state, type, prefix));
        }
    }

    /// <summary>A signed, expiring download URL for an LFS object (resolve redirects here).</summary>
    public static string DownloadUrl(HubState state, string repoId, string sha256, long size) =>
        $"{Base(state)}/lfs-storage/object/{state.Lfs.Sign("get", repoId, sha256, size, LfsTransfers.DownloadLifetime)}";

    private static string Base(HubState state) => state.Endpoint.ToString().TrimEnd('/');

    private static async Task Batch(HttpContext context, HubState state, string type, string prefix)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        var operation = body.String("operation");
        var hashAlgo = body.String("hash_algo") ?? "sha256";
        if (operation is not ("upload" or "download") || hashAlgo is not ("sha256" or "sha_256")
            || !body.TryGetProperty("objects", out var objects) || objects.ValueKind != JsonValueKind.Array)
        {
            await LfsError(context, StatusCodes.Status422UnprocessableEntity, "operation must be upload or download, hash_algo sha256, with an objects array").ConfigureAwait(false);
            return;
        }
        if (operation == "upload")
        {
            // Without a ref (pull-request uploads) reading the repo is enough; uploading to a branch needs write access.
            var hasRef = body.TryGetProperty("ref", out var refValue) && refValue.ValueKind == JsonValueKind.Object;
            if (context.Caller().IsAnonymous)
            {
                await LfsError(context, StatusCodes.Status401Unauthorized, HubResponses.InvalidCredentials).ConfigureAwait(false);
                return;
            }
            if (hasRef && !state.Access.CanWrite(context.Caller(), repo))
            {
                await LfsError(context, StatusCodes.Status403Forbidden, $"You don't have the rights to push to {repo.Type} {repo.FullName}").ConfigureAwait(false);
                return;
            }
        }
        if (operation == "download" && RepoGate.Check(state, context.Caller(), repo) is { } gated)
        {
            await LfsError(context, gated.Status, gated.Message).ConfigureAwait(false);
            return;
        }
        var transfers = body.TryGetProperty("transfers", out var t) && t.ValueKind == JsonValueKind.Array
            ? t.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : null).ToHashSet()
            : ["basic"];
        var multipartAllowed = transfers.Contains("multipart");
        // Xet when the client offers it and the repo has it (xet.md §7.3): one write token for the whole batch, in each object's headers.
        var xet = operation == "upload" && transfers.Contains("xet") && Cas.XetHubRoutes.Enabled(state, repo);
        var xetToken = xet ? Cas.XetHubRoutes.IssueToken(state, repo, write: true) : default;
        var xetSession = xet ? HubIds.NewObjectId() : "";
        var xetRef = Cas.XetHubRoutes.BatchRef(body);
        var xetCreatePr = !body.TryGetProperty("ref", out _);
        var chunkSize = Math.Max(1, state.Options.LfsChunkSize);
        var usedMultipart = false;
        var answers = new List<Action<Utf8JsonWriter>>();
        foreach (var item in objects.EnumerateArray())
        {
            var oid = item.String("oid")?.ToLowerInvariant() ?? "";
            var size = item.Int64("size") ?? -1;
            if (oid.Length != 64 || !oid.All(char.IsAsciiHexDigit) || size < 0)
            {
                answers.Add(w => ObjectError(w, oid, size, 422, "oid must be a SHA-256 (64 hex digits) and size a non-negative integer"));
                continue;
            }
            if (size > MaxObjectSize)
            {
                answers.Add(w => ObjectError(w, oid, size, 422, $"the file is larger than the {MaxObjectSize / 1_000_000_000} GB limit for one file"));
                continue;
            }
            var stored = state.Git.LfsObjectSize(repo.Id, oid) is { } known && state.Blobs.Exists(oid) ? known : (long?)null;
            var xetFile = stored is null ? state.Cas.RepoFile(repo.Id, oid) : null;
            if (operation == "download")
            {
                if (stored is null && xetFile is { } bridged)
                {
                    // A Xet file: git-lfs clients download its reconstructed bytes through the bridge.
                    var bridge = Cas.CasRoutes.BridgeUrl(state, repo.Id, bridged.File, bridged.Size);
                    answers.Add(w =>
                    {
                        ObjectStart(w, oid, bridged.Size);
                        w.WriteStartObject("actions");
                        Action(w, "download", bridge, (int)state.Options.XetUrlLifetime.TotalSeconds);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    });
                }
                else if (stored is null)
                {
                    answers.Add(w => ObjectError(w, oid, size, 404, "Object does not exist"));
                }
                else
                {
                    var href = DownloadUrl(state, repo.Id, oid, stored.Value);
                    answers.Add(w =>
                    {
                        ObjectStart(w, oid, stored.Value);
                        w.WriteStartObject("actions");
                        Action(w, "download", href, (int)LfsTransfers.DownloadLifetime.TotalSeconds);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    });
                }
                continue;
            }
            if (stored is not null || xetFile is not null)
            {
                // Already in the repo's storage: no actions, so clients skip the upload.
                answers.Add(w =>
                {
                    ObjectStart(w, oid, size);
                    w.WriteEndObject();
                });
                continue;
            }
            if (xet)
            {
                answers.Add(w =>
                {
                    ObjectStart(w, oid, size);
                    Cas.XetHubRoutes.WriteBatchUpload(w, state, repo, xetRef, xetCreatePr, xetToken.Token, xetToken.Expires, xetSession);
                    w.WriteEndObject();
                });
                continue;
            }
            var verify = $"{Base(state)}/lfs-storage/verify/{state.Lfs.Sign("verify", repo.Id, oid, size, LfsTransfers.UploadLifetime)}";
            var expiresIn = (int)LfsTransfers.UploadLifetime.TotalSeconds;
            if (multipartAllowed && size > chunkSize)
            {
                usedMultipart = true;
                var session = state.Lfs.StartMultipart(repo.Id, oid, size, chunkSize, state.Blobs);
                var complete = $"{Base(state)}/lfs-storage/complete/{state.Lfs.Sign("complete", repo.Id, oid, size, LfsTransfers.UploadLifetime, session.Id)}";
                var parts = Enumerable.Range(1, session.PartCount)
                    .Select(i => (Key: i.ToString("D5", CultureInfo.InvariantCulture),
                        Url: $"{Base(state)}/lfs-storage/part/{state.Lfs.Sign("part", repo.Id, oid, size, LfsTransfers.UploadLifetime, $"{session.Id}#{i}")}"))
                    .ToList();
                answers.Add(w =>
                {
                    ObjectStart(w, oid, size);
                    w.WriteStartObject("actions");
                    w.WriteStartObject("upload");
                    w.WriteString("href", complete);
                    w.WriteStartObject("header");
                    w.WriteString("chunk_size", chunkSize.ToString(CultureInfo.InvariantCulture));
                    foreach (var (key, url) in parts)
                    {
                        w.WriteString(key, url);
                    }
                    w.WriteEndObject();
                    w.WriteNumber("expires_in", expiresIn);
                    w.WriteEndObject();
                    Action(w, "verify", verify, null);
                    w.WriteEndObject();
                    w.WriteEndObject();
                });
            }
            else
            {
                var upload = $"{Base(state)}/lfs-storage/upload/{state.Lfs.Sign("upload", repo.Id, oid, size, LfsTransfers.UploadLifetime)}";
                answers.Add(w =>
                {
                    ObjectStart(w, oid, size);
                    w.WriteStartObject("actions");
                    Action(w, "upload", upload, expiresIn);
                    Action(w, "verify", verify, null);
                    w.WriteEndObject();
                    w.WriteEndObject();
                });
            }
        }
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("transfer", xet ? "xet" : usedMultipart ? "multipart" : "basic");
            w.WriteStartArray("objects");
            foreach (var answer in answers)
            {
                answer(w);
            }
            w.WriteEndArray();
            w.WriteString("hash_algo", "sha256");
            w.WriteEndObject();
        }, contentType: LfsJson).ConfigureAwait(false);
    }

    private static void ObjectStart(Utf8JsonWriter w, string oid, long size)
    {
        w.WriteStartObject();
        w.WriteString("oid", oid);
        w.WriteNumber("size", size);
        w.WriteBoolean("authenticated", true);
    }

    private static void ObjectError(Utf8JsonWriter w, string oid, long size, int code, string message)
    {
        w.WriteStartObject();
        w.WriteString("oid", oid);
        w.WriteNumber("size", size);
        w.WriteStartObject("error");
        w.WriteNumber("code", code);
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Action(Utf8JsonWriter w, string name, string href, int? expiresIn)
    {
        w.WriteStartObject(name);
        w.WriteString("href", href);
        w.WriteStartObject("header");
        w.WriteEndObject();
        if (expiresIn is { } seconds)
        {
            w.WriteNumber("expires_in", seconds);
        }
        w.WriteEndObject();
    }

    /// <summary>Whole-request LFS errors in the Git LFS shape (<c>message</c>), with the Hub's error headers too.</summary>
    private static Task LfsError(HttpContext context, int status, string message)
    {
        context.Response.Headers["X-Error-Message"] = HubResponses.HeaderSafe(message);
        return RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("message", message);
            w.WriteString("error", message);
            w.WriteString("request_id", context.Response.Headers["X-Request-Id"].ToString());
            w.WriteEndObject();
        }, status, LfsJson);
    }
}
