using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using HfHub.Http;

namespace HfHub.Repos;

/// <summary>
/// Repositories of all three types: create, delete, describe, list, settings, refs and branches.
/// Reached as <c>client.Repos</c>.
/// </summary>
public sealed class RepoClient
{
    private readonly HubPipeline _pipeline;

    internal RepoClient(HubPipeline pipeline) => _pipeline = pipeline;

    /// <summary>
    /// Creates a repo (<c>POST /api/repos/create</c>). When it exists already the Hub answers 409:
    /// with <see cref="CreateRepoOptions.ExistOk"/> that returns the existing repo's URL, otherwise
    /// it throws <see cref="HubConflictException"/>.
    /// </summary>
    public async Task<RepoUrl> CreateAsync(RepoId repo, CreateRepoOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        options ??= new CreateRepoOptions();
        var body = new CreateRepoRequest(
            repo.Name,
            repo.Namespace,
            options.Type == RepoType.Model ? null : options.Type.Name(),
            options.Private,
            options.Type == RepoType.Space ? options.SpaceSdk ?? "gradio" : null);
        using var request = _pipeline.Request(HttpMethod.Post, "api/repos/create");
        request.Content = JsonContent.Create(body, RepoJsonContext.Default.CreateRepoRequest);
        using var response = await _pipeline.SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict && options.ExistOk)
        {
            var existing = await TryReadAsync(response, cancellationToken).ConfigureAwait(false);
            return new RepoUrl(existing?.Url ?? WebUrl(repo, options.Type), repo, options.Type, Created: false);
        }
        if (!response.IsSuccessStatusCode)
        {
            throw await HubErrorReader.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }
        var created = await TryReadAsync(response, cancellationToken).ConfigureAwait(false);
        return new RepoUrl(created?.Url ?? WebUrl(repo, options.Type), repo, options.Type, Created: true);
    }

    /// <summary>
    /// Deletes a repo (<c>DELETE /api/repos/delete</c>). Returns false when it did not exist and
    /// <paramref name="missingOk"/> is true; otherwise a missing repo throws <see cref="HubNotFoundException"/>.
    /// </summary>
    public async Task<bool> DeleteAsync(RepoId repo, RepoType type = RepoType.Model, bool missingOk = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        using var request = _pipeline.Request(HttpMethod.Delete, "api/repos/delete");
        request.Content = JsonContent.Create(new DeleteRepoRequest(repo.Name, repo.Namespace, type.Name()), RepoJsonContext.Default.DeleteRepoRequest);
        request.Options.Set(RetryHandler.Retryable, true);
        try
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HubNotFoundException) when (missingOk)
        {
            return false;
        }
    }

    /// <summary>
    /// Describes a repo at a revision (default: its default branch). <paramref name="expand"/> asks
    /// for extra fields; <paramref name="blobs"/> adds sizes and ids to <see cref="RepoInfo.Siblings"/>.
    /// </summary>
    public async Task<RepoInfo> GetInfoAsync(RepoId repo, RepoType type = RepoType.Model, string? revision = null, bool blobs = false, IEnumerable<string>? expand = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var path = new StringBuilder($"api/{type.ApiSegment()}/{repo}");
        if (revision is not null)
        {
            path.Append("/revision/").Append(Uri.EscapeDataString(revision));
        }
        var query = new QueryBuilder();
        if (blobs)
        {
            query.Add("blobs", "true");
        }
        foreach (var field in expand ?? [])
        {
            query.Add("expand", field);
        }
        var info = await _pipeline.GetJsonAsync(path + query.ToString(), RepoJsonContext.Default.RepoInfo, cancellationToken).ConfigureAwait(false);
        return info with { Type = type };
    }

    /// <summary>True when the repo exists and is visible to the caller.</summary>
    public async Task<bool> ExistsAsync(RepoId repo, RepoType type = RepoType.Model, CancellationToken cancellationToken = default)
    {
        try
        {
            await GetInfoAsync(repo, type, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HubNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Lists repos of one type (<c>GET /api/{type}s</c>), page by page following <c>Link</c>.
    /// Stops after <paramref name="limit"/> items when given.
    /// </summary>
    public async IAsyncEnumerable<RepoInfo> ListAsync(RepoType type = RepoType.Model, string? author = null, string? search = null, int? limit = null, IEnumerable<string>? expand = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder();
        query.Add("author", author);
        query.Add("search", search);
        // The page size the Hub uses for listings; the limit itself is applied here.
        query.Add("limit", Math.Min(limit ?? 1000, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var field in expand ?? [])
        {
            query.Add("expand", field);
        }
        var count = 0;
        await foreach (var item in _pipeline.GetPagedAsync($"api/{type.ApiSegment()}{query}", RepoJsonContext.Default.ListRepoInfo, cancellationToken).ConfigureAwait(false))
        {
            if (limit is { } max && count >= max)
            {
                yield break;
            }
            count++;
            yield return item with { Type = type };
        }
    }

    /// <summary>Changes a repo's visibility (<c>PUT /api/{type}s/{id}/settings</c>).</summary>
    public async Task UpdateSettingsAsync(RepoId repo, RepoType type = RepoType.Model, bool? isPrivate = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        using var request = _pipeline.Request(HttpMethod.Put, $"api/{type.ApiSegment()}/{repo}/settings");
        request.Content = JsonContent.Create(new RepoSettingsRequest(isPrivate), RepoJsonContext.Default.RepoSettingsRequest);
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The repo's branches and tags (<c>GET /api/{type}s/{id}/refs</c>).</summary>
    public Task<GitRefs> ListRefsAsync(RepoId repo, RepoType type = RepoType.Model, bool includePullRequests = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        return _pipeline.GetJsonAsync($"api/{type.ApiSegment()}/{repo}/refs{(includePullRequests ? "?include_prs=1" : "")}", RepoJsonContext.Default.GitRefs, cancellationToken);
    }

    /// <summary>Creates a branch from <paramref name="startingPoint"/> (default: the default branch's head).</summary>
    public async Task CreateBranchAsync(RepoId repo, string branch, RepoType type = RepoType.Model, string? startingPoint = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentException.ThrowIfNullOrEmpty(branch);
        using var request = _pipeline.Request(HttpMethod.Post, $"api/{type.ApiSegment()}/{repo}/branch/{Uri.EscapeDataString(branch)}");
        request.Content = JsonContent.Create(new CreateBranchRequest(startingPoint), RepoJsonContext.Default.CreateBranchRequest);
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a branch.</summary>
    public async Task DeleteBranchAsync(RepoId repo, string branch, RepoType type = RepoType.Model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentException.ThrowIfNullOrEmpty(branch);
        using var request = _pipeline.Request(HttpMethod.Delete, $"api/{type.ApiSegment()}/{repo}/branch/{Uri.EscapeDataString(branch)}");
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The repo's web URL on this Hub.</summary>
    public string WebUrl(RepoId repo, RepoType type)
    {
        ArgumentNullException.ThrowIfNull(repo);
        return _pipeline.Url($"{type.UrlPrefix()}{repo}").ToString();
    }

    private static async Task<CreateRepoResponse?> TryReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(RepoJsonContext.Default.CreateRepoResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>Builds <c>?a=b&amp;c=d</c> with every value percent-encoded; null values are skipped.</summary>
internal sealed class QueryBuilder
{
    private readonly StringBuilder _query = new();

    public void Add(string name, string? value)
    {
        if (value is null)
        {
            return;
        }
        _query.Append(_query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }

    public override string ToString() => _query.ToString();
}
