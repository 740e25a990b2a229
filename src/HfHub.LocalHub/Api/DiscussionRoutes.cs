using System.Globalization;
using System.Text.Json;
using HfHub.LocalHub.Services;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Api;

internal sealed record DiscussionRepoBody(string Name, string Type);

/// <summary>A discussion as the list shows it: the fields <c>get_repo_discussions</c> reads.</summary>
internal sealed record DiscussionBody(int Num, string Title, string Status, bool IsPullRequest, DiscussionAuthorBody Author, string CreatedAt,
    DiscussionRepoBody Repo, bool Pinned);

internal sealed record DiscussionPageBody(List<DiscussionBody> Discussions, int Count, int Start, int NumClosedDiscussions);

internal sealed record DiscussionEventBody(string Id, string Type, string CreatedAt, DiscussionAuthorBody Author, JsonElement Data);

internal sealed record PullRequestChangesBody(string Base, string? MergeCommitId);

/// <summary>A discussion with its timeline (<c>get_discussion_details</c>); <c>changes</c> and <c>filesWithConflicts</c> for pull requests only.</summary>
internal sealed record DiscussionDetailsBody(int Num, string Title, string Status, bool IsPullRequest, DiscussionAuthorBody Author, string CreatedAt,
    DiscussionRepoBody Repo, bool Pinned, List<DiscussionEventBody> Events, PullRequestChangesBody? Changes, List<string>? FilesWithConflicts);

internal sealed record DiscussionCreatedBody(int Num, string Url, string? PullRequestRef);

internal sealed record NewMessageBody(DiscussionEventBody NewMessage);

internal sealed record NewTitleBody(DiscussionEventBody NewTitle);

internal sealed record NewStatusBody(DiscussionEventBody NewStatus);

internal sealed record UpdatedCommentBody(DiscussionEventBody UpdatedComment);

/// <summary>
/// Discussions and pull requests under <c>/api/{type}s/{id}/discussions</c>, the routes
/// <c>huggingface_hub</c>'s community calls use: list (50 a page, <c>p</c>, <c>type</c>, <c>status</c>,
/// <c>author</c>), create, details, comment, title, status, merge, and editing or hiding a comment.
/// Anyone signed in who can read the repo opens discussions and comments; the discussion's author or a
/// writer of the repo renames and closes it; writers merge; a comment's author edits it, its author or
/// a writer hides it. Rules of the timeline and the merge: <see cref="DiscussionService"/>.
/// </summary>
internal static class DiscussionRoutes
{
    private const int PageSize = 50;

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        var discussions = new DiscussionService(state);
        foreach (var (segment, type, _) in RepoLookup.Types)
        {
            var root = $"/api/{segment}/{{ns}}/{{name}}/discussions";
            app.MapGet(root, context => List(context, state, type));
            app.MapPost(root, context => Create(context, state, discussions, type));
            app.MapGet(root + "/{num}", context => Details(context, state, discussions, type));
            app.MapPost(root + "/{num}/comment", context => Change(context, state, discussions, type, "comment"));
            app.MapPost(root + "/{num}/title", context => Change(context, state, discussions, type, "title"));
            app.MapPost(root + "/{num}/status", context => Change(context, state, discussions, type, "status"));
            app.MapPost(root + "/{num}/merge", context => Change(context, state, discussions, type, "merge"));
            app.MapPost(root + "/{num}/comment/{id}/edit", context => EditComment(context, state, discussions, type, hide: false));
            app.MapPost(root + "/{num}/comment/{id}/hide", context => EditComment(context, state, discussions, type, hide: true));
        }
    }

    private static async Task List(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var query = context.Request.Query;
        var kind = query["type"].ToString();
        var status = query["status"].ToString();
        var author = query["author"].ToString();
        if (kind is not ("" or "all" or "discussion" or "pull_request") || status is not ("" or "all" or "open" or "closed"))
        {
            await HubResponses.BadRequest(context, "type must be all, discussion or pull_request; status all, open or closed").ConfigureAwait(false);
            return;
        }
        var all = state.Discussions.List(repo.Id);
        var matching = all
            .Where(d => kind is "" or "all" || (kind == "pull_request") == d.IsPullRequest)
            .Where(d => status is "" or "all" || (status == "open") == d.Status is "open" or "draft")
            .Where(d => author.Length == 0 || string.Equals(d.Author, author, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var page = int.TryParse(query["p"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
        var start = page * PageSize;
        var body = new DiscussionPageBody([.. matching.Skip(start).Take(PageSize).Select(d => Summary(repo, d))], matching.Count, start,
            all.Count(d => d.Status is "closed" or "merged"));
        await HubResponses.Json(context, body, LocalHubJsonContext.Default.DiscussionPageBody).ConfigureAwait(false);
    }

    private static async Task Create(HttpContext context, HubState state, DiscussionService discussions, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        using var document = await RepoLookup.SignedInBodyAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        var title = body.String("title")?.Trim();
        if (string.IsNullOrEmpty(title) || title.Length > 200)
        {
            await HubResponses.BadRequest(context, "title must be 1 to 200 characters").ConfigureAwait(false);
            return;
        }
        var pullRequest = body.Bool("pullRequest") ?? false;
        var created = discussions.Create(repo, context.Caller().User!.Name, title, body.String("description") ?? "", pullRequest);
        var url = $"{RepoRoutes.Url(state, repo.UrlPrefix, repo.FullName)}/discussions/{created.Num}";
        await HubResponses.Json(context, new DiscussionCreatedBody(created.Num, url, pullRequest ? $"refs/pr/{created.Num}" : null),
            LocalHubJsonContext.Default.DiscussionCreatedBody).ConfigureAwait(false);
    }

    private static async Task Details(HttpContext context, HubState state, DiscussionService discussions, string type)
    {
        var found = await FindAsync(context, state, type).ConfigureAwait(false);
        if (found is not var (repo, discussion))
        {
            return;
        }
        await HubResponses.Json(context, DetailsOf(state, discussions, repo, discussion), LocalHubJsonContext.Default.DiscussionDetailsBody).ConfigureAwait(false);
    }

    private static async Task Change(HttpContext context, HubState state, DiscussionService discussions, string type, string what)
    {
        var found = await FindAsync(context, state, type).ConfigureAwait(false);
        if (found is not var (repo, discussion))
        {
            return;
        }
        using var document = await RepoLookup.SignedInBodyAsync(context, allowEmpty: what == "merge").ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        var caller = context.Caller();
        var user = caller.User!.Name;
        var writer = caller.CanWrite && state.Access.CanWrite(caller, repo);
        var owner = writer || string.Equals(discussion.Author, user, StringComparison.OrdinalIgnoreCase);
        switch (what)
        {
            case "comment" when body.String("comment") is { Length: > 0 } text:
                await Answer(context, new NewMessageBody(EventOf(discussions.Comment(repo.Id, discussion.Num, user, text))), LocalHubJsonContext.Default.NewMessageBody).ConfigureAwait(false);
                return;
            case "title" when !owner:
            case "status" when !owner:
            case "merge" when !writer:
                await HubResponses.Forbidden(context, $"You don't have the rights to change discussion #{discussion.Num} of {repo.FullName}").ConfigureAwait(false);
                return;
            case "title" when body.String("title")?.Trim() is { Length: > 0 and <= 200 } title:
                await Answer(context, new NewTitleBody(EventOf(discussions.Rename(discussion, user, title))), LocalHubJsonContext.Default.NewTitleBody).ConfigureAwait(false);
                return;
            case "status" when body.String("status") is "open" or "closed" && discussion.Status is not "merged":
                if (body.String("comment") is { Length: > 0 } comment)
                {
                    discussions.Comment(repo.Id, discussion.Num, user, comment);
                }
                var changed = discussions.SetStatus(repo.Id, discussion.Num, user, body.String("status")!);
                await Answer(context, new NewStatusBody(EventOf(changed)), LocalHubJsonContext.Default.NewStatusBody).ConfigureAwait(false);
                return;
            case "merge":
                if (body.ValueKind == JsonValueKind.Object && body.String("comment") is { Length: > 0 } note)
                {
                    discussions.Comment(repo.Id, discussion.Num, user, note);
                }
                var merged = await discussions.MergeAsync(repo, discussion, user, context.RequestAborted).ConfigureAwait(false);
                if (merged.Error is { } error)
                {
                    await error.WriteAsync(context).ConfigureAwait(false);
                    return;
                }
                await HubResponses.Json(context, DetailsOf(state, discussions, repo, state.Discussions.Find(repo.Id, discussion.Num)!),
                    LocalHubJsonContext.Default.DiscussionDetailsBody).ConfigureAwait(false);
                return;
            default:
                await HubResponses.BadRequest(context, what switch
                {
                    "comment" => "comment must be a non-empty string",
                    "title" => "title must be 1 to 200 characters",
                    _ => discussion.Status == "merged" ? "A merged pull request cannot change status" : "status must be open or closed",
                }).ConfigureAwait(false);
                return;
        }
    }

    private static async Task EditComment(HttpContext context, HubState state, DiscussionService discussions, string type, bool hide)
    {
        var found = await FindAsync(context, state, type).ConfigureAwait(false);
        if (found is not var (repo, discussion))
        {
            return;
        }
        using var document = await RepoLookup.SignedInBodyAsync(context, allowEmpty: hide).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var id = RepoLookup.Route(context, "id");
        if (state.Discussions.Events(repo.Id, discussion.Num).FirstOrDefault(e => e.Id == id && e.Type == "comment") is not { } comment)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "Comment not found").ConfigureAwait(false);
            return;
        }
        var caller = context.Caller();
        var isAuthor = string.Equals(comment.Author, caller.User!.Name, StringComparison.OrdinalIgnoreCase);
        if (!(isAuthor || (hide && caller.CanWrite && state.Access.CanWrite(caller, repo))))
        {
            await HubResponses.Forbidden(context, "Only the comment's author can edit it; its author or the repo's writers can hide it").ConfigureAwait(false);
            return;
        }
        var text = document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.String("content") : null;
        if (!hide && string.IsNullOrEmpty(text))
        {
            await HubResponses.BadRequest(context, "content must be a non-empty string").ConfigureAwait(false);
            return;
        }
        var updated = discussions.UpdateComment(comment, caller.User.Name, text, hide);
        await Answer(context, new UpdatedCommentBody(EventOf(updated)), LocalHubJsonContext.Default.UpdatedCommentBody).ConfigureAwait(false);
    }

    private static Task Answer<T>(HttpContext context, T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) => HubResponses.Json(context, body, info);

    private static async Task<(Repo Repo, Discussion Discussion)?> FindAsync(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return null;
        }
        if (!int.TryParse(RepoLookup.Route(context, "num"), NumberStyles.None, CultureInfo.InvariantCulture, out var num)
            || state.Discussions.Find(repo.Id, num) is not { } discussion)
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "Discussion not found").ConfigureAwait(false);
            return null;
        }
        return (repo, discussion);
    }

    private static DiscussionBody Summary(Repo repo, Discussion d) =>
        new(d.Num, d.Title, d.Status, d.IsPullRequest, new DiscussionAuthorBody(d.Author), d.CreatedAt, new DiscussionRepoBody(repo.FullName, repo.Type), false);

    private static DiscussionDetailsBody DetailsOf(HubState state, DiscussionService discussions, Repo repo, Discussion d) =>
        new(d.Num, d.Title, d.Status, d.IsPullRequest, new DiscussionAuthorBody(d.Author), d.CreatedAt, new DiscussionRepoBody(repo.FullName, repo.Type), false,
            [.. state.Discussions.Events(repo.Id, d.Num).Select(EventOf)],
            d.IsPullRequest ? new PullRequestChangesBody(d.BaseRef ?? "refs/heads/" + GitStore.DefaultBranch, d.MergeCommit) : null,
            d.IsPullRequest ? [.. d.Status == "open" || d.Status == "draft" ? discussions.Conflicts(d) : []] : null);

    private static DiscussionEventBody EventOf(DiscussionEvent e)
    {
        using var data = JsonDocument.Parse(e.Data);
        return new DiscussionEventBody(e.Id, e.Type, e.CreatedAt, new DiscussionAuthorBody(e.Author), data.RootElement.Clone());
    }
}
