using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

/// <summary>
/// Repo CRUD, info and listing: <c>POST /api/repos/create</c>, <c>DELETE /api/repos/delete</c>,
/// <c>POST /api/repos/move</c>, <c>PUT /api/{type}s/{id}/settings</c>,
/// <c>GET /api/{type}s/{id}[/revision/{rev}]</c>, <c>GET /api/{type}s</c>.
/// </summary>
internal static class RepoRoutes
{
    /// <summary>The <c>.gitattributes</c> the Hub puts in every new repo (LFS for common ML and archive formats).</summary>
    public const string DefaultGitAttributes = """
        *.7z filter=lfs diff=lfs merge=lfs -text
        *.arrow filter=lfs diff=lfs merge=lfs -text
        *.bin filter=lfs diff=lfs merge=lfs -text
        *.bz2 filter=lfs diff=lfs merge=lfs -text
        *.ckpt filter=lfs diff=lfs merge=lfs -text
        *.ftz filter=lfs diff=lfs merge=lfs -text
        *.gz filter=lfs diff=lfs merge=lfs -text
        *.h5 filter=lfs diff=lfs merge=lfs -text
        *.joblib filter=lfs diff=lfs merge=lfs -text
        *.lfs.* filter=lfs diff=lfs merge=lfs -text
        *.mlmodel filter=lfs diff=lfs merge=lfs -text
        *.model filter=lfs diff=lfs merge=lfs -text
        *.msgpack filter=lfs diff=lfs merge=lfs -text
        *.npy filter=lfs diff=lfs merge=lfs -text
        *.npz filter=lfs diff=lfs merge=lfs -text
        *.onnx filter=lfs diff=lfs merge=lfs -text
        *.ot filter=lfs diff=lfs merge=lfs -text
        *.parquet filter=lfs diff=lfs merge=lfs -text
        *.pb filter=lfs diff=lfs merge=lfs -text
        *.pickle filter=lfs diff=lfs merge=lfs -text
        *.pkl filter=lfs diff=lfs merge=lfs -text
        *.pt filter=lfs diff=lfs merge=lfs -text
        *.pth filter=lfs diff=lfs merge=lfs -text
        *.rar filter=lfs diff=lfs merge=lfs -text
        *.safetensors filter=lfs diff=lfs merge=lfs -text
        saved_model/**/* filter=lfs diff=lfs merge=lfs -text
        *.tar.* filter=lfs diff=lfs merge=lfs -text
        *.tar filter=lfs diff=lfs merge=lfs -text
        *.tflite filter=lfs diff=lfs merge=lfs -text
        *.tgz filter=lfs diff=lfs merge=lfs -text
        *.wasm filter=lfs diff=lfs merge=lfs -text
        *.xz filter=lfs diff=lfs merge=lfs -text
        *.zip filter=lfs diff=lfs merge=lfs -text
        *.zst filter=lfs diff=lfs merge=lfs -text
        *tfevents* filter=lfs diff=lfs merge=lfs -text

        """;

    /// <summary>Datasets also track media and data-file formats.</summary>
    public const string DatasetGitAttributes = """
        *.lz4 filter=lfs diff=lfs merge=lfs -text
        *.mds filter=lfs diff=lfs merge=lfs -text
        # Audio files - uncompressed
        *.pcm filter=lfs diff=lfs merge=lfs -text
        *.sam filter=lfs diff=lfs merge=lfs -text
        *.raw filter=lfs diff=lfs merge=lfs -text
        # Audio files - compressed
        *.aac filter=lfs diff=lfs merge=lfs -text
        *.flac filter=lfs diff=lfs merge=lfs -text
        *.mp3 filter=lfs diff=lfs merge=lfs -text
        *.ogg filter=lfs diff=lfs merge=lfs -text
        *.wav filter=lfs diff=lfs merge=lfs -text
        # Image files - uncompressed
        *.bmp filter=lfs diff=lfs merge=lfs -text
        *.gif filter=lfs diff=lfs merge=lfs -text
        *.png filter=lfs diff=lfs merge=lfs -text
        *.tiff filter=lfs diff=lfs merge=lfs -text
        # Image files - compressed
        *.jpg filter=lfs diff=lfs merge=lfs -text
        *.jpeg filter=lfs diff=lfs merge=lfs -text
        *.webp filter=lfs diff=lfs merge=lfs -text
        # Video files - compressed
        *.mp4 filter=lfs diff=lfs merge=lfs -text
        *.webm filter=lfs diff=lfs merge=lfs -text

        """;

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        app.MapPost("/api/repos/create", context => Create(context, state));
        app.MapDelete("/api/repos/delete", context => Delete(context, state));
        app.MapPost("/api/repos/move", context => Move(context, state));
        foreach (var (segment, type, _) in RepoLookup.Types)
        {
            app.MapGet($"/api/{segment}", context => List(context, state, type));
            app.MapGet($"/api/{segment}/{{ns}}/{{name}}", context => Info(context, state, type, null));
            app.MapGet($"/api/{segment}/{{ns}}/{{name}}/revision/{{**rev}}", context => Info(context, state, type, RepoLookup.Revision(RepoLookup.Route(context, "rev"))));
            app.MapPut($"/api/{segment}/{{ns}}/{{name}}/settings", context => Settings(context, state, type));
            app.MapGet($"/api/{segment}/{{ns}}/{{name}}/auth-check", context => AuthCheck(context, state, type, write: false));
            app.MapGet($"/api/{segment}/{{ns}}/{{name}}/auth-check/write", context => AuthCheck(context, state, type, write: true));
        }
    }

    private static async Task Create(HttpContext context, HubState state)
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
        var body = document.RootElement;
        var (type, ns, name) = RepoLookup.TargetOf(body, user.Name);
        if (type is null)
        {
            await HubResponses.BadRequest(context, "type must be one of model, dataset, space").ConfigureAwait(false);
            return;
        }
        if (!RepoNames.IsValid(name))
        {
            await HubResponses.BadRequest(context, "Invalid repo name: use letters, digits, '-', '_' or '.', at most 96 characters, not starting or ending with '-' or '.', without '--' or '..', not ending with '.git'").ConfigureAwait(false);
            return;
        }
        var isPrivate = body.Bool("private");
        var visibility = body.String("visibility");
        if (isPrivate is not null && visibility is not null)
        {
            await HubResponses.BadRequest(context, "Specify either private or visibility, not both").ConfigureAwait(false);
            return;
        }
        if (visibility is not (null or "public" or "private" or "protected") || (visibility == "protected" && type != "space"))
        {
            await HubResponses.BadRequest(context, "visibility must be public or private (or protected, for Spaces)").ConfigureAwait(false);
            return;
        }
        // "protected" Spaces run publicly but keep their files private; files are what this hub guards.
        var makePrivate = isPrivate ?? visibility is "private" or "protected";
        var sdk = body.String("sdk");
        if (type == "space" && sdk is not ("gradio" or "docker" or "static" or "streamlit"))
        {
            await HubResponses.BadRequest(context, "sdk must be one of gradio, docker, static (streamlit is deprecated) for a Space").ConfigureAwait(false);
            return;
        }
        if (type != "space")
        {
            sdk = null;
        }
        if (state.Accounts.Find(ns) is not { } owner || !state.Access.OwnsNamespace(caller, ns))
        {
            await HubResponses.Forbidden(context, $"You don't have the rights to create a {type} under the namespace \"{ns}\"").ConfigureAwait(false);
            return;
        }
        ns = owner.Name; // the account's own spelling, whatever case the request used
        if (!caller.CanWrite)
        {
            await HubResponses.Forbidden(context, "You have read access but not the required permissions for this operation (a write token is needed).").ConfigureAwait(false);
            return;
        }
        var hooks = type == "space" ? state.SpaceHooks : null;
        if (hooks?.ValidateCreate(body) is { } invalid)
        {
            await HubResponses.BadRequest(context, invalid).ConfigureAwait(false);
            return;
        }
        var prefix = type == "model" ? "" : type + "s/";
        var existing = state.Repos.Find(type, ns, name);
        if (existing is not null)
        {
            await Conflict(context, $"You already created this {type} repo", Url(state, prefix, existing.FullName)).ConfigureAwait(false);
            return;
        }
        var files = await InitialFilesAsync(state, type, name, sdk, body, context.RequestAborted).ConfigureAwait(false);
        if (files is null)
        {
            await HubResponses.BadRequest(context, "files must be [{path, content, encoding: base64|utf-8}] with valid paths").ConfigureAwait(false);
            return;
        }
        var repo = state.Repos.Create(type, ns, name, makePrivate, sdk, owner);
        if (repo is null)
        {
            existing = state.Repos.Find(type, ns, name)!;
            await Conflict(context, $"You already created this {type} repo", Url(state, prefix, existing.FullName)).ConfigureAwait(false);
            return;
        }
        state.Git.Commit(repo.Id, "refs/heads/" + GitStore.DefaultBranch, null, null, files, user.Name, "initial commit", "");
        if (hooks is not null)
        {
            hooks.OnCreated(repo, body);
        }
        var url = Url(state, prefix, repo.FullName);
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("url", url);
            w.WriteString("name", repo.FullName);
            w.WriteString("id", repo.Id);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>The files of a new repo: the default <c>.gitattributes</c>, a README card for Spaces, and the request's <c>files</c>.</summary>
    private static async Task<List<GitFile>?> InitialFilesAsync(HubState state, string type, string name, string? sdk, JsonElement body, CancellationToken cancellationToken)
    {
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [".gitattributes"] = Encoding.UTF8.GetBytes(type == "dataset" ? DefaultGitAttributes + DatasetGitAttributes : DefaultGitAttributes),
        };
        if (type == "space")
        {
            contents["README.md"] = Encoding.UTF8.GetBytes($"""
                ---
                title: {name}
                emoji: 🚀
                colorFrom: blue
                colorTo: purple
                sdk: {sdk}
                pinned: false
                ---

                Check out the configuration reference at https://huggingface.co/docs/hub/spaces-config-reference

                """);
        }
        if (body.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array)
        {
            foreach (var file in files.EnumerateArray())
            {
                var path = file.String("path");
                var content = file.String("content") ?? "";
                if (!RepoNames.IsValidPath(path))
                {
                    return null;
                }
                try
                {
                    contents[path!] = file.String("encoding") == "base64" ? Convert.FromBase64String(content) : Encoding.UTF8.GetBytes(content);
                }
                catch (FormatException)
                {
                    return null;
                }
            }
        }
        var result = new List<GitFile>();
        foreach (var (path, bytes) in contents)
        {
            result.Add(await new Services.CommitService(state).StoreRegularAsync(path, bytes, cancellationToken).ConfigureAwait(false));
        }
        return result;
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

    private static async Task Move(HttpContext context, HubState state)
    {
        using var document = await RepoLookup.SignedInBodyAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        var type = RepoLookup.TypeOf(body.String("type"));
        var from = (body.String("fromRepo") ?? "").Split('/');
        var to = (body.String("toRepo") ?? "").Split('/');
        if (type is null || from.Length != 2 || to.Length != 2 || !RepoNames.IsValid(to[1]))
        {
            await HubResponses.BadRequest(context, "fromRepo and toRepo must be namespace/name repo ids, with a valid new name").ConfigureAwait(false);
            return;
        }
        var repo = state.Repos.Find(type, from[0], from[1]);
        if (repo is null || !state.Access.CanRead(context.Caller(), repo))
        {
            await HubResponses.RepoNotFound(context).ConfigureAwait(false);
            return;
        }
        if (!await RepoLookup.CheckWriteAsync(context, state, repo).ConfigureAwait(false))
        {
            return;
        }
        if (state.Accounts.Find(to[0]) is null || !state.Access.OwnsNamespace(context.Caller(), to[0]))
        {
            await HubResponses.Forbidden(context, $"You don't have the rights to create a {type} under the namespace \"{to[0]}\"").ConfigureAwait(false);
            return;
        }
        if (!state.Repos.Move(repo, state.Accounts.Find(to[0])!.Name, to[1]))
        {
            await HubResponses.Error(context, StatusCodes.Status409Conflict, $"A {type} repository called {to[0]}/{to[1]} already exists").ConfigureAwait(false);
            return;
        }
        var prefix = type == "model" ? "" : type + "s/";
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("url", Url(state, prefix, $"{to[0]}/{to[1]}"));
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task Settings(HttpContext context, HubState state, string type)
    {
        if (await RepoLookup.WritableWithBodyAsync(context, state, type).ConfigureAwait(false) is not { } request)
        {
            return;
        }
        var repo = request.Repo;
        using var document = request.Body;
        var body = document.RootElement;
        var isPrivate = body.Bool("private");
        var visibility = body.String("visibility");
        if (isPrivate is not null && visibility is not null
            || visibility is not (null or "public" or "private" or "protected") || (visibility == "protected" && type != "space"))
        {
            await HubResponses.BadRequest(context, "Specify private (true/false) or visibility (public, private, or protected for Spaces)").ConfigureAwait(false);
            return;
        }
        string? gated = null;
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("gated", out var gatedValue))
        {
            gated = gatedValue.ValueKind switch
            {
                JsonValueKind.False => "false",
                JsonValueKind.String when gatedValue.GetString() is "auto" or "manual" => gatedValue.GetString(),
                _ => null,
            };
            if (gated is null)
            {
                await HubResponses.BadRequest(context, "gated must be false, \"auto\" or \"manual\"").ConfigureAwait(false);
                return;
            }
        }
        if ((isPrivate ?? (visibility is null ? null : visibility != "public")) is { } makePrivate)
        {
            state.Repos.SetPrivate(repo, makePrivate);
        }
        if (gated is not null)
        {
            state.Git.SetGated(repo.Id, gated);
        }
        repo = state.Repos.FindById(repo.Id)!;
        var settings = state.Git.Settings(repo.Id);
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("private", repo.Private);
            if (settings.Gated == "false")
            {
                w.WriteBoolean("gated", false);
            }
            else
            {
                w.WriteString("gated", settings.Gated);
            }
            w.WriteBoolean("disabled", settings.Disabled);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary><c>auth-check[/write]</c>: 200 when the caller may read (or write) the repo, else the usual 404/401/403.</summary>
    private static async Task AuthCheck(HttpContext context, HubState state, string type, bool write)
    {
        var repo = write
            ? await RepoLookup.WritableAsync(context, state, type).ConfigureAwait(false)
            : await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is not null)
        {
            await RepoLookup.WriteJsonAsync(context, w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("success", true);
                w.WriteEndObject();
            }).ConfigureAwait(false);
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
        await RepoLookup.WriteJsonAsync(context, w => RepoJson.Write(w, state, repo, commit, RepoFields.Info, expand, blobs)).ConfigureAwait(false);
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
                RepoJson.Write(w, state, repo, commit, fields, expand, blobs: false);
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

    private static async Task Conflict(HttpContext context, string message, string url)
    {
        context.Response.Headers["X-Error-Message"] = HubResponses.HeaderSafe(message);
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("error", message);
            w.WriteString("url", url);
            w.WriteEndObject();
        }, StatusCodes.Status409Conflict).ConfigureAwait(false);
    }
}
