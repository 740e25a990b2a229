using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Api;

/// <summary>
/// Who may see and change what, as on the Hub: public repos are readable by anyone; private
/// repos only by their namespace (the user, or members of the organisation). Writing needs a
/// write token and the namespace: the user's own, or an organisation where the user is admin or
/// writer. Everything a caller may not read is reported as not found (404), never as forbidden.
/// </summary>
internal sealed class RepoAccess(AccountStore accounts)
{
    /// <summary>The namespaces a caller may read private repos of: their own and their organisations'.</summary>
    public IReadOnlyCollection<string> ReadableNamespaces(HubCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.User is not { } user)
        {
            return [];
        }
        return [user.Name, .. accounts.Memberships(user).Select(m => m.Org.Name)];
    }

    /// <summary>True when the caller may push to (and manage) repos of this namespace, ignoring the token's role.</summary>
    public bool OwnsNamespace(HubCaller caller, string ns)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.User is not { } user)
        {
            return false;
        }
        if (string.Equals(user.Name, ns, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return accounts.Memberships(user).Any(m =>
            string.Equals(m.Org.Name, ns, StringComparison.OrdinalIgnoreCase) && m.Role is "admin" or "write");
    }

    public bool CanRead(HubCaller caller, Repo repo)
    {
        ArgumentNullException.ThrowIfNull(repo);
        return !repo.Private || ReadableNamespaces(caller).Contains(repo.Namespace, StringComparer.OrdinalIgnoreCase) || IsCanonicalOwner(caller, repo);
    }

    /// <summary>A canonical repo (no namespace) belongs to the account the admin seeded it for, who alone may write to it.</summary>
    private static bool IsCanonicalOwner(HubCaller caller, Repo repo) =>
        repo.Namespace.Length == 0 && caller.User is { } user && user.Id == repo.OwnerId;

    /// <summary>True when the caller may write: a write token and the namespace.</summary>
    public bool CanWrite(HubCaller caller, Repo repo)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(repo);
        return caller.CanWrite && (repo.Namespace.Length == 0 ? IsCanonicalOwner(caller, repo) : OwnsNamespace(caller, repo.Namespace));
    }
}
