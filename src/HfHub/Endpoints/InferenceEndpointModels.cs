using System.Text.Json.Serialization;

namespace HfHub.Endpoints;

/// <summary>
/// The state of an Inference Endpoint (<c>status.state</c>). An extensible value: states the API
/// adds later come through as they are spelled.
/// </summary>
public readonly record struct InferenceEndpointState(string Value)
{
    /// <summary>Waiting for capacity.</summary>
    public static InferenceEndpointState Pending { get; } = new("pending");
    /// <summary>Starting: a deployment, a resume or the cold start after scale-to-zero.</summary>
    public static InferenceEndpointState Initializing { get; } = new("initializing");
    /// <summary>Applying a configuration change.</summary>
    public static InferenceEndpointState Updating { get; } = new("updating");
    /// <summary>A configuration change failed; the endpoint keeps its previous configuration or stops.</summary>
    public static InferenceEndpointState UpdateFailed { get; } = new("updateFailed");
    /// <summary>Serving requests.</summary>
    public static InferenceEndpointState Running { get; } = new("running");
    /// <summary>Stopped by a pause; not billed; only a resume starts it.</summary>
    public static InferenceEndpointState Paused { get; } = new("paused");
    /// <summary>The deployment failed.</summary>
    public static InferenceEndpointState Failed { get; } = new("failed");
    /// <summary>No replica; not billed; the next request starts it (a cold start).</summary>
    public static InferenceEndpointState ScaledToZero { get; } = new("scaledToZero");

    /// <summary>True while the endpoint moves towards running by itself (pending, initializing, updating).</summary>
    public bool IsTransitional => Value is "pending" or "initializing" or "updating";

    /// <summary>True when it will not run without someone acting (failed, update failed).</summary>
    public bool IsFailure => Value is "failed" or "updateFailed";

    /// <inheritdoc/>
    public override string ToString() => Value ?? "";
}

/// <summary>An Inference Endpoint as the Endpoints API describes it.</summary>
public sealed record InferenceEndpoint
{
    /// <summary>The endpoint's name, unique in its namespace.</summary>
    public required string Name { get; init; }

    /// <summary>The user or organization that owns it.</summary>
    public required string Namespace { get; init; }

    /// <summary>Who may call it: <c>public</c>, <c>protected</c>/<c>authenticated</c> (a Hugging Face token) or <c>private</c> (PrivateLink).</summary>
    public string? Type { get; init; }

    /// <summary>Its state.</summary>
    public InferenceEndpointState State { get; init; }

    /// <summary>What the API says about the state, e.g. why it failed.</summary>
    public string? Message { get; init; }

    /// <summary>The URL requests go to; null until it is deployed.</summary>
    public Uri? Url { get; init; }

    /// <summary>The route that answers 200 when it is ready (e.g. <c>/health</c>).</summary>
    public string HealthRoute { get; init; } = "/health";

    /// <summary>The model repository it serves.</summary>
    public string? Repository { get; init; }

    /// <summary>The model's revision.</summary>
    public string? Revision { get; init; }

    /// <summary>The task, e.g. <c>text-generation</c>.</summary>
    public string? Task { get; init; }

    /// <summary>The framework, e.g. <c>pytorch</c>.</summary>
    public string? Framework { get; init; }

    /// <summary>Cloud vendor and region, e.g. <c>aws</c> / <c>us-east-1</c>.</summary>
    public string? Vendor { get; init; }

    /// <inheritdoc cref="Vendor"/>
    public string? Region { get; init; }

    /// <summary>Accelerator, instance type and size, e.g. <c>gpu</c>, <c>nvidia-a10g</c>, <c>x1</c>.</summary>
    public string? Accelerator { get; init; }

    /// <inheritdoc cref="Accelerator"/>
    public string? InstanceType { get; init; }

    /// <inheritdoc cref="Accelerator"/>
    public string? InstanceSize { get; init; }

    /// <summary>Replicas ready and replicas asked for.</summary>
    public int ReadyReplicas { get; init; }

    /// <inheritdoc cref="ReadyReplicas"/>
    public int TargetReplicas { get; init; }

    /// <summary>When it was created and last changed.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <inheritdoc cref="CreatedAt"/>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary><c>namespace/name</c>.</summary>
    public string Id => $"{Namespace}/{Name}";

    /// <summary>The URL of the health route, when deployed.</summary>
    public Uri? HealthUrl => Url is null ? null : new Uri(Url.AbsoluteUri.TrimEnd('/') + "/" + HealthRoute.TrimStart('/'));
}

/// <summary>What <see cref="InferenceEndpointsClient.CreateAsync"/> deploys (the Endpoints API's create body).</summary>
public sealed record InferenceEndpointCreateOptions
{
    /// <summary>The model repository, e.g. <c>openai-community/gpt2</c>.</summary>
    public required string Repository { get; init; }

    /// <summary>The framework, e.g. <c>pytorch</c> or <c>vllm</c>.</summary>
    public required string Framework { get; init; }

    /// <summary>Accelerator, instance type and size, e.g. <c>cpu</c>, <c>intel-icl</c>, <c>x2</c>.</summary>
    public required string Accelerator { get; init; }

    /// <inheritdoc cref="Accelerator"/>
    public required string InstanceType { get; init; }

    /// <inheritdoc cref="Accelerator"/>
    public required string InstanceSize { get; init; }

    /// <summary>Cloud vendor and region, e.g. <c>aws</c> and <c>us-east-1</c>.</summary>
    public required string Vendor { get; init; }

    /// <inheritdoc cref="Vendor"/>
    public required string Region { get; init; }

    /// <summary>The model revision; the repo's default branch when null.</summary>
    public string? Revision { get; init; }

    /// <summary>The task, e.g. <c>text-generation</c>; the API infers it when null.</summary>
    public string? Task { get; init; }

    /// <summary>Who may call it; <c>authenticated</c> (a Hugging Face token) by default, as the official CLI.</summary>
    public string Type { get; init; } = "authenticated";

    /// <summary>Replica bounds; 0 as the minimum lets it scale to zero.</summary>
    public int MinReplica { get; init; } = 1;

    /// <inheritdoc cref="MinReplica"/>
    public int MaxReplica { get; init; } = 1;
}

/// <summary>Options for <see cref="InferenceEndpointsClient.WaitAsync"/>.</summary>
public sealed record InferenceEndpointWaitOptions
{
    /// <summary>Give up after this long (a <see cref="TimeoutException"/>); default 10 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often to ask; default 5 s like the official client.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Called with each new state seen.</summary>
    public Action<InferenceEndpoint>? OnState { get; init; }
}

/// <summary>The wire shapes of the Endpoints API (spaces.md §13).</summary>
internal sealed record EndpointListBody(List<EndpointBody>? Items);

internal sealed record EndpointCreateBody(
    string Name, string Type, EndpointCreateCompute Compute, EndpointCreateModel Model, EndpointProviderBody Provider);

internal sealed record EndpointCreateCompute(string Accelerator, string InstanceType, string InstanceSize, EndpointCreateScaling Scaling);

internal sealed record EndpointCreateScaling(int MinReplica, int MaxReplica);

internal sealed record EndpointCreateModel(string Repository, string? Revision, string? Task, string Framework)
{
    /// <summary>The default image: the Hub picks the serving container for the framework.</summary>
    public EndpointImage Image { get; init; } = new();
}

internal sealed record EndpointImage
{
    public Dictionary<string, string> Huggingface { get; init; } = [];
}

internal sealed record EndpointBody(
    string? Name, string? Type, string? HealthRoute, EndpointProviderBody? Provider, EndpointComputeBody? Compute,
    EndpointModelBody? Model, EndpointStatusBody? Status);

internal sealed record EndpointProviderBody(string? Vendor, string? Region);

internal sealed record EndpointComputeBody(string? Accelerator, string? InstanceType, string? InstanceSize);

internal sealed record EndpointModelBody(string? Repository, string? Revision, string? Task, string? Framework);

internal sealed record EndpointStatusBody(string? State, string? Message, string? Url, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt, int? ReadyReplica, int? TargetReplica);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EndpointListBody))]
[JsonSerializable(typeof(EndpointBody))]
[JsonSerializable(typeof(EndpointCreateBody))]
internal sealed partial class EndpointsJsonContext : JsonSerializerContext;
