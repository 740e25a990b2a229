using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HfHub.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HfHub.Tests.Diagnostics;

/// <summary>
/// The TLS step against a real Kestrel on loopback serving a self-signed certificate made here:
/// trusted, it reports subject, issuer and days to expiry; untrusted, it fails with the
/// TLS-interception hint and the network exit class.
/// </summary>
public sealed class TlsCheckTests : IAsyncLifetime
{
    /// <summary>A name only the test proxy knows: it tunnels any CONNECT to the local server.</summary>
    private const string ProxiedHost = "hub.proxied.test";

    private readonly X509Certificate2 _certificate = CreateCertificate();
    private WebApplication? _server;
    private Uri _endpoint = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(_certificate)));
        _server = builder.Build();
        _server.Run(context =>
        {
            context.Response.Headers["X-Request-Id"] = "tls-test";
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("[]");
        });
        await _server.StartAsync();
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _endpoint = new Uri($"https://127.0.0.1:{new Uri(address).Port}");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _certificate.Dispose();
    }

    [Fact]
    public async Task A_trusted_certificate_is_described_with_subject_issuer_and_days_to_expiry()
    {
        using var env = new TestEnvironment();
        var report = await new ConnectionTester(new ConnectionTestOptions
        {
            Endpoint = _endpoint,
            Environment = env.Environment,
            TrustedRoots = [_certificate],
        }).RunAsync();

        var tls = report.Steps.Single(s => s.Name == "TLS handshake");
        Assert.Equal(StepStatus.Passed, tls.Status);
        Assert.Contains("CN=hfctl-tls-test", tls.Detail);
        Assert.Contains("expires in 29 days", tls.Detail);
        Assert.NotNull(report.Certificate);
        Assert.Equal(29, report.Certificate.DaysToExpiry);
        Assert.True(report.Certificate.Trusted);
        var http = report.Steps.Single(s => s.Name == "HTTP");
        Assert.Equal(StepStatus.Passed, http.Status);
        Assert.Contains("200", http.Detail);
        Assert.Contains("X-Request-Id tls-test", http.Detail);
        // No token was given: only the token step fails, as an authentication problem.
        Assert.Equal(FailureKind.Authentication, report.FirstFailure);
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_the_TLS_step_with_the_interception_hint()
    {
        using var env = new TestEnvironment();
        var report = await new ConnectionTester(new ConnectionTestOptions
        {
            Endpoint = _endpoint,
            Environment = env.Environment,
            Token = new HfHub.Auth.HfToken("hf_" + new string('a', 34)),
        }).RunAsync();

        var tls = report.Steps.Single(s => s.Name == "TLS handshake");
        Assert.Equal(StepStatus.Failed, tls.Status);
        Assert.Contains("not trusted", tls.Detail);
        Assert.Contains("CN=hfctl-tls-test", tls.Detail);
        Assert.Contains("intercepting TLS", tls.Hint);
        Assert.Equal(FailureKind.Network, report.FirstFailure);
        Assert.False(report.Certificate!.Trusted);
        Assert.All(report.Steps.SkipWhile(s => s.Name != "TLS handshake").Skip(1), s => Assert.Equal(StepStatus.Skipped, s.Status));
        Assert.StartsWith("TLS handshake failed for 127.0.0.1:", report.Verdict);
    }

    [Fact]
    public async Task Behind_HTTPS_PROXY_the_steps_check_the_proxy_and_tunnel_TLS_through_it()
    {
        await using var proxy = await TunnelProxy.StartAsync(_endpoint.Port, requiredCredentials: "me:s3cret");
        using var env = new TestEnvironment();
        env.Variables["HTTPS_PROXY"] = $"http://me:s3cret@127.0.0.1:{proxy.Port}";
        var report = await new ConnectionTester(new ConnectionTestOptions
        {
            Endpoint = new Uri($"https://{ProxiedHost}"),
            Environment = env.Environment,
            TrustedRoots = [_certificate],
        }).RunAsync();

        Assert.Equal($"http://127.0.0.1:{proxy.Port}", report.Proxy);
        var steps = report.Steps.ToDictionary(s => s.Name);
        Assert.Contains("(proxy http://127.0.0.1:", steps["DNS"].Detail);
        Assert.Equal(StepStatus.Passed, steps["TCP connect"].Status);
        Assert.Equal(StepStatus.Passed, steps["TLS handshake"].Status);
        Assert.Contains("CN=hfctl-tls-test", steps["TLS handshake"].Detail);
        Assert.Equal(StepStatus.Passed, steps["HTTP"].Status);
        Assert.Contains($"CONNECT {ProxiedHost}:443", proxy.Requests);
        Assert.DoesNotContain("s3cret", string.Join("\n", report.Steps.Select(s => s.Detail + s.Hint)));
    }

    [Fact]
    public async Task A_proxy_that_wants_credentials_fails_TLS_with_a_hint_about_them()
    {
        await using var proxy = await TunnelProxy.StartAsync(_endpoint.Port, requiredCredentials: "me:s3cret");
        using var env = new TestEnvironment();
        env.Variables["HTTPS_PROXY"] = $"127.0.0.1:{proxy.Port}";
        var report = await new ConnectionTester(new ConnectionTestOptions
        {
            Endpoint = new Uri($"https://{ProxiedHost}"),
            Environment = env.Environment,
            TrustedRoots = [_certificate],
        }).RunAsync();

        var tls = report.Steps.Single(s => s.Name == "TLS handshake");
        Assert.Equal(StepStatus.Failed, tls.Status);
        Assert.Contains("407", tls.Detail);
        Assert.Contains("the proxy wants credentials", tls.Hint);
        Assert.Equal(FailureKind.Network, report.FirstFailure);
    }

    /// <summary>
    /// A minimal HTTP CONNECT proxy on loopback: checks Basic credentials when asked, then pipes
    /// bytes between the client and the local server whatever host was requested.
    /// </summary>
    private sealed class TunnelProxy : IAsyncDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly int _targetPort;
        private readonly string? _credentials;
        private Task _loop = Task.CompletedTask;

        private TunnelProxy(int targetPort, string? credentials)
        {
            _targetPort = targetPort;
            _credentials = credentials;
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public System.Collections.Concurrent.ConcurrentQueue<string> Requests { get; } = new();

        public static Task<TunnelProxy> StartAsync(int targetPort, string? requiredCredentials)
        {
            var proxy = new TunnelProxy(targetPort, requiredCredentials);
            proxy._listener.Start();
            proxy._loop = proxy.AcceptLoopAsync();
            return Task.FromResult(proxy);
        }

        private async Task AcceptLoopAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = Task.Run(() => ServeAsync(client));
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task ServeAsync(System.Net.Sockets.TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                var head = new System.Text.StringBuilder();
                var one = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, _stop.Token) == 1)
                {
                    head.Append((char)one[0]);
                }
                var lines = head.ToString().Split("\r\n");
                Requests.Enqueue(string.Join(' ', lines[0].Split(' ').Take(2)));
                var expected = _credentials is null ? null : "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(_credentials));
                if (expected is not null && !lines.Any(l => l.Equals("Proxy-Authorization: " + expected, StringComparison.OrdinalIgnoreCase)))
                {
                    await stream.WriteAsync("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), _stop.Token);
                    return;
                }
                using var upstream = new System.Net.Sockets.TcpClient();
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                await stream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), _stop.Token);
                var up = upstream.GetStream();
                try
                {
                    await Task.WhenAny(stream.CopyToAsync(up, _stop.Token), up.CopyToAsync(stream, _stop.Token));
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=hfctl-tls-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        san.AddDnsName(ProxiedHost);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        // 29.5 days ahead, so "days to expiry" is 29 whatever the time of day.
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29.5));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
