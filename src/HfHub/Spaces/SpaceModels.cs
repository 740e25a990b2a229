using System.Text.Json.Serialization;

namespace HfHub.Spaces;

/// <summary>
/// Space stages as the Hub names them. Stages are open strings: a client must accept ones it
/// does not know, so <see cref="SpaceRuntime.Stage"/> is a string and these are constants.
/// </summary>
public static class SpaceStage
{
    public const string NoAppFile = "NO_APP_FILE";
    public const string ConfigError = "CONFIG_ERROR";
    public const string Building = "BUILDING";
    public const string BuildError = "BUILD_ERROR";
    public const string Running = "RUNNING";
    public const string RunningBuilding = "RUNNING_BUILDING";
    public const string RuntimeError = "RUNTIME_ERROR";
    public const string Deleting = "DELETING";
    public const string Stopped = "STOPPED";
    public const string Paused = "PAUSED";
    public const string Sleeping = "SLEEPING";
    public const string AppStarting = "APP_STARTING";
    public const string RunningAppStarting = "RUNNING_APP_STARTING";

    /// <summary>True while the Hub is still working towards a final stage (clients keep polling).</summary>
    public static bool IsIntermediate(string? stage) =>
        stage is Building or RunningBuilding or AppStarting or RunningAppStarting;

    /// <summary>True for stages that mean the Space failed and needs a fix or a restart.</summary>
    public static bool IsError(string? stage) => stage is BuildError or RuntimeError or ConfigError or NoAppFile;

    /// <summary>True for idle stages a visitor (SLEEPING, STOPPED) or only the owner (PAUSED) can end.</summary>
    public static bool IsAsleep(string? stage) => stage is Sleeping or Stopped or Paused;
}

/// <summary>The hardware a Space runs on now and the one it asked for (they differ until a rebuild finishes).</summary>
public sealed record SpaceHardware
{
    public string? Current { get; init; }
    public string? Requested { get; init; }
}

/// <summary>Replica counts.</summary>
public sealed record SpaceReplicas
{
    [JsonConverter(typeof(StringOrNumberConverter))]
    public string? Requested { get; init; }
    public int? Current { get; init; }
}

/// <summary>A domain the app is served on.</summary>
public sealed record SpaceDomain(string Domain, string? Stage);

/// <summary>A Space's runtime (<c>GET /api/spaces/{id}/runtime</c>; also returned by every lifecycle call).</summary>
public sealed record SpaceRuntime
{
    public required string Stage { get; init; }
    public SpaceHardware Hardware { get; init; } = new();
    public string? Storage { get; init; }
    /// <summary>The sleep time in seconds; null means the Space never sleeps.</summary>
    [JsonPropertyName("gcTimeout")]
    public long? SleepTime { get; init; }
    public SpaceReplicas? Replicas { get; init; }
    public bool DevMode { get; init; }
    public IReadOnlyList<SpaceDomain>? Domains { get; init; }
    public string? ErrorMessage { get; init; }
    public string? Sdk { get; init; }
    /// <summary>The mounted volumes; null when the Space has none (the Hub leaves the field out).</summary>
    public IReadOnlyList<SpaceVolume>? Volumes { get; init; }
}

/// <summary>A Space as info and listings report it (fields missing from the answer are null).</summary>
public sealed record SpaceInfo
{
    /// <summary><c>namespace/name</c>.</summary>
    public required string Id { get; init; }
    [JsonPropertyName("_id")]
    public string? ObjectId { get; init; }
    public string? Author { get; init; }
    public string? Sha { get; init; }
    public string? Sdk { get; init; }
    public bool? Private { get; init; }
    public int? Likes { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? LastModified { get; init; }
    public string? Subdomain { get; init; }
    /// <summary>The app's origin URL (e.g. <c>https://user-space.hf.space</c>).</summary>
    public string? Host { get; init; }
    public SpaceRuntime? Runtime { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>The app URL: <see cref="Host"/>, else derived from the subdomain, else from the id.</summary>
    [JsonIgnore]
    public string AppUrl => Host ?? $"https://{Subdomain ?? Id.ToLowerInvariant().Replace('/', '-').Replace('_', '-').Replace('.', '-')}.hf.space";
}

/// <summary>A secret's name and metadata; the Hub never returns secret values.</summary>
public sealed record SpaceSecret(string Key, string? Description, DateTimeOffset? UpdatedAt);

/// <summary>A variable with its value.</summary>
public sealed record SpaceVariable(string Key, string Value, string? Description, DateTimeOffset? UpdatedAt);

/// <summary>A key, value and optional description to set at create or duplicate time.</summary>
public sealed record SpaceSetting(string Key, string Value, string? Description = null);

/// <summary>An accelerator of a hardware flavor.</summary>
public sealed record SpaceAccelerator(string? Type, string? Model, int? Quantity, string? Vram, string? Manufacturer);

/// <summary>One hardware flavor of <c>GET /api/spaces/hardware</c>.</summary>
public sealed record SpaceHardwareFlavor
{
    public required string Name { get; init; }
    public string? PrettyName { get; init; }
    public string? Cpu { get; init; }
    public string? Ram { get; init; }
    public SpaceAccelerator? Accelerator { get; init; }
    [JsonPropertyName("unitCostUSD")]
    public double? UnitCostUsd { get; init; }
    public string? UnitLabel { get; init; }
}

/// <summary>Which log of a Space: the image build, or the running app.</summary>
public enum SpaceLogKind
{
    Run,
    Build,
}

/// <summary>One log line; <see cref="Index"/> counts lines from the start of the replayed buffer.</summary>
public sealed record SpaceLogLine(long Index, string Text, DateTimeOffset? Timestamp);

/// <summary>A file to put in a new Space with its create call.</summary>
public sealed record SpaceFile(string Path, byte[] Content);

/// <summary>Options of <see cref="SpacesClient.CreateAsync"/>.</summary>
public sealed record SpaceCreateOptions
{
    /// <summary><c>gradio</c>, <c>docker</c>, <c>static</c> (or the deprecated <c>streamlit</c>).</summary>
    public string Sdk { get; init; } = "docker";
    public bool Private { get; init; }
    public string? Hardware { get; init; }
    /// <summary>Seconds of idle time before the Space sleeps; -1 = never.</summary>
    public long? SleepTimeSeconds { get; init; }
    public IReadOnlyList<SpaceSetting>? Secrets { get; init; }
    public IReadOnlyList<SpaceSetting>? Variables { get; init; }
    /// <summary>Volumes to mount (checked by <see cref="SpaceVolume.Validate"/>); null or empty mounts none.</summary>
    public IReadOnlyList<SpaceVolume>? Volumes { get; init; }
    /// <summary>Files committed with the creation (the Hub's <c>files</c> field).</summary>
    public IReadOnlyList<SpaceFile>? Files { get; init; }
    /// <summary>
    /// The repo id of an official template (<see cref="SpaceTemplate.RepoId"/>; the Hub's <c>template</c> field):
    /// the Space starts from its files, and <see cref="Files"/> go over them. <see cref="Sdk"/> must be the template's.
    /// </summary>
    public string? Template { get; init; }
    /// <summary>Succeed when the Space exists already (the 409's <c>url</c> is returned).</summary>
    public bool ExistOk { get; init; }
}

/// <summary>Options of <see cref="SpacesClient.DuplicateAsync"/>.</summary>
public sealed record SpaceDuplicateOptions
{
    public bool? Private { get; init; }
    public string? Hardware { get; init; }
    public long? SleepTimeSeconds { get; init; }
    public IReadOnlyList<SpaceSetting>? Secrets { get; init; }
    public IReadOnlyList<SpaceSetting>? Variables { get; init; }
    /// <summary>Volumes of the copy (checked by <see cref="SpaceVolume.Validate"/>); null or empty sends none.</summary>
    public IReadOnlyList<SpaceVolume>? Volumes { get; init; }
    public bool ExistOk { get; init; }
}

/// <summary>The answer to a create or duplicate: the Space's web URL and id.</summary>
public sealed record SpaceCreated(string Id, string Url);

/// <summary>Filters of <see cref="SpacesClient.ListAsync"/>.</summary>
public sealed record SpaceListOptions
{
    public string? Author { get; init; }
    public string? Search { get; init; }
    /// <summary>Ask for each Space's runtime (stage, hardware) and host; true by default.</summary>
    public bool WithRuntime { get; init; } = true;
    /// <summary>Stop after this many Spaces; null lists all.</summary>
    public int? Limit { get; init; }
    /// <summary><c>lastModified</c>, <c>likes</c>, <c>createdAt</c>, <c>trendingScore</c>.</summary>
    public string? Sort { get; init; }
}

/// <summary>Options of <see cref="SpacesClient.WaitAsync"/>.</summary>
public sealed record SpaceWaitOptions
{
    /// <summary>Give up after this long (a <see cref="TimeoutException"/>); default 5 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How often to poll <c>/runtime</c>; default 1 s like the official client.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Called with each new stage seen.</summary>
    public Action<SpaceRuntime>? OnStage { get; init; }
}

/// <summary>The result of one Space of a bulk operation.</summary>
public sealed record SpaceBulkResult(string Id, SpaceRuntime? Runtime, Exception? Error)
{
    public bool Succeeded => Error is null;
}
