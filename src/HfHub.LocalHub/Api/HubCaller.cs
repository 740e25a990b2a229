using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Api;

/// <summary>Who is calling: an authenticated user with a token, or anonymous.</summary>
internal sealed record HubCaller(Account? User, TokenRecord? Token)
{
    public static HubCaller Anonymous { get; } = new(null, null);

    public bool IsAnonymous => User is null;

    public bool CanWrite => Token?.CanWrite == true;
}
