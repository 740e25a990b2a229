using System.Text.Json;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Services;

internal sealed record DiscussionAuthorBody(string Name);

/// <summary>A comment's text as <c>deserialize_event</c> reads it (<c>data.latest.raw</c>).</summary>
internal sealed record CommentLatestBody(string Raw, string Html, string UpdatedAt, DiscussionAuthorBody Author);

internal sealed record CommentDataBody(bool Edited, bool Hidden, CommentLatestBody Latest, int NumEdits);

internal sealed record StatusDataBody(string Status);

internal sealed record TitleDataBody(string From, string To);

internal sealed record CommitDataBody(string Subject, string Oid);

/// <summary>
/// Discussions and pull requests as the Hub keeps them: shared numbers with <c>refs/pr/N</c>, a
/// timeline of comments, status and title changes and commits, and the merge of a pull request into
/// its base branch. Rules where the sources are silent (chosen, written down in the README):
/// <c>create_pull_request</c> opens a <c>draft</c> whose first commit makes it <c>open</c>; a pull
/// request from <c>create_commit(create_pr=True)</c> is <c>open</c> at once; only an open pull request
/// merges; a file changed both on the base branch and in the pull request since it was opened is a
/// conflict (409, listed in <c>filesWithConflicts</c>); the merge commit's title is the pull request's.
/// </summary>
internal sealed class DiscussionService(HubState state)
{
    /// <summary>The next free number, past every discussion and every <c>refs/pr/N</c>.</summary>
    public int NextNumber(string repoId) =>
        Math.Max(state.Git.NextPullRequestNumber(repoId) - 1, state.Discussions.MaxNumber(repoId)) + 1;

    /// <summary>Records the pull request a <c>create_pr</c> commit opened on <c>refs/pr/{num}</c>.</summary>
    public void OpenedByCommit(Repo repo, int num, string author, string title, string description, string baseRef, string baseCommit, string commitOid)
    {
        state.Discussions.Create(repo.Id, num, title, "open", isPullRequest: true, author, baseRef, baseCommit);
        Comment(repo.Id, num, author, description);
        state.Discussions.AddEvent(repo.Id, num, "commit", author, Serialize(new CommitDataBody(title, commitOid), LocalHubJsonContext.Default.CommitDataBody));
    }

    /// <summary>A commit pushed to <c>refs/pr/{num}</c>: on the timeline, and a draft becomes open.</summary>
    public void Pushed(Repo repo, int num, string author, string title, string commitOid)
    {
        if (state.Discussions.Find(repo.Id, num) is not { IsPullRequest: true } pr)
        {
            return;
        }
        state.Discussions.AddEvent(repo.Id, num, "commit", author, Serialize(new CommitDataBody(title, commitOid), LocalHubJsonContext.Default.CommitDataBody));
        if (pr.Status == "draft")
        {
            SetStatus(repo.Id, num, author, "open");
        }
    }

    public Discussion Create(Repo repo, string author, string title, string description, bool pullRequest)
    {
        var num = NextNumber(repo.Id);
        string? baseRef = null, baseCommit = null;
        if (pullRequest)
        {
            baseRef = "refs/heads/" + GitStore.DefaultBranch;
            baseCommit = state.Git.GetRef(repo.Id, baseRef)?.Target;
            if (baseCommit is not null)
            {
                state.Git.CreateRef(repo.Id, $"refs/pr/{num}", baseCommit);
            }
        }
        var created = state.Discussions.Create(repo.Id, num, title, pullRequest ? "draft" : "open", pullRequest, author, baseRef, baseCommit);
        Comment(repo.Id, num, author, description);
        return created;
    }

    public DiscussionEvent Comment(string repoId, int num, string author, string text) =>
        state.Discussions.AddEvent(repoId, num, "comment", author, Serialize(CommentData(author, text, edited: false, hidden: false, edits: 0), LocalHubJsonContext.Default.CommentDataBody));

    public DiscussionEvent SetStatus(string repoId, int num, string author, string status, string? mergeCommit = null)
    {
        state.Discussions.SetStatus(repoId, num, status, mergeCommit);
        return state.Discussions.AddEvent(repoId, num, "status-change", author, Serialize(new StatusDataBody(status), LocalHubJsonContext.Default.StatusDataBody));
    }

    public DiscussionEvent Rename(Discussion discussion, string author, string title)
    {
        ArgumentNullException.ThrowIfNull(discussion);
        state.Discussions.SetTitle(discussion.RepoId, discussion.Num, title);
        return state.Discussions.AddEvent(discussion.RepoId, discussion.Num, "title-change", author,
            Serialize(new TitleDataBody(discussion.Title, title), LocalHubJsonContext.Default.TitleDataBody));
    }

    /// <summary>Rewrites a comment's text or hides it; the event keeps its id.</summary>
    public DiscussionEvent UpdateComment(DiscussionEvent comment, string author, string? text, bool hide)
    {
        ArgumentNullException.ThrowIfNull(comment);
        var data = JsonSerializer.Deserialize(comment.Data, LocalHubJsonContext.Default.CommentDataBody)!;
        var updated = hide
            ? data with { Hidden = true }
            : CommentData(data.Latest.Author.Name, text ?? "", edited: true, hidden: data.Hidden, edits: data.NumEdits + 1);
        var json = Serialize(updated, LocalHubJsonContext.Default.CommentDataBody);
        state.Discussions.UpdateEventData(comment.Id, json);
        return comment with { Data = json };
    }

    /// <summary>The files changed both on the base branch and in the pull request since it was opened.</summary>
    public IReadOnlyList<string> Conflicts(Discussion pr)
    {
        ArgumentNullException.ThrowIfNull(pr);
        return Plan(pr) is { } plan ? plan.Conflicts : [];
    }

    /// <summary>Merges an open pull request into its base branch, under the repo's commit lock.</summary>
    public async Task<HubResult<string>> MergeAsync(Repo repo, Discussion pr, string author, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(pr);
        if (!pr.IsPullRequest)
        {
            return HubError.BadRequest("Only pull requests can be merged");
        }
        if (pr.Status != "open")
        {
            return HubError.BadRequest($"Cannot merge a pull request that is {pr.Status}");
        }
        var gate = state.Git.LockFor(repo.Id);
        if (!await gate.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false))
        {
            return new HubError(StatusCodes.Status409Conflict, "Another commit operation is in progress for this repository. Please try again later.");
        }
        try
        {
            if (Plan(pr) is not { } plan)
            {
                return HubError.BadRequest("The pull request's base branch no longer exists");
            }
            if (plan.Conflicts.Count > 0)
            {
                return new HubError(StatusCodes.Status409Conflict, $"Merge conflict in {string.Join(", ", plan.Conflicts)}");
            }
            var merged = state.Git.Commit(repo.Id, pr.BaseRef!, plan.BaseHead, plan.BaseHead, plan.Files, author, pr.Title, $"Merge of refs/pr/{pr.Num}");
            state.Repos.Touch(repo);
            SetStatus(repo.Id, pr.Num, author, "merged", merged.Oid);
            if (repo.Type == "space" && state.SpaceHooks is { } hooks)
            {
                hooks.OnCommitted(repo, pr.BaseRef!["refs/heads/".Length..], merged.Oid, plan.Changed);
            }
            return merged.Oid;
        }
        finally
        {
            gate.Release();
        }
    }

    private sealed record MergePlan(string BaseHead, List<GitFile> Files, List<string> Changed, List<string> Conflicts);

    /// <summary>
    /// The base branch's files with the pull request's changes (against the commit it was opened on)
    /// applied, and the paths that changed on both sides differently; null when a ref is gone.
    /// </summary>
    private MergePlan? Plan(Discussion pr)
    {
        if (pr.BaseRef is null || pr.BaseCommit is null || state.Git.GetRef(pr.RepoId, pr.BaseRef)?.Target is not { } baseHead
            || state.Git.GetRef(pr.RepoId, $"refs/pr/{pr.Num}")?.Target is not { } prHead)
        {
            return null;
        }
        var origin = state.Git.Files(pr.RepoId, pr.BaseCommit);
        var proposed = state.Git.Files(pr.RepoId, prHead);
        var current = state.Git.Files(pr.RepoId, baseHead);
        string? Oid(Dictionary<string, GitEntry> files, string path) => files.TryGetValue(path, out var e) ? e.Oid : null;
        var changed = origin.Keys.Union(proposed.Keys, StringComparer.Ordinal).Where(p => Oid(origin, p) != Oid(proposed, p)).Order(StringComparer.Ordinal).ToList();
        var conflicts = changed.Where(p => Oid(current, p) != Oid(origin, p) && Oid(current, p) != Oid(proposed, p)).ToList();
        var result = current.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var path in changed)
        {
            if (proposed.TryGetValue(path, out var entry))
            {
                result[path] = entry;
            }
            else
            {
                result.Remove(path);
            }
        }
        var files = result.Values.Select(e => new GitFile(e.Path, e.Oid, e.Size, e.Sha256!, e.Lfs)).ToList();
        return new MergePlan(baseHead, files, changed, conflicts);
    }

    private CommentDataBody CommentData(string author, string text, bool edited, bool hidden, int edits) =>
        new(edited, hidden, new CommentLatestBody(text, System.Net.WebUtility.HtmlEncode(text), state.Now(), new DiscussionAuthorBody(author)), edits);

    private static string Serialize<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) => JsonSerializer.Serialize(value, info);
}
