using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Api;

/// <summary>
/// Repo ids without a namespace (<c>gpt2</c>, <c>squad</c>: the Hub's legacy canonical models and
/// datasets). The routes name repos as <c>{ns}/{name}</c>; before routing, a URL that names a repo by a
/// single segment gets <see cref="RepoLookup.NoNamespace"/> inserted as its namespace, so every repo
/// route, <c>resolve</c> and <c>raw</c> included, serves canonical repos and answers RepoNotFound for
/// missing ones instead of the generic 404. Spaces always have a namespace.
/// </summary>
internal static class CanonicalIds
{
    /// <summary>What follows <c>/api/{models|datasets}/{id}/</c> in a repo route.</summary>
    private static readonly HashSet<string> ApiSubRoutes = new(StringComparer.Ordinal)
    {
        "revision", "tree", "paths-info", "commits", "refs", "branch", "tag", "super-squash", "preupload", "commit",
        "settings", "auth-check", "discussions", "lfs-files", "like", "likers", "user-access-request", "treesize", "xet-read-token", "xet-write-token",
    };

    private static readonly HashSet<string> NotModelIds = new(StringComparer.Ordinal)
    {
        "api", "datasets", "spaces", "_localhub", "_spaces", "lfs-storage", "avatars",
    };

    public static void Rewrite(HttpContext context, HubState state)
    {
        var path = context.Request.Path.Value;
        if (string.IsNullOrEmpty(path))
        {
            return;
        }
        var s = path.Split('/');
        int at; // the index of the id's segment, where the no-namespace segment goes
        if (s.Length >= 4 && s[1] == "api" && RepoLookup.TypeOf(s[2]) is "model" or "dataset" && s[2].EndsWith('s'))
        {
            var type = RepoLookup.TypeOf(s[2])!;
            var single = s.Length == 4 && s[3].Length > 0;
            var sub = s.Length >= 5 && ApiSubRoutes.Contains(s[4]) && state.Repos.Find(type, s[3], s[4]) is null;
            if (!single && !sub)
            {
                return;
            }
            at = 3;
        }
        else if (s.Length >= 4 && s[1] == "datasets" && IsFileRoute(s, 3, state, "dataset"))
        {
            at = 2;
        }
        else if (s.Length >= 3 && !NotModelIds.Contains(s[1]) && IsFileRoute(s, 2, state, "model"))
        {
            at = 1;
        }
        else
        {
            return;
        }
        context.Request.Path = new PathString(string.Join('/', s[..at]) + "/" + RepoLookup.NoNamespace + "/" + string.Join('/', s[at..]));
    }

    /// <summary><c>{id}/resolve/…</c>, <c>{id}/raw/…</c> or <c>{id}.git/info/…</c> at <paramref name="next"/>, unless it is a namespaced repo's URL.</summary>
    private static bool IsFileRoute(string[] s, int next, HubState state, string type)
    {
        var id = s[next - 1];
        if (id.Length == 0)
        {
            return false;
        }
        if (id.EndsWith(".git", StringComparison.Ordinal) && s[next] == "info")
        {
            return true;
        }
        if (s[next] is not ("resolve" or "raw"))
        {
            return false;
        }
        // /{ns}/resolve/resolve/… is the file route of a repo called "resolve" when that repo exists.
        return !(s.Length > next + 1 && s[next + 1] is "resolve" or "raw" && state.Repos.Find(type, id, s[next]) is not null);
    }
}
