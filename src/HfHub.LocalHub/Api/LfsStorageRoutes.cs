using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace HfHub.LocalHub.Api;

/// <summary>
/// The storage the LFS batch API hands out, under <c>/lfs-storage/</c>: pre-signed basic uploads,
/// multipart part uploads and their completion, verify, and signed download URLs (the "CDN"
/// resolve redirects to). Storage URLs need no Authorization: the signed grant in the URL is the credential.
/// </summary>
internal static class LfsStorageRoutes
{
    private const int BufferSize = 1 << 20;

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        app.MapPut("/lfs-storage/upload/{token}", context => UploadBasic(context, state));
        app.MapPut("/lfs-storage/part/{token}", context => UploadPart(context, state));
        app.MapPost("/lfs-storage/complete/{token}", context => Complete(context, state));
        app.MapPost("/lfs-storage/verify/{token}", context => Verify(context, state));
        app.MapMethods("/lfs-storage/object/{token}", ["GET", "HEAD"], context => Download(context, state));
    }

    private static async Task<LfsGrant?> GrantAsync(HttpContext context, HubState state, string kind)
    {
        var grant = state.Lfs.Verify(RepoLookup.Route(context, "token"), kind);
        if (grant is null)
        {
            await HubResponses.Error(context, StatusCodes.Status403Forbidden, "Request has expired or its signature does not match").ConfigureAwait(false);
        }
        else if (state.Repos.FindById(grant.RepoId) is null)
        {
            // Storage URLs carry no Authorization, so the anonymous 401 of the API does not apply.
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "Repository not found", "RepoNotFound").ConfigureAwait(false);
            return null;
        }
        return grant;
    }

    /// <summary>Basic transfer: the whole object in one PUT, hashed while it is written, refused unless its SHA-256 and size match the grant.</summary>
    private static async Task UploadBasic(HttpContext context, HubState state)
    {
        if (await GrantAsync(context, state, "upload").ConfigureAwait(false) is not { } grant)
        {
            return;
        }
        var temp = state.Blobs.NewTempPath();
        try
        {
            long size = 0;
            string sha;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
            {
                if (grant.Size > 0)
                {
                    file.SetLength(grant.Size);
                }
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    size += read;
                    if (size > grant.Size)
                    {
                        break;
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
                }
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            if (size != grant.Size || sha != grant.Oid)
            {
                await HubResponses.BadRequest(context, size != grant.Size
                    ? $"The uploaded body is not {grant.Size} bytes long"
                    : $"The uploaded content's SHA-256 is {sha}, not {grant.Oid}").ConfigureAwait(false);
                return;
            }
            state.Blobs.Commit(temp, sha);
            state.Git.AddLfsObject(grant.RepoId, sha, size);
            state.Cas.Counters.LfsUploaded();
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>One part of a multipart upload, written in place into the session's file; answers an ETag.</summary>
    private static async Task UploadPart(HttpContext context, HubState state)
    {
        if (await GrantAsync(context, state, "part").ConfigureAwait(false) is not { } grant)
        {
            return;
        }
        var hashSign = grant.Extra.LastIndexOf('#');
        var session = state.Lfs.Session(grant.Extra[..hashSign]);
        var number = int.Parse(grant.Extra.AsSpan(hashSign + 1), CultureInfo.InvariantCulture);
        if (session is null || !File.Exists(session.TempPath))
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "This multipart upload is complete or no longer exists; ask the batch API for new URLs").ConfigureAwait(false);
            return;
        }
        var (offset, length) = session.Range(number);
        session.PartStarting(number);
        long written = 0;
        await using (var file = new FileStream(session.TempPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.Asynchronous))
        {
            file.Position = offset;
            var buffer = new byte[BufferSize];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (written + read > length)
                {
                    written += read;
                    break;
                }
                await file.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
                written += read;
            }
        }
        if (written != length)
        {
            await HubResponses.BadRequest(context, $"Part {number} must be {length} bytes long (got {(written > length ? "more" : written.ToString(CultureInfo.InvariantCulture))})").ConfigureAwait(false);
            return;
        }
        var etag = $"\"{RandomNumberGenerator.GetHexString(32, lowercase: true)}\"";
        await session.PartCompletedAsync(number, etag, context.RequestAborted).ConfigureAwait(false);
        state.Cas.Counters.LfsUploaded();
        context.Response.Headers.ETag = etag;
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>Completion: every part present with its ETag; the assembled file is hashed (streamed) and must match the oid.</summary>
    private static async Task Complete(HttpContext context, HubState state)
    {
        if (await GrantAsync(context, state, "complete").ConfigureAwait(false) is not { } grant)
        {
            return;
        }
        if (state.Git.LfsObjectSize(grant.RepoId, grant.Oid) is not null && state.Blobs.Exists(grant.Oid))
        {
            await Ok(context).ConfigureAwait(false); // a retried completion of an object already stored
            return;
        }
        var session = state.Lfs.Session(grant.Extra);
        if (session is null)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "This multipart upload no longer exists; ask the batch API for new URLs").ConfigureAwait(false);
            return;
        }
        using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        var given = new Dictionary<int, string>();
        if (body.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in parts.EnumerateArray())
            {
                if (part.Int64("partNumber") is { } number and >= 1 and <= int.MaxValue)
                {
                    given[(int)number] = part.String("etag") ?? "";
                }
            }
        }
        if (body.String("oid") is { } oid && !string.Equals(oid, grant.Oid, StringComparison.OrdinalIgnoreCase))
        {
            await HubResponses.BadRequest(context, $"oid {oid} does not match this upload").ConfigureAwait(false);
            return;
        }
        for (var i = 1; i <= session.PartCount; i++)
        {
            if (!session.Parts.TryGetValue(i, out var etag))
            {
                await HubResponses.BadRequest(context, $"Part {i} of {session.PartCount} was not uploaded").ConfigureAwait(false);
                return;
            }
            if (!given.TryGetValue(i, out var echoed) || echoed.Trim('"') != etag.Trim('"'))
            {
                await HubResponses.BadRequest(context, $"The ETag given for part {i} does not match the uploaded part").ConfigureAwait(false);
                return;
            }
        }
        var sha = await session.FinishHashAsync(context.RequestAborted).ConfigureAwait(false);
        state.Lfs.EndSession(session);
        if (sha != grant.Oid)
        {
            File.Delete(session.TempPath);
            await HubResponses.BadRequest(context, $"The assembled content's SHA-256 is {sha}, not {grant.Oid}").ConfigureAwait(false);
            return;
        }
        state.Blobs.Commit(session.TempPath, sha);
        state.Git.AddLfsObject(grant.RepoId, sha, session.Size);
        await Ok(context).ConfigureAwait(false);
    }

    private static async Task Verify(HttpContext context, HubState state)
    {
        if (await GrantAsync(context, state, "verify").ConfigureAwait(false) is not { } grant)
        {
            return;
        }
        if (state.Git.LfsObjectSize(grant.RepoId, grant.Oid) is null || !state.Blobs.Exists(grant.Oid))
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "Object does not exist").ConfigureAwait(false);
            return;
        }
        await Ok(context).ConfigureAwait(false);
    }

    private static Task Ok(HttpContext context) => HubResponses.Json(context, new SuccessBody(true), LocalHubJsonContext.Default.SuccessBody);

    /// <summary>The signed download URL: the object's bytes, with Range support.</summary>
    private static async Task Download(HttpContext context, HubState state)
    {
        if (await GrantAsync(context, state, "get").ConfigureAwait(false) is not { } grant)
        {
            return;
        }
        if (!state.Blobs.Exists(grant.Oid))
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "Object does not exist").ConfigureAwait(false);
            return;
        }
        await FileRoutes.ServeBlobAsync(context, state, grant.Oid, $"\"{grant.Oid}\"").ConfigureAwait(false);
    }

    internal static EntityTagHeaderValue Tag(string quoted) => new(quoted);
}
