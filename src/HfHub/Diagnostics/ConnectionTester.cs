using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using HfHub.Auth;
using HfHub.Http;

namespace HfHub.Diagnostics;

/// <summary>
/// Finds out why the Hub cannot be reached, one layer at a time: DNS, TCP connect, TLS handshake
/// (certificate subject, issuer, days to expiry), an HTTP round trip, and the token via
/// <c>whoami-v2</c>; then, optionally, a dedicated URL (a Space app or an Inference Endpoint).
/// Each step is timed; a failed step carries a plain hint and the steps after it are skipped.
/// </summary>
public sealed class ConnectionTester(ConnectionTestOptions options)
{
    /// <summary>The cheap, anonymous request of the HTTP step: one model from the public listing.</summary>
    public const string HttpProbePath = "api/models?limit=1";

    private const int CertificateWarningDays = 14;

    private readonly ConnectionTestOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Runs every step and returns the report; it does not throw for network or auth failures.</summary>
    public async Task<ConnectionReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var endpoint = _options.Endpoint;
        var steps = new List<ConnectionStep>();
        var proxy = ProxySettings.For(endpoint, _options.Environment);

        var hub = await CheckTransportAsync(endpoint, proxy, steps, cancellationToken).ConfigureAwait(false);
        var httpOk = hub.Ok && await CheckHubHttpAsync(endpoint, proxy, steps, cancellationToken).ConfigureAwait(false);
        if (!hub.Ok)
        {
            steps.Add(Skip("HTTP", endpoint.GetLeftPart(UriPartial.Path), "skipped: no connection"));
        }
        WhoAmI? account = null;
        RateLimitStatus? rateLimit = null;
        if (httpOk)
        {
            (account, rateLimit) = await CheckTokenAsync(endpoint, proxy, steps, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            steps.Add(Skip("Token", endpoint.Authority, "skipped: the Hub is not reachable"));
        }

        if (_options.Url is { } url)
        {
            var first = steps.Count;
            var urlProxy = ProxySettings.For(url, _options.Environment);
            var app = await CheckTransportAsync(url, urlProxy, steps, cancellationToken).ConfigureAwait(false);
            if (app.Ok)
            {
                await CheckUrlAsync(url, urlProxy, steps, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                steps.Add(Skip("URL", Display(url), "skipped: the host is not reachable"));
            }
            for (var i = first; i < steps.Count; i++)
            {
                steps[i] = steps[i] with { Scope = ConnectionStep.UrlScope };
            }
        }

        return new ConnectionReport
        {
            Endpoint = UrlRedaction.Redacted(endpoint),
            Url = _options.Url is null ? null : UrlRedaction.Redacted(_options.Url),
            Proxy = proxy is null ? null : ProxySettings.Display(proxy),
            Steps = steps,
            Certificate = hub.Certificate,
            Account = account,
            RateLimit = rateLimit,
        };
    }

    /// <summary>
    /// Whether <see cref="ConnectionTestOptions.Url"/> gets the token: https Space app and Inference
    /// Endpoint hosts, the endpoint's own origin, or when the caller asked for it explicitly.
    /// </summary>
    public static bool ShouldSendToken(Uri url, Uri endpoint, bool explicitlyAllowed)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (explicitlyAllowed)
        {
            return true;
        }
        if (Uri.Compare(url, endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
        {
            return true;
        }
        return url.Scheme == Uri.UriSchemeHttps
            && (url.Host.EndsWith(".hf.space", StringComparison.OrdinalIgnoreCase)
                || url.Host.EndsWith(".endpoints.huggingface.cloud", StringComparison.OrdinalIgnoreCase));
    }

    private readonly record struct TransportResult(bool Ok, TlsCertificateInfo? Certificate);

    /// <summary>DNS, TCP and TLS for one URL (through the proxy when one applies).</summary>
    private async Task<TransportResult> CheckTransportAsync(Uri target, Uri? proxy, List<ConnectionStep> steps, CancellationToken cancellationToken)
    {
        var https = target.Scheme == Uri.UriSchemeHttps;
        var connectHost = proxy?.IdnHost ?? target.IdnHost;
        var connectPort = proxy?.Port ?? target.Port;
        var via = proxy is null ? "" : $" (proxy {ProxySettings.Display(proxy)})";

        var (dnsStep, addresses) = await ResolveAsync(connectHost, proxy is not null, via, cancellationToken).ConfigureAwait(false);
        steps.Add(dnsStep);
        if (addresses is null)
        {
            steps.Add(Skip("TCP connect", $"{connectHost}:{connectPort}", "skipped: DNS failed"));
            steps.Add(Skip("TLS handshake", target.Authority, https ? "skipped: DNS failed" : "skipped: plain http:// has no TLS"));
            return new TransportResult(false, null);
        }

        var (tcpStep, socket) = await ConnectAsync(addresses, connectHost, connectPort, proxy is not null, via, cancellationToken).ConfigureAwait(false);
        steps.Add(tcpStep);
        if (socket is null)
        {
            steps.Add(Skip("TLS handshake", target.Authority, https ? "skipped: TCP connect failed" : "skipped: plain http:// has no TLS"));
            return new TransportResult(false, null);
        }

        using (socket)
        {
            if (!https)
            {
                steps.Add(Skip("TLS handshake", target.Authority, "skipped: plain http:// has no TLS"));
                return new TransportResult(true, null);
            }
            var (tlsStep, certificate) = await HandshakeAsync(socket, target, proxy, cancellationToken).ConfigureAwait(false);
            steps.Add(tlsStep);
            return new TransportResult(tlsStep.Status == StepStatus.Passed, certificate);
        }
    }

    private async Task<(ConnectionStep Step, IPAddress[]? Addresses)> ResolveAsync(string host, bool isProxy, string via, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return (Pass("DNS", host, started, $"{host} is an IP address (no lookup needed){via}"), [literal]);
        }
        using var timeout = Limit(cancellationToken);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, timeout.Token).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                return (Fail("DNS", host, started, $"{host} has no addresses", DnsHint(isProxy), FailureKind.Network), null);
            }
            var shown = string.Join(", ", addresses.Take(2).Select(a => a.ToString()));
            var more = addresses.Length > 2 ? $" (+{addresses.Length - 2} more)" : "";
            return (Pass("DNS", host, started, $"{host} → {shown}{more}{via}"), addresses);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (Fail("DNS", host, started, $"no answer for {host} within {Seconds(_options.Timeout)}", DnsHint(isProxy), FailureKind.Network), null);
        }
        catch (SocketException e)
        {
            return (Fail("DNS", host, started, $"cannot resolve {host} ({e.SocketErrorCode})", DnsHint(isProxy), FailureKind.Network), null);
        }
    }

    private async Task<(ConnectionStep Step, Socket? Socket)> ConnectAsync(IPAddress[] addresses, string host, int port, bool isProxy, string via, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var target = $"{host}:{port}";
        using var timeout = Limit(cancellationToken);
        SocketException? last = null;
        // Try each address in turn, as a browser would (e.g. ::1 then 127.0.0.1 for localhost).
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token).ConfigureAwait(false);
                var endPoint = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
                return (Pass("TCP connect", target, started, $"connected to {endPoint}{via}"), socket);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                return (Fail("TCP connect", target, started, $"no answer from {target} within {Seconds(_options.Timeout)}",
                    FirewallHint(isProxy), FailureKind.Network), null);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        var (detail, hint) = last?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => ($"connection refused by {target}",
                isProxy
                    ? "nothing listens at the proxy's address: check HTTPS_PROXY"
                    : "nothing listens on that port: check the endpoint's port, or a firewall rejects the connection"),
            SocketError.NetworkUnreachable or SocketError.HostUnreachable => ($"network unreachable for {target}",
                "no route to the host: check the network connection, VPN, or set HTTPS_PROXY if the network requires a proxy"),
            SocketError.TimedOut => ($"no answer from {target}", FirewallHint(isProxy)),
            { } other => ($"cannot connect to {target} ({other})", FirewallHint(isProxy)),
            null => ($"cannot connect to {target}", FirewallHint(isProxy)),
        };
        return (Fail("TCP connect", target, started, detail, hint, FailureKind.Network), null);
    }

    private async Task<(ConnectionStep Step, TlsCertificateInfo? Certificate)> HandshakeAsync(Socket socket, Uri target, Uri? proxy, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var name = "TLS handshake";
        using var timeout = Limit(cancellationToken);
        var stream = new NetworkStream(socket, ownsSocket: false);
        await using (stream.ConfigureAwait(false))
        {
            if (proxy is not null)
            {
                var tunnel = await OpenTunnelAsync(stream, target, proxy, timeout.Token).ConfigureAwait(false);
                if (tunnel is not null)
                {
                    return (Fail(name, target.Authority, started, tunnel.Value.Detail, tunnel.Value.Hint, FailureKind.Network), null);
                }
            }
            X509Certificate2? seen = null;
            var errors = SslPolicyErrors.None;
            X509ChainStatusFlags chainFlags = X509ChainStatusFlags.NoError;
            var ssl = new SslStream(stream, leaveInnerStreamOpen: true);
            await using (ssl.ConfigureAwait(false))
            {
                var sslOptions = new SslClientAuthenticationOptions
                {
                    TargetHost = target.IdnHost,
                    // Accept here and judge below, so an untrusted certificate can still be described.
                    // Nothing is ever sent over this probe connection: it is closed right after the handshake.
#pragma warning disable CA5359
                    RemoteCertificateValidationCallback = (_, certificate, chain, policyErrors) =>
                    {
                        seen = certificate is null ? null : new X509Certificate2(certificate);
                        errors = policyErrors;
                        foreach (var status in chain?.ChainStatus ?? [])
                        {
                            chainFlags |= status.Status;
                        }
                        return true;
                    },
#pragma warning restore CA5359
                };
                if (ChainPolicy() is { } policy)
                {
                    sslOptions.CertificateChainPolicy = policy;
                }
                try
                {
                    await ssl.AuthenticateAsClientAsync(sslOptions, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return (Fail(name, target.Authority, started, $"no TLS answer within {Seconds(_options.Timeout)}",
                        "the connection opens but TLS stalls: a firewall or proxy may block TLS to this host", FailureKind.Network), null);
                }
                catch (Exception e) when (e is AuthenticationException or IOException or Win32Exception)
                {
                    return (Fail(name, target.Authority, started, $"handshake failed: {HubErrorReader.OneLine(e.Message)}",
                        "the TLS handshake was cut: a firewall or proxy may block TLS to this host, or the port does not speak TLS (try http://)",
                        FailureKind.Network), null);
                }

                using (seen)
                {
                    if (seen is null)
                    {
                        return (Fail(name, target.Authority, started, "the server sent no certificate", InterceptionHint, FailureKind.Network), null);
                    }
                    var days = (int)Math.Floor((seen.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalDays);
                    var info = new TlsCertificateInfo(seen.Subject, seen.Issuer, new DateTimeOffset(seen.NotAfter.ToUniversalTime()), days,
                        ssl.SslProtocol.ToString(), errors == SslPolicyErrors.None);
                    var described = $"{ProtocolName(ssl.SslProtocol)}, {info.Subject}, issued by {info.Issuer}, expires in {days} days";
                    if (errors == SslPolicyErrors.None)
                    {
                        var note = days < CertificateWarningDays ? $"the certificate expires in {days} days" : null;
                        return (Pass(name, target.Authority, started, described, note), info);
                    }
                    var (detail, hint) = DescribeTlsFailure(errors, chainFlags, info, target.Host, proxy is not null);
                    return (Fail(name, target.Authority, started, $"{detail} ({described})", hint, FailureKind.Network), info);
                }
            }
        }
    }

    private const string InterceptionHint =
        "a proxy, VPN or antivirus may be intercepting TLS: install its root certificate in the system store (or point SSL_CERT_FILE at it), or ask your IT team";

    private static (string Detail, string Hint) DescribeTlsFailure(SslPolicyErrors errors, X509ChainStatusFlags chain, TlsCertificateInfo info, string host, bool viaProxy)
    {
        if (chain.HasFlag(X509ChainStatusFlags.NotTimeValid) || info.DaysToExpiry < 0)
        {
            return ($"the certificate is expired or not yet valid (not after {info.NotAfter:yyyy-MM-dd})",
                "check this machine's clock; if it is right, " + InterceptionHint);
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return ($"the certificate is not for {host}",
                $"check the endpoint's host name; {(viaProxy ? "the proxy" : "something on the way")} may be intercepting TLS");
        }
        return ($"the certificate is not trusted", InterceptionHint);
    }

    /// <summary>Opens an HTTP CONNECT tunnel through the proxy; returns a failure, or null on success.</summary>
    private static async Task<(string Detail, string Hint)?> OpenTunnelAsync(NetworkStream stream, Uri target, Uri proxy, CancellationToken cancellationToken)
    {
        var request = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"CONNECT {target.IdnHost}:{target.Port} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {target.IdnHost}:{target.Port}\r\n");
        if (ProxySettings.Credentials(proxy) is { } credentials)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.UserName}:{credentials.Password}"));
            request.Append(CultureInfo.InvariantCulture, $"Proxy-Authorization: Basic {basic}\r\n");
        }
        request.Append("\r\n");
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[8192];
            var total = 0;
            while (total < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(total, 1), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                total += read;
                if (total >= 4 && buffer[total - 4] == '\r' && buffer[total - 3] == '\n' && buffer[total - 2] == '\r' && buffer[total - 1] == '\n')
                {
                    break;
                }
            }
            var statusLine = Encoding.ASCII.GetString(buffer, 0, total).Split("\r\n", 2)[0];
            var parts = statusLine.Split(' ', 3);
            if (parts.Length >= 2 && parts[1] == "200")
            {
                return null;
            }
            var hint = parts.Length >= 2 && parts[1] == "407"
                ? "the proxy wants credentials: put them in the proxy URL (HTTPS_PROXY=http://user:password@proxy:port)"
                : "the proxy refused to open a tunnel to the Hub: ask your IT team to allow the host, or check HTTPS_PROXY";
            return ($"the proxy answered '{HubErrorReader.OneLine(statusLine)}' to CONNECT {target.Authority}", hint);
        }
        catch (IOException e)
        {
            return ($"the proxy closed the connection: {HubErrorReader.OneLine(e.Message)}", "check HTTPS_PROXY: it should point at an HTTP proxy");
        }
    }

    /// <summary>The HTTP step for the Hub: an anonymous GET of a tiny public listing.</summary>
    private async Task<bool> CheckHubHttpAsync(Uri endpoint, Uri? proxy, List<ConnectionStep> steps, CancellationToken cancellationToken)
    {
        var url = new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/" + HttpProbePath);
        var started = Stopwatch.GetTimestamp();
        var name = "HTTP";
        using var http = CreateHttpClient(proxy);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var detail = $"GET /{HttpProbePath} → {status} {response.ReasonPhrase}{RequestIdSuffix(response)}";
            if (status == 407)
            {
                steps.Add(Fail(name, Display(url), started, detail, ProxyAuthHint, FailureKind.Network));
                return false;
            }
            if (status >= 500)
            {
                steps.Add(Fail(name, Display(url), started, detail,
                    "the server or a gateway on the way failed: see https://status.huggingface.co, try again later, or check the proxy", FailureKind.Network));
                return false;
            }
            // Any other answer proves the HTTP path works; the token step judges the rest.
            steps.Add(Pass(name, Display(url), started, detail));
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            steps.Add(FailHttp(name, url, started, e, proxy is not null));
            return false;
        }
    }

    /// <summary>
    /// Warned of with an OAuth token: the Hub then refuses some Space writes with 401 while others work
    /// (huggingface/huggingface_hub#4972, for tokens from <c>hf auth login</c>'s device flow).
    /// </summary>
    public const string OAuthSpaceWarning =
        "OAuth token (from a device login): the Hub may answer 401 to Space restart, sleep time and hardware requests (pause and reads work); use an access token from the settings page for those";

    /// <summary>The whoami-v2 check: the account, and the quota its answer reported (null without <c>RateLimit</c> headers).</summary>
    private async Task<(WhoAmI? Account, RateLimitStatus? RateLimit)> CheckTokenAsync(Uri endpoint, Uri? proxy, List<ConnectionStep> steps, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var name = "Token";
        var target = $"{endpoint.Authority} whoami-v2";
        if (_options.Token is not { } token)
        {
            steps.Add(Fail(name, target, started, "no token found (HF_TOKEN, HUGGING_FACE_HUB_TOKEN, token file)",
                $"set HF_TOKEN, {_options.LoginHint} with a token from https://huggingface.co/settings/tokens",
                FailureKind.Authentication));
            return (null, null);
        }
        var source = _options.TokenSource is { } where ? $" from {where}" : "";
        var capture = new RateLimitCapture(CreateHandler(proxy));
        using var client = new HubClient(new HubClientOptions
        {
            Endpoint = endpoint,
            Token = token,
            Retry = RetryPolicy.None,
            Timeout = _options.Timeout,
            ApplicationId = _options.ApplicationId,
            HttpTrace = _options.HttpTrace,
            Transport = capture,
            Environment = _options.Environment,
        });
        try
        {
            var me = await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
            var role = me.Auth?.AccessToken?.Role ?? me.Auth?.Type ?? "unknown";
            var tokenName = me.Auth?.AccessToken?.DisplayName is { Length: > 0 } displayName ? $"'{displayName}'" : "(unnamed)";
            var orgs = me.Orgs.Count == 0 ? "none" : string.Join(", ", me.Orgs.Select(o => o.Name));
            var detail = $"user {me.Name}, orgs: {orgs}, token {tokenName} ({role}) {token.Masked}{source}";
            var notes = new List<string>();
            if (role == "read")
            {
                notes.Add("read-only token: fine for downloads and listings, but uploads and managing Spaces need a write or fine-grained token");
            }
            if (me.Auth?.Type == "oauth")
            {
                notes.Add(OAuthSpaceWarning);
            }
            if (me.Auth?.ExpiresAt is { } expires && expires - DateTimeOffset.UtcNow < TimeSpan.FromDays(1))
            {
                notes.Add($"the token expires at {expires:yyyy-MM-dd HH:mm} UTC; log in again before then");
            }
            if (capture.Last is { Remaining: 0 } exhausted)
            {
                notes.Add($"no {exhausted.Pool ?? "API"} requests left in this window: the quota comes back in {exhausted.ResetIn.TotalSeconds:0} s");
            }
            steps.Add(Pass(name, target, started, detail, notes.Count == 0 ? null : string.Join("; ", notes)));
            return (me, capture.Last);
        }
        catch (HubAuthenticationException e)
        {
            steps.Add(Fail(name, target, started, $"the Hub rejected the token {token.Masked}{source}: {e.Message}",
                $"the token is invalid, expired or revoked: create a new one at {SettingsUrl(endpoint)} and {_options.LoginHint}"
                + (_options.TokenSource is "HF_TOKEN" or "HUGGING_FACE_HUB_TOKEN" ? $" (and update or unset {_options.TokenSource})" : ""),
                FailureKind.Authentication));
        }
        catch (HubRateLimitedException e)
        {
            steps.Add(Fail(name, target, started, $"rate-limited: {e.Message}",
                "whoami-v2 is strictly rate-limited: wait a few minutes before checking again", FailureKind.Network));
        }
        catch (HubConnectionException e)
        {
            steps.Add(Fail(name, target, started, e.Message, FirewallHint(proxy is not null), FailureKind.Network));
        }
        catch (HubException e)
        {
            steps.Add(Fail(name, target, started, $"{e.Message} (HTTP {e.Status})",
                "the Hub answered the token check with an error: try again later or see https://status.huggingface.co", FailureKind.Network));
        }
        return (null, capture.Last);
    }

    /// <summary>Keeps the <c>RateLimit</c> headers of the last answer that had them (whoami-v2's, in the token check).</summary>
    private sealed class RateLimitCapture(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public RateLimitStatus? Last { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Last = RateLimitStatus.From(response) ?? Last;
            return response;
        }
    }

    /// <summary>GETs the dedicated URL with the token (when allowed) and reports status and latency.</summary>
    private async Task CheckUrlAsync(Uri url, Uri? proxy, List<ConnectionStep> steps, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var name = "URL";
        var send = _options.Token is not null && ShouldSendToken(url, _options.Endpoint, _options.SendTokenToUrl);
        var tokenNote = _options.Token is null ? "no token" : send ? "with token" : "token not sent: not a Space or Inference Endpoint host (--send-token to send it)";
        using var http = CreateHttpClient(proxy);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (send)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token!.Reveal());
        }
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var detail = $"GET → {status} {response.ReasonPhrase} in {latency:0} ms ({tokenNote}){RequestIdSuffix(response)}";
            // Any answer proves DNS, TCP, TLS and the route work: what is left to say is about the
            // token, the path or the app, never the network (that is only for no answer at all).
            if (status is >= 200 and < 400)
            {
                steps.Add(Pass(name, Display(url), started, detail));
                return;
            }
            if (status == 405)
            {
                steps.Add(Pass(name, Display(url), started, detail,
                    "the URL answers but not to GET: fine for a POST-only service such as an Inference Endpoint's inference route"));
                return;
            }
            var (hint, kind) = status switch
            {
                401 or 403 => (send
                    ? "the URL rejected the token: it needs read access to this private Space or Endpoint (check the token's owner and fine-grained scopes)"
                    : "the URL wants a token: pass --send-token to send yours to this host", FailureKind.Authentication),
                404 => ("the host answers but has nothing at this path: check the URL (a Space's app URL looks like https://owner-name.hf.space)", FailureKind.NotFound),
                407 => (ProxyAuthHint, FailureKind.Authentication),
                503 => ("reachable but failing: the app is not serving; a Space may be sleeping, building or paused (wake it up or restart it), an Endpoint may be scaled to zero or initializing", FailureKind.Http),
                >= 500 => ("reachable but failing: the app answered with a server error; check its run logs", FailureKind.Http),
                _ => ("the URL answers but refuses this request: check the URL and what the service expects", FailureKind.Http),
            };
            if (kind == FailureKind.Http && status >= 500)
            {
                detail = $"reachable but failing: {detail}";
            }
            steps.Add(Fail(name, Display(url), started, detail, hint, kind));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            steps.Add(FailHttp(name, url, started, e, proxy is not null));
        }
    }

    private const string ProxyAuthHint = "the proxy wants credentials: put them in the proxy URL (HTTPS_PROXY=http://user:password@proxy:port)";

    private ConnectionStep FailHttp(string name, Uri url, long started, Exception e, bool viaProxy)
    {
        var target = Display(url);
        if (e is OperationCanceledException)
        {
            return Fail(name, target, started, $"no HTTP answer within {Seconds(_options.Timeout)}",
                "the server accepts connections but does not answer: a proxy or firewall may hold the request; try again later", FailureKind.Network);
        }
        var inner = e.InnerException;
        if (inner is AuthenticationException)
        {
            return Fail(name, target, started, $"TLS failed: {HubErrorReader.OneLine(inner.Message)}", InterceptionHint, FailureKind.Network);
        }
        var message = e is HttpRequestException http ? HubPipeline.DescribeConnectionFailure(url, http) : e.Message;
        return Fail(name, Display(url), started, message, FirewallHint(viaProxy), FailureKind.Network);
    }

    private HttpClient CreateHttpClient(Uri? proxy) =>
        new(CreateHandler(proxy), disposeHandler: true) { Timeout = _options.Timeout };

    private SocketsHttpHandler CreateHandler(Uri? proxy)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = _options.Timeout,
            UseProxy = proxy is not null,
            Proxy = proxy is null ? null : ProxySettings.ToWebProxy(proxy),
        };
        if (ChainPolicy() is { } policy)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }
        return handler;
    }

    private X509ChainPolicy? ChainPolicy()
    {
        if (_options.TrustedRoots is not { Count: > 0 } roots)
        {
            return null;
        }
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }

    private CancellationTokenSource Limit(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(_options.Timeout);
        return source;
    }

    private static string DnsHint(bool isProxy) => isProxy
        ? "the proxy's host name does not resolve: check HTTPS_PROXY"
        : "the name does not resolve: check the endpoint's spelling, this machine's DNS server or VPN; on a network that only allows a proxy, set HTTPS_PROXY";

    private static string FirewallHint(bool isProxy) => isProxy
        ? "the proxy does not answer: check HTTPS_PROXY and that the proxy is up"
        : "a firewall may block the connection: check the network, VPN or firewall rules; on a network that requires a proxy, set HTTPS_PROXY";

    private static string SettingsUrl(Uri endpoint) =>
        endpoint.IsLoopback ? "the local hub (admin route /_localhub/tokens)" : "https://huggingface.co/settings/tokens";

    private static string RequestIdSuffix(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Request-Id", out var values) && values.FirstOrDefault() is { Length: > 0 } id
            ? $", X-Request-Id {HubErrorReader.OneLine(id)}"
            : "";

    private static string ProtocolName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLS 1.3",
        SslProtocols.Tls12 => "TLS 1.2",
        _ => protocol.ToString(),
    };

    private static string Display(Uri url) => UrlRedaction.Redacted(url).GetLeftPart(UriPartial.Path);

    private static string Seconds(TimeSpan span) => span.TotalSeconds >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0} ms");

    private static ConnectionStep Pass(string name, string target, long started, string detail, string? note = null) =>
        new(name, target, StepStatus.Passed, Stopwatch.GetElapsedTime(started), detail, Note: note);

    private static ConnectionStep Fail(string name, string target, long started, string detail, string hint, FailureKind kind) =>
        new(name, target, StepStatus.Failed, Stopwatch.GetElapsedTime(started), detail, hint, Failure: kind);

    private static ConnectionStep Skip(string name, string target, string detail) =>
        new(name, target, StepStatus.Skipped, TimeSpan.Zero, detail);
}
