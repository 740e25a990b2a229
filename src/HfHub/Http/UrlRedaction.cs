namespace HfHub.Http;

/// <summary>
/// URLs as they may be shown: a <c>user:password@</c> in an endpoint (<c>HF_ENDPOINT</c>, a
/// gateway's basic auth) is a credential like the token, so it is masked wherever a URL is
/// printed, traced or reported.
/// </summary>
public static class UrlRedaction
{
    /// <summary>The URL with its user info, if any, replaced by <c>****</c>.</summary>
    public static Uri Redacted(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || string.IsNullOrEmpty(url.UserInfo))
        {
            return url;
        }
        return new UriBuilder(url) { UserName = "****", Password = "" }.Uri;
    }
}
