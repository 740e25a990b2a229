using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Endpoints;

/// <summary>
/// The Inference Endpoints API as the official clients call it (spaces.md §13; on the Hub it is
/// <c>https://api.endpoints.huggingface.cloud/v2</c>, here <c>{hub}/_endpoints/v2</c>), and each
/// endpoint's own URL (<c>{hub}/_endpoint-apps/{ns}/{name}</c>), a stand-in model server with a
/// health route. Choices where the sources are silent: errors are the Hub's <c>{"error": …}</c>;
/// a namespace the caller cannot use answers 401 (what the Python client expects for an org
/// "without billing or access"); names are 1–32 lower-case letters, digits and hyphens; a request
/// to a scaled-to-zero endpoint starts it and answers 503 until it runs; an <c>authenticated</c>
/// endpoint answers 401 without a valid token of a member of its namespace.
/// </summary>
internal static partial class EndpointRoutes
{
    public const string ApiBase = "/_endpoints/v2";
    public const string AppBase = "/_endpoint-apps";

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        app.MapGet($"{ApiBase}/endpoint/{{ns}}", context => ListAsync(context, state));
        app.MapPost($"{ApiBase}/endpoint/{{ns}}", context => CreateAsync(context, state));
        app.MapGet($"{ApiBase}/endpoint/{{ns}}/{{name}}", context => WithEndpointAsync(context, state, write: false, (row, now) => WriteEndpointAsync(context, state, row, now)));
        app.MapDelete($"{ApiBase}/endpoint/{{ns}}/{{name}}", context => WithEndpointAsync(context, state, write: true, async (row, now) =>
        {
            state.Endpoints.Delete(row.Namespace, row.Name);
            await HubResponses.Json(context, new EndpointDeletedBody(), LocalHubJsonContext.Default.EndpointDeletedBody).ConfigureAwait(false);
        }));
        app.MapPost($"{ApiBase}/endpoint/{{ns}}/{{name}}/pause", context => ChangeAsync(context, state, EndpointLifecycle.Paused));
        app.MapPost($"{ApiBase}/endpoint/{{ns}}/{{name}}/scale-to-zero", context => ChangeAsync(context, state, EndpointLifecycle.ScaledToZero));
        app.MapPost($"{ApiBase}/endpoint/{{ns}}/{{name}}/resume", context => ChangeAsync(context, state, EndpointLifecycle.Starting));
        app.Map($"{AppBase}/{{ns}}/{{name}}/{{**path}}", context => ServeAppAsync(context, state));
    }

    public static Uri AppUrl(HubState state, string ns, string name) =>
        new(state.Endpoint, $"{AppBase}/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}");

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")]
    private static partial Regex ValidName();

    private static async Task ListAsync(HttpContext context, HubState state)
    {
        var ns = RepoLookup.Route(context, "ns");
        if (!await CanUseNamespaceAsync(context, state, ns, write: false).ConfigureAwait(false))
        {
            return;
        }
        var now = state.Clock.GetUtcNow();
        var items = state.Endpoints.List(ns).Select(row => Body(state, row, now)).ToList();
        await HubResponses.Json(context, new EndpointListBody(items), LocalHubJsonContext.Default.EndpointListBody).ConfigureAwait(false);
    }

    private static async Task CreateAsync(HttpContext context, HubState state)
    {
        var ns = RepoLookup.Route(context, "ns");
        if (!await CanUseNamespaceAsync(context, state, ns, write: true).ConfigureAwait(false))
        {
            return;
        }
        using var body = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }
        var root = body.RootElement;
        var model = Child(root, "model");
        var compute = Child(root, "compute");
        var provider = Child(root, "provider");
        var repository = model.String("repository");
        var name = root.String("name") ?? repository?.Split('/')[^1].ToLowerInvariant().Replace('.', '-').Replace('_', '-');
        if (string.IsNullOrEmpty(repository) || model.String("framework") is null || compute.String("instanceType") is null || provider.String("vendor") is null)
        {
            await HubResponses.BadRequest(context, "model.repository, model.framework, compute.instanceType and provider.vendor are required").ConfigureAwait(false);
            return;
        }
        if (name is null || !ValidName().IsMatch(name))
        {
            await HubResponses.BadRequest(context, $"invalid endpoint name '{name}': 1 to 32 lower-case letters, digits and hyphens, not starting or ending with a hyphen").ConfigureAwait(false);
            return;
        }
        var type = root.String("type") ?? "protected";
        if (type is not ("public" or "protected" or "authenticated" or "private"))
        {
            await HubResponses.BadRequest(context, $"invalid type '{type}': public, protected, authenticated or private").ConfigureAwait(false);
            return;
        }
        var scaling = Child(compute, "scaling");
        var now = state.Clock.GetUtcNow();
        var created = HubIds.Timestamp(now);
        var row = new EndpointRow(
            ns, name, type, repository, model.String("revision") ?? "main", model.String("task") ?? "text-generation", model.String("framework")!,
            provider.String("vendor")!, provider.String("region") ?? "us-east-1", compute.String("accelerator") ?? "cpu", compute.String("instanceType")!,
            compute.String("instanceSize") ?? "x1", (int)(scaling.Int64("minReplica") ?? 1), (int)(scaling.Int64("maxReplica") ?? 1),
            root.String("healthRoute") ?? "/health", EndpointLifecycle.Starting, now.ToUnixTimeMilliseconds(), FirstStart: true,
            created, context.Caller().User!.Name, created);
        if (!state.Endpoints.Add(row))
        {
            await HubResponses.Error(context, StatusCodes.Status409Conflict, $"Endpoint {ns}/{name} already exists").ConfigureAwait(false);
            return;
        }
        await WriteEndpointAsync(context, state, row, now).ConfigureAwait(false);
    }

    private static Task ChangeAsync(HttpContext context, HubState state, string phase) =>
        WithEndpointAsync(context, state, write: true, async (row, now) =>
        {
            var current = EndpointLifecycle.State(row, now, state.Options.Endpoints);
            if (phase == EndpointLifecycle.Starting && row.Phase == EndpointLifecycle.Starting)
            {
                // The Python client's resume(running_ok=True) looks for these words.
                await HubResponses.BadRequest(context, $"Endpoint {row.Namespace}/{row.Name} is already running ({current})").ConfigureAwait(false);
                return;
            }
            var changed = row.Phase == phase ? row : row with
            {
                Phase = phase,
                PhaseSince = now.ToUnixTimeMilliseconds(),
                FirstStart = row.FirstStart && current == "pending",
                UpdatedAt = HubIds.Timestamp(now),
            };
            state.Endpoints.Update(changed);
            await WriteEndpointAsync(context, state, changed, now).ConfigureAwait(false);
        });

    private static async Task WithEndpointAsync(HttpContext context, HubState state, bool write, Func<EndpointRow, DateTimeOffset, Task> action)
    {
        var ns = RepoLookup.Route(context, "ns");
        var name = RepoLookup.Route(context, "name");
        if (!await CanUseNamespaceAsync(context, state, ns, write).ConfigureAwait(false))
        {
            return;
        }
        if (state.Endpoints.Find(ns, name) is not { } row)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"Endpoint {ns}/{name} not found").ConfigureAwait(false);
            return;
        }
        await action(row, state.Clock.GetUtcNow()).ConfigureAwait(false);
    }

    private static async Task<bool> CanUseNamespaceAsync(HttpContext context, HubState state, string ns, bool write)
    {
        var caller = context.Caller();
        if (caller.IsAnonymous)
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return false;
        }
        if (!IsMember(state, caller, ns))
        {
            await HubResponses.Error(context, StatusCodes.Status401Unauthorized, $"You do not have access to Inference Endpoints in {ns}").ConfigureAwait(false);
            return false;
        }
        if (write && !caller.CanWrite)
        {
            await HubResponses.Forbidden(context, "This operation needs a token with write access").ConfigureAwait(false);
            return false;
        }
        return true;
    }

    private static bool IsMember(HubState state, HubCaller caller, string ns) =>
        caller.User is { } user && (user.Name == ns || (state.Accounts.Find(ns) is { IsOrg: true } org && state.Accounts.RoleIn(org, user) is not null));

    private static async Task ServeAppAsync(HttpContext context, HubState state)
    {
        var ns = RepoLookup.Route(context, "ns");
        var name = RepoLookup.Route(context, "name");
        if (state.Endpoints.Find(ns, name) is not { } row)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"Endpoint {ns}/{name} not found").ConfigureAwait(false);
            return;
        }
        if (row.Type != "public" && !IsMember(state, context.Caller(), ns))
        {
            await HubResponses.Unauthorized(context).ConfigureAwait(false);
            return;
        }
        var now = state.Clock.GetUtcNow();
        var current = EndpointLifecycle.State(row, now, state.Options.Endpoints);
        if (current == EndpointLifecycle.ScaledToZero)
        {
            state.Endpoints.Update(row with { Phase = EndpointLifecycle.Starting, PhaseSince = now.ToUnixTimeMilliseconds(), FirstStart = false, UpdatedAt = HubIds.Timestamp(now) });
        }
        if (current != "running")
        {
            context.Response.Headers.RetryAfter = "1";
            await HubResponses.Error(context, StatusCodes.Status503ServiceUnavailable, current == EndpointLifecycle.ScaledToZero
                ? $"Endpoint {ns}/{name} is scaled to zero and is starting: retry shortly"
                : $"Endpoint {ns}/{name} is {current}").ConfigureAwait(false);
            return;
        }
        var path = "/" + RepoLookup.Route(context, "path");
        if (path == "/" + row.HealthRoute.TrimStart('/'))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }
        // Any other route: the model the endpoint serves, as a text-generation server's /info says it.
        await HubResponses.Json(context, new EndpointAppInfoBody(row.Repository, row.Revision, path), LocalHubJsonContext.Default.EndpointAppInfoBody).ConfigureAwait(false);
    }

    private static Task WriteEndpointAsync(HttpContext context, HubState state, EndpointRow row, DateTimeOffset now) =>
        HubResponses.Json(context, Body(state, row, now), LocalHubJsonContext.Default.EndpointBody);

    private static EndpointBody Body(HubState state, EndpointRow row, DateTimeOffset now)
    {
        var current = EndpointLifecycle.State(row, now, state.Options.Endpoints);
        var by = new EndpointActorBody(row.CreatedBy, row.CreatedBy);
        return new EndpointBody(
            row.Name, row.Type, row.Namespace, new EndpointProviderBody(row.Vendor, row.Region), row.HealthRoute,
            new EndpointComputeBody(row.Accelerator, row.InstanceType, row.InstanceSize, new EndpointScalingBody(row.MinReplica, row.MaxReplica)),
            new EndpointModelBody(row.Repository, row.Revision, row.Task, row.Framework, new EndpointImageBody(new EndpointDefaultImageBody())),
            new EndpointStatusBody(
                row.CreatedAt, by, row.UpdatedAt, by, row.Type == "private", current, Message(current),
                current is "pending" or EndpointLifecycle.Failed ? null : AppUrl(state, row.Namespace, row.Name).AbsoluteUri,
                EndpointLifecycle.ReadyReplicas(current, row), EndpointLifecycle.TargetReplicas(current, row)));
    }

    private static string Message(string state) => state switch
    {
        "pending" => "Waiting for capacity",
        "initializing" => "Endpoint is initializing",
        "running" => "Endpoint is running",
        EndpointLifecycle.Paused => "Endpoint is paused",
        EndpointLifecycle.ScaledToZero => "Endpoint is scaled to zero",
        _ => state,
    };

    private static JsonElement Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child) && child.ValueKind == JsonValueKind.Object ? child : default;
}

/// <summary>An endpoint as the Endpoints API answers it (spaces.md §13), in the order of its fields.</summary>
internal sealed record EndpointBody(
    string Name, string Type, string AccountId, EndpointProviderBody Provider, string HealthRoute,
    EndpointComputeBody Compute, EndpointModelBody Model, EndpointStatusBody Status);

internal sealed record EndpointProviderBody(string Vendor, string Region);

internal sealed record EndpointComputeBody(string Accelerator, string InstanceType, string InstanceSize, EndpointScalingBody Scaling);

internal sealed record EndpointScalingBody(int MinReplica, int MaxReplica);

internal sealed record EndpointModelBody(string Repository, string Revision, string Task, string Framework, EndpointImageBody Image);

internal sealed record EndpointImageBody(EndpointDefaultImageBody Huggingface);

/// <summary>The default image: an empty object.</summary>
internal sealed record EndpointDefaultImageBody;

internal sealed record EndpointActorBody(string Id, string Name);

internal sealed record EndpointStatusBody(
    string CreatedAt, EndpointActorBody CreatedBy, string UpdatedAt, EndpointActorBody UpdatedBy, bool Private,
    string State, string Message, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url, int ReadyReplica, int TargetReplica);

internal sealed record EndpointListBody(List<EndpointBody> Items);

/// <summary>The answer to a delete: an empty object.</summary>
internal sealed record EndpointDeletedBody;

/// <summary>What the stand-in model server says on any route but its health route (snake_case, as text-generation servers).</summary>
internal sealed record EndpointAppInfoBody(
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("model_sha")] string ModelSha,
    string Path);
