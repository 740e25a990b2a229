using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using HfHub.Http;
using HfHub.Repos;

namespace HfHub.Files;

/// <summary>
/// Files in repositories: commits (with LFS basic and multipart uploads), folder uploads,
/// downloads into the cache shared with the Python client, trees, history and paths info.
/// Reached as <c>client.Files</c>.
/// </summary>
public sealed partial class FilesClient
{
    private const int PathsInfoBatch = 500;
    private readonly HubPipeline _pipeline;
    private readonly RepoClient _repos;
    private readonly HubClientOptions _options;

    internal FilesClient(HubPipeline pipeline, RepoClient repos, HubClientOptions options)
    {
        _pipeline = pipeline;
        _repos = repos;
        _options = options;
    }

    /// <summary>
    /// Lists a repo's files and folders (<c>GET …/tree/{rev}[/{path}]</c>), following pagination.
    /// </summary>
    public IAsyncEnumerable<RepoTreeEntry> ListTreeAsync(RepoId repo, RepoType type = RepoType.Model, string? revision = null, string? path = null, bool recursive = true, bool expand = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var url = $"api/{type.ApiSegment()}/{repo}/tree/{Rev(revision)}";
        if (!string.IsNullOrEmpty(path))
        {
            url += "/" + EncodePath(path.Trim('/'));
        }
        url += $"?recursive={(recursive ? "true" : "false")}&expand={(expand ? "true" : "false")}";
        return _pipeline.GetPagedAsync(url, FilesJsonContext.Default.ListRepoTreeEntry, cancellationToken);
    }

    /// <summary>Lists commits, newest first (<c>GET …/commits/{rev}</c>).</summary>
    public async IAsyncEnumerable<CommitInfo> ListCommitsAsync(RepoId repo, RepoType type = RepoType.Model, string? revision = null, int? limit = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var count = 0;
        var pageSize = Math.Min(limit ?? 100, 100);
        await foreach (var commit in _pipeline.GetPagedAsync($"api/{type.ApiSegment()}/{repo}/commits/{Rev(revision)}?limit={pageSize}", FilesJsonContext.Default.ListCommitInfo, cancellationToken).ConfigureAwait(false))
        {
            if (limit is { } max && count >= max)
            {
                yield break;
            }
            count++;
            yield return commit;
        }
    }

    /// <summary>
    /// Replaces a branch's history with one commit holding its current files
    /// (<c>POST /api/{type}s/{repo}/super-squash/{branch}</c>, as <c>HfApi.super_squash_history</c>).
    /// Irreversible: the earlier commits are no longer reachable from the branch, and on Xet or LFS
    /// storage the objects only they referenced can be reclaimed by the Hub.
    /// </summary>
    public async Task SuperSquashAsync(RepoId repo, string branch, string message, RepoType type = RepoType.Model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentException.ThrowIfNullOrEmpty(branch);
        ArgumentNullException.ThrowIfNull(message);
        using var request = _pipeline.Request(HttpMethod.Post, $"api/{type.ApiSegment()}/{repo}/super-squash/{Uri.EscapeDataString(branch)}");
        request.Content = JsonContent.Create(new SuperSquashRequest(message), FilesJsonContext.Default.SuperSquashRequest);
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Describes the given paths at a revision (<c>POST …/paths-info/{rev}</c>, in batches of 500).
    /// Missing paths are left out of the answer.
    /// </summary>
    public async Task<IReadOnlyList<RepoTreeEntry>> GetPathsInfoAsync(RepoId repo, IEnumerable<string> paths, RepoType type = RepoType.Model, string? revision = null, bool expand = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(paths);
        var all = paths.ToList();
        var result = new List<RepoTreeEntry>(all.Count);
        foreach (var batch in all.Chunk(PathsInfoBatch))
        {
            using var request = _pipeline.Request(HttpMethod.Post, $"api/{type.ApiSegment()}/{repo}/paths-info/{Rev(revision)}");
            request.Content = JsonContent.Create(new PathsInfoRequest(batch, expand), FilesJsonContext.Default.PathsInfoRequest);
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            request.Options.Set(RetryHandler.Retryable, true);
            using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            result.AddRange(await HubPipeline.ReadJsonAsync(response, FilesJsonContext.Default.ListRepoTreeEntry, cancellationToken).ConfigureAwait(false));
        }
        return result;
    }

    /// <summary>The URL of a file's bytes: <c>{endpoint}/{prefix}{repo}/resolve/{rev}/{path}</c>.</summary>
    public Uri ResolveUrl(RepoId repo, string pathInRepo, RepoType type = RepoType.Model, string? revision = null)
    {
        ArgumentNullException.ThrowIfNull(repo);
        return _pipeline.Url($"{type.UrlPrefix()}{repo}/resolve/{Rev(revision)}/{EncodePath(pathInRepo)}");
    }

    /// <summary>The revision as it goes into a path: percent-encoded with no safe characters (<c>refs/pr/1</c> → <c>refs%2Fpr%2F1</c>).</summary>
    internal static string Rev(string? revision) => Uri.EscapeDataString(string.IsNullOrEmpty(revision) ? "main" : revision);

    /// <summary>A repo path for a URL: each segment encoded, '/' kept.</summary>
    internal static string EncodePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}
