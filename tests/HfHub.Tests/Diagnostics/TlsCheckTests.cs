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

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=hfctl-tls-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        // 29.5 days ahead, so "days to expiry" is 29 whatever the time of day.
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29.5));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
