using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using HfHub.Http;
using HfHub.Repos;

namespace HfHub.Spaces;

/// <summary>
/// Spaces management (<c>client.Spaces</c>): listing with runtime and app URL, info, lifecycle
/// (restart, pause, wake up, wait), hardware and sleep time, secrets and variables, logs, create,
/// duplicate, delete, volumes (<c>SpacesClient.Volumes.cs</c>), and bulk operations with bounded concurrency. Secret values are sent in
/// request bodies only; they never appear in URLs, traces or exceptions.
/// </summary>
public sealed partial class SpacesClient
{
    private readonly HubPipeline _pipeline;

    internal SpacesClient(HubPipeline pipeline) => _pipeline = pipeline;

    /// <summary>How long a non-following log read waits for more lines before it decides the buffer is drained.</summary>
    public TimeSpan LogDrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    // ---- listing and info --------------------------------------------------------------------

    /// <summary>Lists Spaces (<c>GET /api/spaces</c>), page by page, with runtime and host when asked.</summary>
    public async IAsyncEnumerable<SpaceInfo> ListAsync(SpaceListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new SpaceListOptions();
        var query = new List<string>();
        Add(query, "author", options.Author);
        Add(query, "search", options.Search);
        Add(query, "sort", options.Sort);
        if (options.Limit is { } limit)
        {
            Add(query, "limit", Math.Min(limit, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var fields = options.WithRuntime
            ? new[] { "author", "sdk", "likes", "private", "lastModified", "createdAt", "subdomain", "host", "runtime" }
            : ["author", "sdk", "likes", "private", "lastModified", "createdAt", "subdomain"];
        query.AddRange(fields.Select(f => "expand=" + f));
        var count = 0;
        await foreach (var space in _pipeline.GetPagedAsync("api/spaces?" + string.Join('&', query), SpacesJsonContext.Default.ListSpaceInfo, cancellationToken).ConfigureAwait(false))
        {
            yield return space;
            if (options.Limit is { } max && ++count >= max)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// Searches Spaces by meaning (<c>GET /api/spaces/semantic-search</c>, as <c>hf spaces search</c>): the
    /// Hub ranks multi-word queries by embeddings and single words by full text, best match first.
    /// </summary>
    public async Task<IReadOnlyList<SpaceSearchResult>> SearchAsync(string query, SpaceSearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        options ??= new SpaceSearchOptions();
        var parameters = new List<string>();
        Add(parameters, "q", query.Trim());
        options.Sdks.ToList().ForEach(sdk => Add(parameters, "sdk", sdk));
        options.Filters.ToList().ForEach(tag => Add(parameters, "filter", tag));
        if (options.IncludeNonRunning)
        {
            parameters.Add("includeNonRunning=true");
        }
        return await _pipeline.GetJsonAsync("api/spaces/semantic-search?" + string.Join('&', parameters), SpacesJsonContext.Default.ListSpaceSearchResult, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The official Space templates (<c>GET /api/spaces/templates</c>), as the Hub orders them.</summary>
    public async Task<IReadOnlyList<SpaceTemplate>> ListTemplatesAsync(CancellationToken cancellationToken = default)
    {
        var list = await _pipeline.GetJsonAsync("api/spaces/templates", SpacesJsonContext.Default.SpaceTemplateList, cancellationToken).ConfigureAwait(false);
        return list.Templates ?? [];
    }

    /// <summary>
    /// The template a user names, by repo id (exactly) or short name (any case), as <c>huggingface_hub</c>'s
    /// <c>create_repo(space_template=…)</c> resolves it; null when no template has that name.
    /// </summary>
    public async Task<SpaceTemplate?> FindTemplateAsync(string nameOrRepoId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrRepoId);
        var all = await ListTemplatesAsync(cancellationToken).ConfigureAwait(false);
        return all.FirstOrDefault(t => t.RepoId == nameOrRepoId) ?? all.FirstOrDefault(t => string.Equals(t.Name, nameOrRepoId, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A Space's info with its runtime and app host (<c>GET /api/spaces/{id}</c>).</summary>
    public async Task<SpaceInfo> GetAsync(string spaceId, CancellationToken cancellationToken = default)
    {
        var id = Id(spaceId);
        var info = await _pipeline.GetJsonAsync($"api/spaces/{id}", SpacesJsonContext.Default.SpaceInfo, cancellationToken).ConfigureAwait(false);
        if (info.Runtime is null)
        {
            info = info with { Runtime = await GetRuntimeAsync(id, cancellationToken).ConfigureAwait(false) };
        }
        return info;
    }

    /// <summary>The runtime: stage, hardware, sleep time (<c>GET /api/spaces/{id}/runtime</c>).</summary>
    public Task<SpaceRuntime> GetRuntimeAsync(string spaceId, CancellationToken cancellationToken = default) =>
        _pipeline.GetJsonAsync($"api/spaces/{Id(spaceId)}/runtime", SpacesJsonContext.Default.SpaceRuntime, cancellationToken);

    // ---- lifecycle ---------------------------------------------------------------------------

    /// <summary>Restarts (rebuilds) a Space from any stage, PAUSED included; <paramref name="factoryReboot"/> rebuilds without cache.</summary>
    public Task<SpaceRuntime> RestartAsync(string spaceId, bool factoryReboot = false, CancellationToken cancellationToken = default) =>
        PostRuntimeAsync($"api/spaces/{Id(spaceId)}/restart" + (factoryReboot ? "?factory=true" : ""), null, false, cancellationToken);

    /// <summary>Pauses a Space: it stays PAUSED (and free) until its owner restarts it.</summary>
    public Task<SpaceRuntime> PauseAsync(string spaceId, CancellationToken cancellationToken = default) =>
        PostRuntimeAsync($"api/spaces/{Id(spaceId)}/pause", null, false, cancellationToken);

    /// <summary>
    /// Wakes a Space up: restarts it when PAUSED (or failed), requests its app host when SLEEPING
    /// (a visit wakes it), then, unless <paramref name="wait"/> is null, waits for a final stage.
    /// </summary>
    public async Task<SpaceRuntime> WakeUpAsync(string spaceId, SpaceWaitOptions? wait = null, CancellationToken cancellationToken = default)
    {
        var id = Id(spaceId);
        var info = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        var runtime = info.Runtime!;
        if (runtime.Stage is SpaceStage.Sleeping or SpaceStage.Stopped)
        {
            await VisitAsync(info.AppUrl, cancellationToken).ConfigureAwait(false);
            runtime = await GetRuntimeAsync(id, cancellationToken).ConfigureAwait(false);
        }
        else if (runtime.Stage is SpaceStage.Paused || SpaceStage.IsError(runtime.Stage) && runtime.Stage != SpaceStage.NoAppFile)
        {
            runtime = await RestartAsync(id, false, cancellationToken).ConfigureAwait(false);
        }
        return wait is null ? runtime : await WaitAsync(id, wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Polls the runtime until the stage is final (not BUILDING, APP_STARTING…); calls
    /// <see cref="SpaceWaitOptions.OnStage"/> for each new stage; throws <see cref="TimeoutException"/>
    /// after <see cref="SpaceWaitOptions.Timeout"/>.
    /// </summary>
    public async Task<SpaceRuntime> WaitAsync(string spaceId, SpaceWaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SpaceWaitOptions();
        var id = Id(spaceId);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        string? last = null;
        try
        {
            while (true)
            {
                var runtime = await GetRuntimeAsync(id, deadline.Token).ConfigureAwait(false);
                if (runtime.Stage != last)
                {
                    last = runtime.Stage;
                    options.OnStage?.Invoke(runtime);
                }
                if (!SpaceStage.IsIntermediate(runtime.Stage))
                {
                    return runtime;
                }
                await Task.Delay(options.PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{id} is still {last ?? "not reporting a stage"} after {Describe(options.Timeout)}");
        }
        catch (HubConnectionException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{id} is still {last ?? "not reporting a stage"} after {Describe(options.Timeout)}");
        }
    }

    // ---- hardware and sleep --------------------------------------------------------------------

    /// <summary>The current and requested hardware.</summary>
    public async Task<SpaceHardware> GetHardwareAsync(string spaceId, CancellationToken cancellationToken = default) =>
        (await GetRuntimeAsync(spaceId, cancellationToken).ConfigureAwait(false)).Hardware;

    /// <summary>Requests a hardware flavor (the Space rebuilds on it); optionally sets the sleep time too.</summary>
    public Task<SpaceRuntime> RequestHardwareAsync(string spaceId, string flavor, long? sleepTimeSeconds = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(flavor);
        return PostRuntimeAsync($"api/spaces/{Id(spaceId)}/hardware", w =>
        {
            w.WriteString("flavor", flavor);
            if (sleepTimeSeconds is { } s)
            {
                w.WriteNumber("sleepTimeSeconds", s);
            }
        }, true, cancellationToken);
    }

    /// <summary>The hardware flavors the Hub offers (<c>GET /api/spaces/hardware</c>).</summary>
    public async Task<IReadOnlyList<SpaceHardwareFlavor>> ListHardwareAsync(CancellationToken cancellationToken = default) =>
        await _pipeline.GetJsonAsync("api/spaces/hardware", SpacesJsonContext.Default.ListSpaceHardwareFlavor, cancellationToken).ConfigureAwait(false);

    /// <summary>Sets how long the Space may idle before it sleeps, in seconds; -1 = never.</summary>
    public Task<SpaceRuntime> SetSleepTimeAsync(string spaceId, long seconds, CancellationToken cancellationToken = default) =>
        PostRuntimeAsync($"api/spaces/{Id(spaceId)}/sleeptime", w => w.WriteNumber("seconds", seconds), true, cancellationToken);

    /// <summary>Turns dev mode on or off.</summary>
    public Task<SpaceRuntime> SetDevModeAsync(string spaceId, bool enabled, CancellationToken cancellationToken = default) =>
        PostRuntimeAsync($"api/spaces/{Id(spaceId)}/dev-mode", w => w.WriteBoolean("enabled", enabled), true, cancellationToken);

    // ---- secrets and variables ---------------------------------------------------------------

    /// <summary>Secret names with description and update time (values are write-only).</summary>
    public async Task<IReadOnlyList<SpaceSecret>> ListSecretsAsync(string spaceId, CancellationToken cancellationToken = default)
    {
        var map = await _pipeline.GetJsonAsync($"api/spaces/{Id(spaceId)}/secrets", SpacesJsonContext.Default.DictionaryStringSettingBody, cancellationToken).ConfigureAwait(false);
        return [.. map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new SpaceSecret(p.Key, p.Value.Description, p.Value.UpdatedAt))];
    }

    /// <summary>Adds or updates a secret. The value goes in the request body only.</summary>
    public async Task SetSecretAsync(string spaceId, string key, string value, string? description = null, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(value);
        using var response = await SendJsonAsync(HttpMethod.Post, $"api/spaces/{Id(spaceId)}/secrets", w => Setting(w, key, value, description), true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a secret (no error when it does not exist).</summary>
    public async Task DeleteSecretAsync(string spaceId, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        using var response = await SendJsonAsync(HttpMethod.Delete, $"api/spaces/{Id(spaceId)}/secrets", w => w.WriteString("key", key), true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Variables with their values.</summary>
    public async Task<IReadOnlyList<SpaceVariable>> ListVariablesAsync(string spaceId, CancellationToken cancellationToken = default)
    {
        var map = await _pipeline.GetJsonAsync($"api/spaces/{Id(spaceId)}/variables", SpacesJsonContext.Default.DictionaryStringSettingBody, cancellationToken).ConfigureAwait(false);
        return Variables(map);
    }

    /// <summary>Adds or updates a variable; returns all variables.</summary>
    public async Task<IReadOnlyList<SpaceVariable>> SetVariableAsync(string spaceId, string key, string value, string? description = null, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(value);
        using var response = await SendJsonAsync(HttpMethod.Post, $"api/spaces/{Id(spaceId)}/variables", w => Setting(w, key, value, description), true, cancellationToken).ConfigureAwait(false);
        return Variables(await HubPipeline.ReadJsonAsync(response, SpacesJsonContext.Default.DictionaryStringSettingBody, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Deletes a variable (no error when it does not exist); returns the remaining variables.</summary>
    public async Task<IReadOnlyList<SpaceVariable>> DeleteVariableAsync(string spaceId, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        using var response = await SendJsonAsync(HttpMethod.Delete, $"api/spaces/{Id(spaceId)}/variables", w => w.WriteString("key", key), true, cancellationToken).ConfigureAwait(false);
        return Variables(await HubPipeline.ReadJsonAsync(response, SpacesJsonContext.Default.DictionaryStringSettingBody, cancellationToken).ConfigureAwait(false));
    }

    // ---- logs --------------------------------------------------------------------------------

    /// <summary>
    /// Streams a Space's build or run log (SSE). Without <paramref name="follow"/> it returns the
    /// buffered lines (the last <paramref name="tail"/>) and stops once the stream goes quiet;
    /// with it, it keeps yielding new lines until the server closes the stream, reconnecting after
    /// network errors and skipping lines already yielded (the server replays the buffer).
    /// </summary>
    public async IAsyncEnumerable<SpaceLogLine> GetLogsAsync(
        string spaceId, SpaceLogKind kind = SpaceLogKind.Run, int? tail = null, bool follow = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (tail is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tail), "tail must be zero or more");
        }
        var path = $"api/spaces/{Id(spaceId)}/logs/{(kind == SpaceLogKind.Build ? "build" : "run")}";
        var url = tail is { } t ? $"{path}?tail={t}" : path;
        long yielded = 0;
        SpaceLogLine? last = null;
        TimeSpan? reconnectAfter = null;
        for (var attempt = 0; ; attempt++)
        {
            await using var reader = await SseReader.OpenAsync(_pipeline, url, cancellationToken).ConfigureAwait(false);
            long seen = 0;
            // After a reconnect the server replays its buffer: skip what was yielded already, by
            // position without tail (as the official client does), by matching the last line with it.
            var skipping = attempt > 0 && tail is not null && last is not null;
            var failed = false;
            while (true)
            {
                SseEvent? next;
                try
                {
                    next = await reader.ReadAsync(follow ? null : LogDrainTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (follow && !cancellationToken.IsCancellationRequested && (reconnectAfter = _pipeline.Retry.NextDelay(attempt, e)) is not null)
                {
                    failed = true;
                    break;
                }
                if (next is not { } item)
                {
                    yield break; // closed by the server, or quiet for too long without follow
                }
                if (item.Line is not { } line)
                {
                    // A keep-alive: the buffer has been replayed. Without follow that is the end.
                    if (!follow)
                    {
                        yield break;
                    }
                    skipping = false;
                    continue;
                }
                seen++;
                if (attempt > 0 && tail is null && seen <= yielded)
                {
                    continue;
                }
                if (skipping)
                {
                    if (line.Text == last!.Text && line.Timestamp == last.Timestamp)
                    {
                        skipping = false;
                    }
                    continue;
                }
                last = line with { Index = yielded };
                yielded++;
                yield return last;
            }
            if (!failed)
            {
                yield break;
            }
            // A stream that broke after its headers: reconnected with the pipeline's policy (budget, backoff).
            await Task.Delay(reconnectAfter!.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- create, duplicate, delete -------------------------------------------------------------

    /// <summary>Creates a Space (<c>POST /api/repos/create</c>) with its options and, optionally, files.</summary>
    public async Task<SpaceCreated> CreateAsync(string spaceId, SpaceCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var id = RepoId.Parse(spaceId);
        CheckVolumes(options.Volumes);
        var request = Body(HttpMethod.Post, "api/repos/create", w =>
        {
            w.WriteString("name", id.Name);
            if (id.Namespace is null)
            {
                w.WriteNull("organization");
            }
            else
            {
                w.WriteString("organization", id.Namespace);
            }
            w.WriteString("type", "space");
            w.WriteString("sdk", options.Sdk);
            w.WriteBoolean("private", options.Private);
            if (options.Hardware is not null)
            {
                w.WriteString("hardware", options.Hardware);
            }
            if (options.SleepTimeSeconds is { } sleep)
            {
                w.WriteNumber("sleepTimeSeconds", sleep);
            }
            Settings(w, "secrets", options.Secrets);
            Settings(w, "variables", options.Variables);
            WriteVolumes(w, options.Volumes);
            if (options.Template is not null)
            {
                w.WriteString("template", options.Template);
            }
            if (options.Files is { Count: > 0 } files)
            {
                w.WriteStartArray("files");
                foreach (var file in files)
                {
                    w.WriteStartObject();
                    w.WriteString("path", file.Path);
                    w.WriteString("content", Convert.ToBase64String(file.Content));
                    w.WriteString("encoding", "base64");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
        });
        return await CreatedAsync(request, id.ToString(), options.ExistOk, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Duplicates a Space (<c>POST /api/spaces/{from}/duplicate</c>); the copy starts in the source's state.</summary>
    public async Task<SpaceCreated> DuplicateAsync(string fromSpaceId, string toSpaceId, SpaceDuplicateOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SpaceDuplicateOptions();
        var to = Id(toSpaceId);
        CheckVolumes(options.Volumes);
        var request = Body(HttpMethod.Post, $"api/spaces/{Id(fromSpaceId)}/duplicate", w =>
        {
            w.WriteString("repository", to);
            if (options.Private is { } isPrivate)
            {
                w.WriteBoolean("private", isPrivate);
            }
            if (options.Hardware is not null)
            {
                w.WriteString("hardware", options.Hardware);
            }
            if (options.SleepTimeSeconds is { } sleep)
            {
                w.WriteNumber("sleepTimeSeconds", sleep);
            }
            Settings(w, "secrets", options.Secrets);
            Settings(w, "variables", options.Variables);
            WriteVolumes(w, options.Volumes);
        });
        return await CreatedAsync(request, to, options.ExistOk, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a Space (<c>DELETE /api/repos/delete</c>); with <paramref name="missingOk"/> a missing one is fine.</summary>
    public async Task DeleteAsync(string spaceId, bool missingOk = false, CancellationToken cancellationToken = default)
    {
        var id = RepoId.Parse(Id(spaceId));
        try
        {
            using var response = await SendJsonAsync(HttpMethod.Delete, "api/repos/delete", w =>
            {
                w.WriteString("name", id.Name);
                w.WriteString("organization", id.Namespace);
                w.WriteString("type", "space");
            }, false, cancellationToken).ConfigureAwait(false);
        }
        catch (HubNotFoundException) when (missingOk)
        {
        }
    }

    // ---- bulk --------------------------------------------------------------------------------

    /// <summary>
    /// Runs one operation over many Spaces with at most <paramref name="maxConcurrency"/> at once;
    /// one Space's failure does not stop the others. Results come back in input order.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Part of the sub-client's instance API.")]
    public async Task<IReadOnlyList<SpaceBulkResult>> ForEachAsync(
        IEnumerable<string> spaceIds, Func<string, CancellationToken, Task<SpaceRuntime>> operation, int maxConcurrency = 4,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spaceIds);
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        var ids = spaceIds.ToList();
        var results = new SpaceBulkResult[ids.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                try
                {
                    results[i] = new SpaceBulkResult(ids[i], await operation(ids[i], ct).ConfigureAwait(false), null);
                }
                catch (Exception e) when (e is HubException or TimeoutException or ArgumentException)
                {
                    results[i] = new SpaceBulkResult(ids[i], null, e);
                }
            }).ConfigureAwait(false);
        return results;
    }

    /// <summary>Restarts every Space of <paramref name="author"/> in <paramref name="stage"/> (e.g. RUNTIME_ERROR).</summary>
    public async Task<IReadOnlyList<SpaceBulkResult>> RestartWhereAsync(
        string author, string stage, bool factoryReboot = false, int maxConcurrency = 4, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(author);
        var ids = new List<string>();
        await foreach (var space in ListAsync(new SpaceListOptions { Author = author }, cancellationToken).ConfigureAwait(false))
        {
            if (space.Runtime?.Stage == stage)
            {
                ids.Add(space.Id);
            }
        }
        return await ForEachAsync(ids, (id, ct) => RestartAsync(id, factoryReboot, ct), maxConcurrency, cancellationToken).ConfigureAwait(false);
    }

    // ---- plumbing ----------------------------------------------------------------------------

    /// <summary>Requests a Space's app URL (a visit wakes a sleeping Space); any HTTP answer is fine.</summary>
    private async Task VisitAsync(string appUrl, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, appUrl);
        using var response = await _pipeline.SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SpaceCreated> CreatedAsync(HttpRequestMessage request, string id, bool existOk, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await _pipeline.SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode || (existOk && response.StatusCode == HttpStatusCode.Conflict))
            {
                var body = await HubPipeline.ReadJsonAsync(response, SpacesJsonContext.Default.CreatedBody, cancellationToken).ConfigureAwait(false);
                return new SpaceCreated(body.Name ?? id, body.Url ?? "");
            }
            throw await HubErrorReader.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SpaceRuntime> PostRuntimeAsync(string path, Action<Utf8JsonWriter>? body, bool retryable, CancellationToken cancellationToken)
    {
        using var response = await SendJsonAsync(HttpMethod.Post, path, body, retryable, cancellationToken).ConfigureAwait(false);
        return await HubPipeline.ReadJsonAsync(response, SpacesJsonContext.Default.SpaceRuntime, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string path, Action<Utf8JsonWriter>? body, bool retryable, CancellationToken cancellationToken)
    {
        using var request = body is null ? _pipeline.Request(method, path) : Body(method, path, body);
        request.Headers.Accept.ParseAdd("application/json");
        if (retryable)
        {
            request.Options.Set(RetryHandler.Retryable, true);
        }
        return await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private HttpRequestMessage Body(HttpMethod method, string path, Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        var request = _pipeline.Request(method, path);
        request.Content = new ByteArrayContent(buffer.ToArray());
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return request;
    }

    private static void Setting(Utf8JsonWriter w, string key, string value, string? description)
    {
        w.WriteString("key", key);
        w.WriteString("value", value);
        if (description is not null)
        {
            w.WriteString("description", description);
        }
    }

    private static void Settings(Utf8JsonWriter w, string name, IReadOnlyList<SpaceSetting>? settings)
    {
        if (settings is not { Count: > 0 })
        {
            return;
        }
        w.WriteStartArray(name);
        foreach (var setting in settings)
        {
            CheckKey(setting.Key);
            w.WriteStartObject();
            Setting(w, setting.Key, setting.Value, setting.Description);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>The Hub's key rule for secrets and variables: <c>^[a-zA-Z][_a-zA-Z0-9]*$</c>.</summary>
    public static bool IsValidKey(string? key) =>
        !string.IsNullOrEmpty(key) && char.IsAsciiLetter(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static void CheckKey(string key)
    {
        if (!IsValidKey(key))
        {
            throw new ArgumentException($"invalid key '{key}': it must start with a letter and contain only letters, digits and '_'");
        }
    }

    private static List<SpaceVariable> Variables(Dictionary<string, SettingBody> map) =>
        [.. map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new SpaceVariable(p.Key, p.Value.Value ?? "", p.Value.Description, p.Value.UpdatedAt))];

    /// <summary>Validates a Space id and returns it as <c>namespace/name</c>.</summary>
    private static string Id(string spaceId)
    {
        var id = RepoId.Parse(spaceId);
        if (id.Namespace is null)
        {
            throw new ArgumentException($"invalid Space id '{spaceId}': use 'namespace/name'");
        }
        return id.ToString();
    }

    private static void Add(List<string> query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Add($"{name}={Uri.EscapeDataString(value)}");
        }
    }

    private static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0.#} s";
}

/// <summary>An entry of the secrets or variables map.</summary>
internal sealed record SettingBody(string? Value, string? Description, DateTimeOffset? UpdatedAt);

/// <summary>The create/duplicate answer (and a 409's body, which carries <c>url</c> too).</summary>
internal sealed record CreatedBody(string? Url, string? Name, string? Id);
