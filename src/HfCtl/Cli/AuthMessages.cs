namespace HfCtl.Cli;

/// <summary>
/// The two things a 401 can mean to a user, said the same way by every command: no token was
/// sent at all, or the one sent was refused. The Hub answers both with "Invalid credentials in
/// Authorization header", which misleads when no header was sent.
/// </summary>
internal static class AuthMessages
{
    public const string NoToken = "not logged in: no token found (set HF_TOKEN, pass --token, or run 'hfctl auth login')";

    /// <summary>The token from <paramref name="location"/> (HF_TOKEN, --token, a file) was refused; <paramref name="reason"/> is the Hub's words.</summary>
    public static string Rejected(string location, string reason) =>
        $"token rejected: the Hub refused the token from {location} ({reason}); it is invalid, expired or revoked: run 'hfctl auth login' with a new one";
}
