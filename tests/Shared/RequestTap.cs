namespace HfCtl.Testing;

/// <summary>
/// A client transport that shows a test every request on the wire before sending it over real HTTP
/// (redirects are left to the client, as with its own transport).
/// </summary>
public sealed class RequestTap(Action<HttpRequestMessage> onRequest) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        onRequest(request);
        return base.SendAsync(request, cancellationToken);
    }
}
