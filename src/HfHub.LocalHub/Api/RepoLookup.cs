using System.Buffers;
using System.Text.Json;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Api;

/// <summary>Finding the repo a route names, with the Hub's visibility and permission answers.</summary>
internal static class RepoLookup
{
    /// <summary>The API segments of the three repo types.</summary>
    public static readonly (string Segment, string Type, string Prefix)[] Types =
        [("models", "model", ""), ("datasets", "dataset", "datasets/"), ("spaces", "space", "spaces/")];

    public static string? TypeOf(string? text) => text?.ToLowerInvariant() switch
    {
        null or "" or "model" or "models" => "model",
        "dataset" or "datasets" => "dataset",
        "space" or "spaces" => "space",
        _ => null,
    };

    /// <summary>
    /// The route segment standing for "no namespace" once <see cref="CanonicalIds"/> has rewritten a
    /// canonical repo's URL (<c>/api/models/gpt2</c> → <c>/api/models/~/gpt2</c>): not an account name.
    /// </summary>
    public const string NoNamespace = "~";

    /// <summary>A route value; the namespace of a canonical repo is the empty string.</summary>
    public static string Route(HttpContext context, string name)
    {
        var value = context.Request.RouteValues[name] as string ?? "";
        return name == "ns" && value == NoNamespace ? "" : value;
    }

    /// <summary>
    /// A catch-all route value still percent-encoded as the client sent it: the server decodes
    /// the path before routing (all but <c>%2F</c>), which would decode a file named <c>a%20b</c>
    /// twice. The value's segments are the last segments of the raw request target.
    /// </summary>
    public static string RawRoute(HttpContext context, string name)
    {
        var decoded = Route(context, name);
        var rawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? "";
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = HubRequestPipeline.CollapseSlashes(query < 0 ? rawTarget : rawTarget[..query]);
        var count = decoded.Count(c => c == '/') + 1;
        var segments = rawPath.Split('/');
        return segments.Length < count ? decoded : string.Join('/', segments[^count..]);
    }

    /// <summary>A revision from a URL: percent-decoded (<c>refs%2Fpr%2F1</c> → <c>refs/pr/1</c>).</summary>
    public static string Revision(string raw) => Uri.UnescapeDataString(raw);

    /// <summary>
    /// Splits <c>{rev}/{path}</c> of a resolve or tree URL. The revision is one segment,
    /// percent-encoded when it holds slashes; an unencoded <c>refs/pr/N</c> or <c>refs/heads/x</c>
    /// (three segments) is also understood.
    /// </summary>
    public static (string Revision, string Path) SplitRevision(string rest)
    {
        var segments = rest.Split('/');
        var take = segments.Length >= 3 && segments[0] == "refs" && segments[1] is "pr" or "heads" or "tags" or "convert" ? 3 : 1;
        var revision = Uri.UnescapeDataString(string.Join('/', segments.Take(take)));
        var path = Uri.UnescapeDataString(string.Join('/', segments.Skip(take)));
        return (revision, path);
    }

    /// <summary>The repo named by the route, if the caller may read it; otherwise answers 404 RepoNotFound and returns null.</summary>
    public static async Task<Repo?> ReadableAsync(HttpContext context, HubState state, string type)
    {
        var ns = Route(context, "ns");
        var name = Route(context, "name");
        var repo = state.Repos.Find(type, ns, name);
        if (repo is null && state.Repos.FindMoved(type, ns, name) is { } moved && state.Access.CanRead(context.Caller(), moved))
        {
            RedirectToMoved(context, ns, name, moved);
            return null;
        }
        if (repo is null || !state.Access.CanRead(context.Caller(), repo))
        {
            await HubResponses.RepoNotFound(context).ConfigureAwait(false);
            return null;
        }
        return repo;
    }

    /// <summary>
    /// A request for a renamed repo's old id: the Hub answers a relative redirect to the same URL under
    /// the new id (307, so a commit's POST is repeated as a POST); clients follow it.
    /// </summary>
    private static void RedirectToMoved(HttpContext context, string ns, string name, Repo moved)
    {
        var path = context.Request.Path.Value ?? "";
        var old = "/" + (ns.Length == 0 ? NoNamespace : ns) + "/" + name;
        var at = path.IndexOf(old, StringComparison.OrdinalIgnoreCase);
        while (at >= 0 && at + old.Length < path.Length && path[at + old.Length] is not ('/' or '.'))
        {
            at = path.IndexOf(old, at + 1, StringComparison.OrdinalIgnoreCase);
        }
        var target = at < 0 ? path : path[..at] + "/" + moved.FullName + path[(at + old.Length)..];
        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = new PathString(target).ToUriComponent() + context.Request.QueryString.ToUriComponent();
    }

    /// <summary>The repo named by the route, if the caller may write to it; otherwise answers 404, 401 or 403 and returns null.</summary>
    public static async Task<Repo?> WritableAsync(HttpContext context, HubState state, string type)
    {
        var repo = await ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return null;
        }
        return await CheckWriteAsync(context, state, repo).ConfigureAwait(false) ? repo : null;
    }

    /// <summary>
    /// The repo named by the route and the request's JSON body, when the caller may write to it and
    /// the body is usable; otherwise answers (404, 401, 403, 400 or 413) and returns null. The caller disposes the body.
    /// </summary>
    public static async Task<(Repo Repo, JsonDocument Body)?> WritableWithBodyAsync(HttpContext context, HubState state, string type, bool allowEmpty = false)
    {
        var repo = await WritableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return null;
        }
        var body = await ReadJsonAsync(context, allowEmpty).ConfigureAwait(false);
        return body is null ? null : (repo, body);
    }

    /// <summary>The JSON body of a request that needs a signed-in caller; otherwise answers 401 (or 400/413) and returns null.</summary>
    public static async Task<JsonDocument?> SignedInBodyAsync(HttpContext context, bool allowEmpty = false)
    {
        if (context.Caller().IsAnonymous)
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return null;
        }
        return await ReadJsonAsync(context, allowEmpty).ConfigureAwait(false);
    }

    public static async Task<bool> CheckWriteAsync(HttpContext context, HubState state, Repo repo)
    {
        if (WriteRefusal(context.Caller(), state, repo) is { } refused)
        {
            await refused.WriteAsync(context).ConfigureAwait(false);
            return false;
        }
        return true;
    }

    /// <summary>Why the caller may not write to a repo it can see (401 anonymous, 403 otherwise), or null when it may.</summary>
    public static Services.HubError? WriteRefusal(HubCaller caller, HubState state, Repo repo)
    {
        if (caller.IsAnonymous)
        {
            return Services.HubError.Unauthorized();
        }
        if (!state.Access.CanWrite(caller, repo))
        {
            return Services.HubError.Forbidden(caller.CanWrite
                ? $"You don't have the rights to write to {repo.Type} {repo.FullName}"
                : "You have read access but not the required permissions for this operation (a write token is needed).");
        }
        return null;
    }

    /// <summary>The commit a revision names, or answers 404 RevisionNotFound and returns null.</summary>
    public static async Task<string?> CommitAsync(HttpContext context, HubState state, Repo repo, string revision)
    {
        if (state.Git.ResolveRevision(repo.Id, revision) is { } commit)
        {
            return commit;
        }
        await HubResponses.Error(context, StatusCodes.Status404NotFound, $"Invalid rev id: {revision}", "RevisionNotFound").ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// The repo a create or delete body names: <c>type</c> (null when unknown), and <c>name</c> in
    /// <c>organization</c> (default: the caller) — or <c>name</c> given as <c>namespace/name</c>, which wins.
    /// </summary>
    public static (string? Type, string Namespace, string Name) TargetOf(JsonElement body, string defaultNamespace)
    {
        var name = body.String("name") ?? "";
        var ns = body.String("organization") ?? defaultNamespace;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            (ns, name) = (name[..slash], name[(slash + 1)..]);
        }
        return (TypeOf(body.String("type")), ns, name);
    }

    /// <summary>
    /// The largest JSON request body the hub reads (413 above). The Hub's JSON bodies are small
    /// (preupload sends samples of at most 512 bytes for at most a few hundred files); the cap
    /// keeps a hostile body from growing memory without bound.
    /// </summary>
    public const int MaxJsonBody = 10 * 1024 * 1024;

    /// <summary>Reads a JSON request body; null (after a 400, or 413 when too large) when it is not usable JSON.</summary>
    public static async Task<JsonDocument?> ReadJsonAsync(HttpContext context, bool allowEmpty = false)
    {
        if (context.Request.ContentLength > MaxJsonBody)
        {
            await TooLarge(context).ConfigureAwait(false);
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxJsonBody)
                {
                    await TooLarge(context).ConfigureAwait(false);
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        if (buffer.Length == 0 && allowEmpty)
        {
            return JsonDocument.Parse("{}");
        }
        var document = ParseJson(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        if (document is null)
        {
            await HubResponses.BadRequest(context, "The request body is not valid JSON").ConfigureAwait(false);
        }
        return document;
    }

    /// <summary>
    /// Reads a JSON request body into <typeparamref name="T"/>, whatever its Content-Type (a plain
    /// <c>curl -d</c> sends <c>application/x-www-form-urlencoded</c>): null, after a 400 that says
    /// what is wrong (or 413), when it is not JSON or not of the expected shape. The framework's
    /// own <c>ReadFromJsonAsync</c> throws on both, which would surface as a bare 500.
    /// </summary>
    public static async Task<T?> ReadBodyAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, string expected)
        where T : class
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }
        T? body = null;
        try
        {
            body = document.RootElement.ValueKind == JsonValueKind.Object ? document.Deserialize(typeInfo) : null;
        }
        catch (JsonException)
        {
        }
        if (body is null)
        {
            await HubResponses.BadRequest(context, $"The request body must be a JSON object {expected}").ConfigureAwait(false);
        }
        return body;
    }

    private static Task TooLarge(HttpContext context) =>
        HubResponses.Error(context, StatusCodes.Status413PayloadTooLarge, $"Payload Too Large: JSON bodies are limited to {MaxJsonBody / (1024 * 1024)} MiB");

    /// <summary>
    /// Parses JSON whose every string and property name can be read: null for malformed JSON and
    /// for strings holding invalid UTF-8 or a lone surrogate escape ("\ud800"), which the parser
    /// accepts but reading the string would throw on later.
    /// </summary>
    public static JsonDocument? ParseJson(ReadOnlyMemory<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException)
        {
            return null;
        }
        if (StringsReadable(document.RootElement))
        {
            return document;
        }
        document.Dispose();
        return null;
    }

    private static bool StringsReadable(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Array:
                    return element.EnumerateArray().All(StringsReadable);
                case JsonValueKind.Object:
                    return element.EnumerateObject().All(p => p.Name is not null && StringsReadable(p.Value));
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>An integer property, or null when missing or not an integer that fits a long (1.5, 1e400, "5").</summary>
    public static long? Int64(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt64(out var number) ? number : null;

    public static string? String(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool? Bool(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    /// <summary>Writes a JSON body built with a <see cref="Utf8JsonWriter"/>.</summary>
    public static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK, string contentType = "application/json; charset=utf-8")
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
