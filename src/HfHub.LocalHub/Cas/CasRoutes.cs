using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Cas;

/// <summary>
/// The CAS service (xet.md §8), under <c>{hub}/cas</c> (the <c>casUrl</c> the token routes hand
/// out): xorb and shard uploads, validated before anything is stored; the global dedupe query;
/// reconstructions v1 and v2; and two kinds of signed URLs the hub serves itself, like the LFS
/// storage URLs: xorb byte ranges (<c>/cas/fetch/…</c>, one signed range set each, as production
/// signs <c>X-Xet-Signed-Range</c>) and the resolve bridge (<c>/cas/bridge/…</c>, a file's
/// reconstructed bytes for clients that do not speak Xet). Every API route needs
/// <c>Authorization: Bearer &lt;Xet token&gt;</c> of the repo: 401 unknown or expired, 403 read
/// token on a write route.
/// </summary>
internal static partial class CasRoutes
{
    public const string ReadKind = "xet-read";
    public const string WriteKind = "xet-write";
    private const string FetchKind = "xet-fetch";
    private const string BridgeKind = "xet-bridge";

    /// <summary>How long a dedupe answer's keys stay usable (xet.md §5.7: the emulator picks now + 7 days).</summary>
    private static readonly TimeSpan DedupeKeyLifetime = TimeSpan.FromDays(7);

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        app.MapPost("/cas/v1/xorbs/{prefix}/{hash}", context => UploadXorb(context, state));
        app.MapMethods("/cas/v1/xorbs/{prefix}/{hash}", ["HEAD"], context => XorbInfo(context, state));
        app.MapPost("/cas/v1/shards", context => UploadShard(context, state));
        app.MapGet("/cas/v1/chunks/{prefix}/{hash}", context => Dedupe(context, state));
        app.MapGet("/cas/v1/reconstructions/{id}", context => Reconstruction(context, state, v2: false));
        app.MapGet("/cas/v2/reconstructions/{id}", context => Reconstruction(context, state, v2: true));
        app.MapMethods("/cas/v1/files/{id}", ["HEAD"], context => FileInfo(context, state));
        app.MapMethods("/cas/fetch/{token}", ["GET"], context => Fetch(context, state));
        app.MapMethods("/cas/bridge/{token}", ["GET", "HEAD"], context => Bridge(context, state));
        app.MapFallback("/cas/{**rest}", context => HubResponses.Error(context, StatusCodes.Status404NotFound, "No such CAS route"));
    }

    /// <summary>A signed URL that streams a Xet file's reconstructed bytes (what the Hub's <c>cas-bridge</c> host does).</summary>
    public static string BridgeUrl(HubState state, string repoId, string fileHash, long size) =>
        $"{XetHubRoutes.CasUrl(state)}/bridge/{state.Lfs.Sign(BridgeKind, repoId, fileHash, size, state.Options.XetUrlLifetime)}";

    private static async Task<LfsGrant?> AuthorizeAsync(HttpContext context, HubState state, bool write)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        var grant = state.Lfs.Verify(token, WriteKind) ?? state.Lfs.Verify(token, ReadKind);
        if (grant is null || (state.Repos.FindById(grant.RepoId) is null && state.Buckets.FindById(grant.RepoId) is null))
        {
            await HubResponses.Error(context, StatusCodes.Status401Unauthorized, "Missing, invalid or expired Xet token: ask the Hub's xet-read-token or xet-write-token route for a new one").ConfigureAwait(false);
            return null;
        }
        if (write && grant.Kind != WriteKind)
        {
            await HubResponses.Forbidden(context, "This Xet token is read-only: uploads need a token from the xet-write-token route").ConfigureAwait(false);
            return null;
        }
        return grant;
    }

    /// <summary>The whole request body, refused (400, null) above <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, int limit, string what)
    {
        if (context.Request.ContentLength is { } declared)
        {
            if (declared > limit)
            {
                await HubResponses.BadRequest(context, $"The {what} is larger than the {limit}-byte limit").ConfigureAwait(false);
                return null;
            }
            // Read into one buffer of the declared size (a 64 MiB xorb otherwise costs a growing copy and a final one).
            var body = GC.AllocateUninitializedArray<byte>((int)declared);
            var received = await context.Request.Body.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, context.RequestAborted).ConfigureAwait(false);
            return received == body.Length ? body : throw new IOException($"the {what} ended after {received} of its {declared} bytes");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                await HubResponses.BadRequest(context, $"The {what} is larger than the {limit}-byte limit").ConfigureAwait(false);
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static async Task<string?> HashRouteAsync(HttpContext context, string name, string what)
    {
        if (CasHash.Normalize(RepoLookup.Route(context, name)) is { } hash)
        {
            return hash;
        }
        await HubResponses.BadRequest(context, $"Invalid {what}: expected 64 hex digits, got \"{RepoLookup.Route(context, name)}\"").ConfigureAwait(false);
        return null;
    }

    private static async Task<bool> PrefixAsync(HttpContext context, params string[] allowed)
    {
        var prefix = RepoLookup.Route(context, "prefix");
        if (allowed.Contains(prefix, StringComparer.Ordinal))
        {
            return true;
        }
        await HubResponses.BadRequest(context, $"Unknown prefix \"{prefix}\" (expected {string.Join(" or ", allowed)})").ConfigureAwait(false);
        return false;
    }
}
