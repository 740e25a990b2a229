using HfHub.LocalHub.Services;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Api;

/// <summary>
/// Gated repos, as on the Hub: everyone who can see the repo sees its info, tree and card, but its
/// files download only for the repo's namespace (the owner, members of its organisation) and for users
/// whose access request was accepted (at once under <c>auto</c>, by an admin under <c>manual</c>).
/// Anonymous callers get 401, signed-in ones without access 403, both with <c>X-Error-Code: GatedRepo</c>
/// and the Hub's message, which <c>huggingface_hub</c> wraps in its <c>GatedRepoError</c>.
/// </summary>
internal static class RepoGate
{
    /// <summary>
    /// Files served whatever the gate: the card and <c>.gitattributes</c>, so that a model card can be
    /// read (and its license agreed to) before access is granted, as on the Hub's page
    /// (huggingface_hub#1579 asked for exactly this through the API; chosen here, not documented by the Hub).
    /// </summary>
    private static readonly HashSet<string> OpenFiles = new(StringComparer.Ordinal) { "README.md", ".gitattributes" };

    /// <summary>The gate's refusal for this caller and file, or null when the file may be downloaded.</summary>
    public static HubError? Check(HubState state, HubCaller caller, Repo repo, string? path = null)
    {
        if (path is not null && OpenFiles.Contains(path))
        {
            return null;
        }
        if (state.Git.Settings(repo.Id).Gated is not ("auto" or "manual"))
        {
            return null;
        }
        if (HasAccess(state, caller, repo))
        {
            return null;
        }
        var what = $"{repo.Type} {repo.FullName}";
        return caller.User is null
            ? new HubError(401, $"Access to {what} is restricted. You must have access to it and be authenticated to access it. Please log in.", "GatedRepo")
            : new HubError(403, $"Access to {what} is restricted and you are not in the authorized list. Visit {RepoRoutes.Url(state, repo.Type == "model" ? "" : repo.Segment + "/", repo.FullName)} to ask for access.", "GatedRepo");
    }

    /// <summary>Members of the repo's namespace always have access; other users once their request is accepted.</summary>
    public static bool HasAccess(HubState state, HubCaller caller, Repo repo) =>
        caller.User is { } user
        && (state.Access.ReadableNamespaces(caller).Contains(repo.Namespace, StringComparer.OrdinalIgnoreCase)
            || user.Id == repo.OwnerId
            || state.GatedAccess.StatusOf(repo.Id, user) == "accepted");
}
