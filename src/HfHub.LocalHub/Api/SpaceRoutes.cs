using System.Text.Json;
using HfHub.LocalHub.Spaces;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HfHub.LocalHub.Api;

/// <summary>
/// The Spaces management routes (spaces.md §5–§12): runtime, restart, pause, sleep time,
/// hardware, secrets, variables, dev mode, volumes, duplicate and the hardware list. Info and listings
/// come from the repo routes, which ask <see cref="SpaceRuntimeHost"/> for a Space's host and runtime.
/// </summary>
internal static class SpaceRoutes
{
    private const string Base = "/api/spaces/{ns}/{name}";

    public static void Map(WebApplication app, HubState state)
    {
        var runtime = state.Spaces;
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(runtime.Start);
        lifetime.ApplicationStopping.Register(runtime.Stop);

        app.MapGet("/api/spaces/hardware", context =>
            HubResponses.Json(context, [.. SpaceHardwareCatalog.All], LocalHubJsonContext.Default.ListHardwareFlavor));
        app.MapGet(Base + "/runtime", context => WithSpace(context, state, Need.Read, space => Runtime(context, runtime.ForReader(runtime.Runtime(space), context.Caller()))));
        app.MapPost(Base + "/restart", context => WithSpace(context, state, Need.Write, space =>
            OAuthRefused(context, state) ?? NotStatic(context, runtime, space, "restart") ?? Runtime(context, runtime.Restart(space, context.Request.Query["factory"] == "true"))));
        app.MapPost(Base + "/pause", context => WithSpace(context, state, Need.Write, space =>
            NotStatic(context, runtime, space, "pause") ?? Runtime(context, runtime.Pause(space))));
        app.MapPost(Base + "/sleeptime", context => WithSpace(context, state, Need.Write, space => OAuthRefused(context, state) ?? SleepTime(context, runtime, space)));
        app.MapPost(Base + "/hardware", context => WithSpace(context, state, Need.Write, space => OAuthRefused(context, state) ?? Hardware(context, runtime, space)));
        app.MapPost(Base + "/dev-mode", context => WithSpace(context, state, Need.Write, space => DevMode(context, runtime, space, null)));
        app.MapDelete(Base + "/dev-mode", context => WithSpace(context, state, Need.Write, space => DevMode(context, runtime, space, false)));
        app.MapGet(Base + "/secrets", context => WithSpace(context, state, Need.Owner, space => Secrets(context, runtime, space)));
        app.MapPost(Base + "/secrets", context => WithSpace(context, state, Need.Write, space => UpsertSetting(context, runtime, space, SpaceSettings.SecretKind)));
        app.MapDelete(Base + "/secrets", context => WithSpace(context, state, Need.Write, space => DeleteSetting(context, runtime, space, SpaceSettings.SecretKind)));
        app.MapGet(Base + "/variables", context => WithSpace(context, state, Need.Owner, space => Variables(context, runtime, space)));
        app.MapPost(Base + "/variables", context => WithSpace(context, state, Need.Write, space => UpsertSetting(context, runtime, space, SpaceSettings.VariableKind)));
        app.MapDelete(Base + "/variables", context => WithSpace(context, state, Need.Write, space => DeleteSetting(context, runtime, space, SpaceSettings.VariableKind)));
        app.MapPut(Base + "/volumes", context => WithSpace(context, state, Need.Write, space => Volumes(context, runtime, space, set: true)));
        app.MapDelete(Base + "/volumes", context => WithSpace(context, state, Need.Write, space => Volumes(context, runtime, space, set: false)));
        app.MapPost(Base + "/duplicate", context => WithSpace(context, state, Need.Read, space => Duplicate(context, state, space)));
        SpaceLogRoutes.Map(app, state);
        SpaceAppHostRoutes.Map(app, state);
    }

    internal enum Need
    {
        /// <summary>Anyone who can see the Space.</summary>
        Read,
        /// <summary>The owner (user or org member), any token role.</summary>
        Owner,
        /// <summary>The owner with a write token.</summary>
        Write,
    }

    /// <summary>Resolves the Space and checks the caller: 404 if invisible, 401 anonymous, 403 not allowed.</summary>
    internal static Task WithSpace(HttpContext context, HubState state, Need need, Func<Repo, Task> handler)
    {
        var ns = RepoLookup.Route(context, "ns");
        var name = context.Request.RouteValues["name"] as string ?? "";
        var caller = context.Caller();
        var space = state.Repos.Find("space", ns, name);
        if (space is null || !state.Access.CanRead(caller, space))
        {
            return HubResponses.RepoNotFound(context);
        }
        if (need != Need.Read && caller.IsAnonymous)
        {
            return HubResponses.Unauthorized(context);
        }
        if (need == Need.Owner && !state.Access.OwnsNamespace(caller, space.Namespace))
        {
            return HubResponses.Forbidden(context, $"You don't have access to the settings of {space.FullName}");
        }
        if (need == Need.Write && !state.Access.CanWrite(caller, space))
        {
            return HubResponses.Forbidden(context, caller.CanWrite
                ? $"You don't have the rights to manage {space.FullName}"
                : "You have read access but not the required permissions for this operation (a write token is needed)");
        }
        return handler(space);
    }

    private static Task Runtime(HttpContext context, SpaceRuntimeBody runtime) =>
        HubResponses.Json(context, runtime, LocalHubJsonContext.Default.SpaceRuntimeBody);

    /// <summary>Reads a JSON object body; null (after answering 400) when it is not one.</summary>
    internal static async Task<JsonElement?> ReadBody(HttpContext context)
    {
        // The shared reader caps the body's size and refuses strings that cannot be read (invalid UTF-8, lone surrogates).
        using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }
        if (document.RootElement.ValueKind == JsonValueKind.Object)
        {
            return document.RootElement.Clone();
        }
        await HubResponses.BadRequest(context, "The request body must be a JSON object").ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// With an OAuth token (as from <c>hf auth login</c>) the Hub answers restart, sleep time and hardware
    /// requests with 401 while pause and reads work (huggingface/huggingface_hub#4972, open). The message is
    /// the one huggingface/ml-intern#246 quotes, "Invalid username or password": not the invalid-credentials
    /// one, which is why huggingface_hub reports these 401s as RepositoryNotFoundError.
    /// </summary>
    private static Task? OAuthRefused(HttpContext context, HubState state) =>
        context.Caller().Token is { } token && state.Accounts.KindOf(token) is { Kind: TokenKind.OAuth }
            ? HubResponses.Error(context, StatusCodes.Status401Unauthorized, "Invalid username or password.")
            : null;

    private static Task? NotStatic(HttpContext context, SpaceRuntimeHost runtime, Repo space, string action) =>
        runtime.Sdk(space) == "static"
            ? HubResponses.BadRequest(context, $"Cannot {action} a static Space: it has no container")
            : null;

    private static async Task SleepTime(HttpContext context, SpaceRuntimeHost runtime, Repo space)
    {
        if (await ReadBody(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }
        if (!body.TryGetProperty("seconds", out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var seconds))
        {
            await HubResponses.BadRequest(context, "seconds must be a number of seconds, or -1 to never sleep").ConfigureAwait(false);
            return;
        }
        if (runtime.SetSleepTime(space, seconds, out var result) is { } error)
        {
            await HubResponses.BadRequest(context, error).ConfigureAwait(false);
            return;
        }
        await Runtime(context, result!).ConfigureAwait(false);
    }

    private static async Task Hardware(HttpContext context, SpaceRuntimeHost runtime, Repo space)
    {
        if (await ReadBody(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }
        var flavor = body.TryGetProperty("flavor", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        if (SpaceHardwareCatalog.Find(flavor) is null)
        {
            await HubResponses.BadRequest(context, SpaceHardwareCatalog.InvalidMessage(flavor)).ConfigureAwait(false);
            return;
        }
        var sdk = runtime.Sdk(space);
        if (sdk == "static")
        {
            await HubResponses.BadRequest(context, "Static Spaces run without hardware: change the SDK to request a flavor").ConfigureAwait(false);
            return;
        }
        if (flavor == "zero-a10g" && sdk != "gradio")
        {
            await HubResponses.BadRequest(context, "If you select 'zero-a10g', the SDK must be Gradio").ConfigureAwait(false);
            return;
        }
        long? sleep = null;
        if (body.TryGetProperty("sleepTimeSeconds", out var s) && s.ValueKind == JsonValueKind.Number)
        {
            sleep = s.GetInt64();
            if (sleep <= 0 && sleep != -1)
            {
                await HubResponses.BadRequest(context, "sleepTimeSeconds must be a positive number of seconds, or -1 to never sleep").ConfigureAwait(false);
                return;
            }
        }
        await Runtime(context, runtime.RequestHardware(space, flavor!, sleep)).ConfigureAwait(false);
    }

    private static async Task DevMode(HttpContext context, SpaceRuntimeHost runtime, Repo space, bool? enabled)
    {
        if (NotStatic(context, runtime, space, "use dev mode on") is { } refused)
        {
            await refused.ConfigureAwait(false);
            return;
        }
        if (enabled is null)
        {
            if (await ReadBody(context).ConfigureAwait(false) is not { } body)
            {
                return;
            }
            enabled = body.TryGetProperty("enabled", out var e) && e.ValueKind == JsonValueKind.True;
        }
        await Runtime(context, runtime.SetDevMode(space, enabled.Value)).ConfigureAwait(false);
    }

    /// <summary>Secret names with description and update time; never values.</summary>
    private static Task Secrets(HttpContext context, SpaceRuntimeHost runtime, Repo space) =>
        HubResponses.Json(context,
            runtime.Store.Settings(space.Id, SpaceSettings.SecretKind).ToDictionary(s => s.Key, s => new SpaceSecretBody(s.Description, s.UpdatedAt), StringComparer.Ordinal),
            LocalHubJsonContext.Default.DictionaryStringSpaceSecretBody);

    private static Task Variables(HttpContext context, SpaceRuntimeHost runtime, Repo space) =>
        HubResponses.Json(context,
            runtime.Store.Settings(space.Id, SpaceSettings.VariableKind).ToDictionary(v => v.Key, v => new SpaceVariableBody(v.Value, v.Description, v.UpdatedAt), StringComparer.Ordinal),
            LocalHubJsonContext.Default.DictionaryStringSpaceVariableBody);

    /// <summary>What a secret or variable change answers: <c>{}</c> for secrets (values never leave), the variables otherwise.</summary>
    private static Task SettingsAnswer(HttpContext context, SpaceRuntimeHost runtime, Repo space, string kind) =>
        kind == SpaceSettings.SecretKind
            ? HubResponses.Json(context, [], LocalHubJsonContext.Default.DictionaryStringSpaceSecretBody)
            : Variables(context, runtime, space);

    private static async Task UpsertSetting(HttpContext context, SpaceRuntimeHost runtime, Repo space, string kind)
    {
        if (await ReadBody(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }
        var key = body.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        if (SpaceSettings.KeyError(key, kind) is { } error)
        {
            await HubResponses.BadRequest(context, error).ConfigureAwait(false);
            return;
        }
        var value = body.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var description = body.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        runtime.ChangeSetting(space, kind, key!, value, description);
        await SettingsAnswer(context, runtime, space, kind).ConfigureAwait(false);
    }

    private static async Task DeleteSetting(HttpContext context, SpaceRuntimeHost runtime, Repo space, string kind)
    {
        if (await ReadBody(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }
        // A missing key is not an error (recorded: 200 {}).
        if (body.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String)
        {
            runtime.ChangeSetting(space, kind, k.GetString()!, null, null);
        }
        await SettingsAnswer(context, runtime, space, kind).ConfigureAwait(false);
    }

    /// <summary><c>PUT …/volumes</c> replaces the list; <c>DELETE …/volumes</c> removes it (400 when there is none). Both answer the runtime.</summary>
    private static async Task Volumes(HttpContext context, SpaceRuntimeHost runtime, Repo space, bool set)
    {
        SpaceRuntimeBody? result;
        string? error;
        if (set)
        {
            if (await ReadBody(context).ConfigureAwait(false) is not { } body)
            {
                return;
            }
            error = runtime.SetVolumes(space, body, context.Caller(), out result);
        }
        else
        {
            error = runtime.DeleteVolumes(space, out result);
        }
        await (error is null ? Runtime(context, runtime.ForReader(result!, context.Caller())) : HubResponses.BadRequest(context, error)).ConfigureAwait(false);
    }

    private static async Task Duplicate(HttpContext context, HubState state, Repo source)
    {
        var caller = context.Caller();
        if (caller.User is not { } user)
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return;
        }
        if (await ReadBody(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }
        var target = body.TryGetProperty("repository", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        var parts = target?.Split('/') ?? [];
        if (parts.Length != 2 || !RepoNames.IsValid(parts[1]) || !AccountNames.IsValid(parts[0]))
        {
            await HubResponses.BadRequest(context, "repository must be 'namespace/name'").ConfigureAwait(false);
            return;
        }
        if (body.TryGetProperty("hardware", out var hw) && hw.ValueKind == JsonValueKind.String && SpaceHardwareCatalog.Find(hw.GetString()) is null)
        {
            await HubResponses.BadRequest(context, SpaceHardwareCatalog.InvalidMessage(hw.GetString())).ConfigureAwait(false);
            return;
        }
        foreach (var field in new[] { "secrets", "variables" })
        {
            if (body.TryGetProperty(field, out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    var key = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("key", out var kk) && kk.ValueKind == JsonValueKind.String ? kk.GetString() : null;
                    if (SpaceSettings.KeyError(key, field.TrimEnd('s')) is { } error)
                    {
                        await HubResponses.BadRequest(context, error).ConfigureAwait(false);
                        return;
                    }
                }
            }
        }
        if (state.Spaces.ValidateVolumes(body, state.Spaces.Sdk(source), caller) is { } volumesError)
        {
            await HubResponses.BadRequest(context, volumesError).ConfigureAwait(false);
            return;
        }
        if (state.Accounts.Find(parts[0]) is not { } owner || !caller.CanWrite || !state.Access.OwnsNamespace(caller, parts[0]))
        {
            await HubResponses.Forbidden(context, $"You don't have the rights to create a Space in {parts[0]}").ConfigureAwait(false);
            return;
        }
        var isPrivate = body.TryGetProperty("private", out var p) && p.ValueKind == JsonValueKind.True
            || body.TryGetProperty("visibility", out var vis) && vis.ValueKind == JsonValueKind.String && vis.GetString() is "private" or "protected";
        var url = $"{state.Endpoint.ToString().TrimEnd('/')}/spaces/{parts[0]}/{parts[1]}";
        var copy = state.Repos.Create("space", parts[0], parts[1], isPrivate, source.Sdk, owner);
        if (copy is null)
        {
            context.Response.Headers["X-Error-Message"] = "You already created this space repo";
            await HubResponses.Json(context, new ConflictBody("You already created this space repo", url), LocalHubJsonContext.Default.ConflictBody, StatusCodes.Status409Conflict).ConfigureAwait(false);
            return;
        }
        state.Spaces.Duplicate(source, copy, user.Name, body);
        await HubResponses.Json(context, new UrlBody(url), LocalHubJsonContext.Default.UrlBody).ConfigureAwait(false);
    }
}
