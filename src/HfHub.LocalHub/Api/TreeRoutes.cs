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
/// History and listings: <c>tree</c>, <c>paths-info</c> and <c>commits</c> (refs are in <see cref="RefRoutes"/>).
/// </summary>
internal static class TreeRoutes
{
    /// <summary>The Hub answers 413 above about a thousand paths in one paths-info call.</summary>
    public const int MaxPathsInfo = 1000;

    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        foreach (var (segment, type, _) in RepoLookup.Types)
        {
            var repo = $"/api/{segment}/{{ns}}/{{name}}";
            app.MapGet($"{repo}/tree/{{**rest}}", context => Tree(context, state, type));
            app.MapPost($"{repo}/paths-info/{{**rev}}", context => PathsInfo(context, state, type));
            app.MapGet($"{repo}/commits/{{**rev}}", context => Commits(context, state, type));
        }
    }

    internal static bool Flag(HttpContext context, string name) =>
        context.Request.Query[name].ToString() is "true" or "1" or "True";

    private static async Task Tree(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var (revision, path) = RepoLookup.SplitRevision(RepoLookup.RawRoute(context, "rest"));
        path = path.Trim('/');
        var commit = await RepoLookup.CommitAsync(context, state, repo, revision).ConfigureAwait(false);
        if (commit is null)
        {
            return;
        }
        if (path.Length > 0 && state.Git.GetEntry(repo.Id, commit, path) is not { IsDirectory: true })
        {
            context.Response.Headers["X-Repo-Commit"] = commit;
            await HubResponses.Error(context, StatusCodes.Status404NotFound, $"Entry not found: {path} is not a folder at {revision}", "EntryNotFound").ConfigureAwait(false);
            return;
        }
        var expand = Flag(context, "expand");
        var pageSize = expand ? state.Options.TreeExpandPageSize : state.Options.TreePageSize;
        var after = DecodePathCursor(context.Request.Query["cursor"]);
        var entries = state.Git.ListEntries(repo.Id, commit, path, Flag(context, "recursive"), after, pageSize + 1).ToList();
        if (entries.Count > pageSize)
        {
            entries.RemoveAt(pageSize);
            context.Response.Headers.Link = RepoRoutes.NextLink(state, context, Base64Url.EncodeToString(Encoding.UTF8.GetBytes(entries[^1].Path)));
        }
        var commits = expand ? new Dictionary<string, GitCommit?>() : null;
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var entry in entries)
            {
                WriteEntry(w, state, repo, entry, commits);
            }
            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static string? DecodePathCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A tree / paths-info item; with <paramref name="commits"/> (expand) also <c>lastCommit</c> and <c>securityFileStatus</c>.</summary>
    private static void WriteEntry(Utf8JsonWriter w, HubState state, Repo repo, GitEntry entry, Dictionary<string, GitCommit?>? commits)
    {
        w.WriteStartObject();
        w.WriteString("type", entry.IsDirectory ? "directory" : "file");
        w.WriteString("oid", entry.Oid);
        w.WriteNumber("size", entry.IsDirectory ? 0 : entry.Lfs ? entry.Size : entry.Size);
        w.WriteString("path", entry.Path);
        if (entry.Lfs)
        {
            w.WriteStartObject("lfs");
            w.WriteString("oid", entry.Sha256);
            w.WriteNumber("size", entry.Size);
            w.WriteNumber("pointerSize", entry.PointerSize);
            w.WriteEndObject();
            Cas.XetHubRoutes.WriteTreeHash(w, state, repo, entry);
        }
        if (commits is not null)
        {
            if (!commits.TryGetValue(entry.LastCommit, out var last))
            {
                last = state.Git.GetCommit(repo.Id, entry.LastCommit);
                commits[entry.LastCommit] = last;
            }
            if (last is not null)
            {
                w.WriteStartObject("lastCommit");
                w.WriteString("id", last.Oid);
                w.WriteString("title", last.Title);
                w.WriteString("date", last.Date);
                w.WriteEndObject();
            }
            if (!entry.IsDirectory)
            {
                // The Hub's full shape (files.md §6.1): the Python client indexes avScan and
                // pickleImportScan unconditionally. The local hub scans nothing, so no virus is
                // found and, as for files the Hub does not pickle-scan, pickleImportScan is null.
                w.WriteStartObject("securityFileStatus");
                w.WriteString("status", "safe");
                w.WriteStartObject("avScan");
                w.WriteBoolean("virusFound", false);
                w.WriteNull("virusNames");
                w.WriteEndObject();
                w.WriteNull("pickleImportScan");
                w.WriteEndObject();
            }
        }
        w.WriteEndObject();
    }

    private static async Task PathsInfo(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var commit = await RepoLookup.CommitAsync(context, state, repo, RepoLookup.Revision(RepoLookup.Route(context, "rev"))).ConfigureAwait(false);
        if (commit is null)
        {
            return;
        }
        List<string> paths;
        bool expand;
        if (context.Request.HasFormContentType)
        {
            // Python sends form data: paths=a&paths=b&expand=false
            IFormCollection form;
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                // The form reader's limits (1024 values, 4 MiB a value): the Hub answers 413 to oversized paths-info calls.
                await HubResponses.Error(context, StatusCodes.Status413PayloadTooLarge, $"Payload Too Large: too many parameters (at most {MaxPathsInfo} paths)").ConfigureAwait(false);
                return;
            }
            paths = [.. form["paths"].Select(p => p ?? "")];
            expand = form["expand"].ToString() is "true" or "True" or "1";
        }
        else
        {
            using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
            if (document is null)
            {
                return;
            }
            var body = document.RootElement;
            paths = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("paths", out var p) && p.ValueKind == JsonValueKind.Array
                ? [.. p.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
                : [];
            expand = body.Bool("expand") ?? false;
        }
        if (paths.Count > MaxPathsInfo)
        {
            await HubResponses.Error(context, StatusCodes.Status413PayloadTooLarge, $"Payload Too Large: too many parameters (at most {MaxPathsInfo} paths)").ConfigureAwait(false);
            return;
        }
        var entries = paths.Select(p => p.Trim('/')).Distinct(StringComparer.Ordinal)
            .Select(p => p.Length == 0 ? null : state.Git.GetEntry(repo.Id, commit, p))
            .Where(e => e is not null).ToList();
        var commits = expand ? new Dictionary<string, GitCommit?>() : null;
        await RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var entry in entries)
            {
                WriteEntry(w, state, repo, entry!, commits);
            }
            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task Commits(HttpContext context, HubState state, string type)
    {
        var repo = await RepoLookup.ReadableAsync(context, state, type).ConfigureAwait(false);
        if (repo is null)
        {
            return;
        }
        var head = await RepoLookup.CommitAsync(context, state, repo, RepoLookup.Revision(RepoLookup.Route(context, "rev"))).ConfigureAwait(false);
        if (head is null)
        {
            return;
        }
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) && l > 0 ? Math.Min(l, 1000) : 50;
        var offset = RepoRoutes.DecodeCursor(query["cursor"])
            ?? (int.TryParse(query["p"], CultureInfo.InvariantCulture, out var page) && page > 0 ? page * limit : 0);
        var total = state.Git.GetCommit(repo.Id, head)?.Depth ?? 0;
        var history = state.Git.History(repo.Id, head, offset, limit);
        context.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        if (offset + history.Count < total)
        {
            context.Response.Headers.Link = RepoRoutes.NextLink(state, context, offset + limit);
        }
        var formatted = query["expand[]"].Concat(query["expand"]).Contains("formatted");
        var avatars = state.Endpoint.ToString().TrimEnd('/') + "/avatars/";
        var items = history.Select(c => new CommitItemBody(c.Oid, [new CommitAuthorBody(c.Author, $"{avatars}{c.Author}.svg")], c.Date, c.Title, c.Message,
            formatted ? new CommitFormattedBody(c.Title, c.Message) : null)).ToList();
        await HubResponses.Json(context, items, LocalHubJsonContext.Default.ListCommitItemBody).ConfigureAwait(false);
    }
}

/// <summary>A commit as the <c>commits</c> listing gives it; <c>formatted</c> only with <c>expand=formatted</c>.</summary>
internal sealed record CommitItemBody(
    string Id,
    IReadOnlyList<CommitAuthorBody> Authors,
    string Date,
    string Title,
    string Message,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] CommitFormattedBody? Formatted);

internal sealed record CommitAuthorBody(string User, string Avatar);

internal sealed record CommitFormattedBody(string Title, string Message);
