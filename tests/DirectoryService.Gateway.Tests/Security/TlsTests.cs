using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DirectoryService.Silo.Hosting;
using DirectoryService.Testing;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DirectoryService.Gateway.Tests.Security;

/// <summary>The public endpoint is https; plaintext only on loopback, and only when explicitly allowed.</summary>
public sealed class TlsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000", false, false, true)]
    [InlineData("http://127.0.0.1:5000", true, false, false)]
    [InlineData("http://[::1]:5000", true, false, false)]
    [InlineData("http://0.0.0.0:5000", true, false, true)]
    [InlineData("http://10.1.2.3:5000", true, false, true)]
    [InlineData("https://0.0.0.0:5000", false, false, true)]
    [InlineData("https://0.0.0.0:5000", false, true, false)]
    public void EndpointPolicy(string url, bool allowPlaintext, bool certificate, bool refused)
    {
        var options = new TlsOptions { AllowPlaintextOnLoopback = allowPlaintext, CertificatePath = certificate ? "c.pem" : "", KeyPath = certificate ? "k.pem" : "" };
        Assert.Equal(refused, options.Problems([url]).Any());
    }

    [Fact]
    public async Task ASilo_ServesGrpcAndHttp1OverTls_WithTheConfiguredCertificate()
    {
        var (certificate, certPath, keyPath) = SelfSigned();
        var ports = FreePorts.Take(3);
        var cluster = await ClusterSettings.NewAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(cluster.Settings(ports).ToDictionary(s => s.Key, string? (s) => s.Value));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // As appsettings.json serves it: HTTP/2 for gRPC and HTTP/1.1 for SCIM clients, negotiated by ALPN.
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http1AndHttp2",
            ["Kestrel:Endpoints:Grpc:Url"] = $"https://127.0.0.1:{ports[0]}",
            ["Directory:Tls:AllowPlaintextOnLoopback"] = "false",
            ["Directory:Tls:CertificatePath"] = certPath,
            ["Directory:Tls:KeyPath"] = keyPath,
            ["Directory:Storage:Mode"] = "Memory",
        });
        builder.AddDirectorySilo();
        await using var app = builder.Build();
        app.MapDirectorySilo();
        await app.StartAsync();

        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{ports[0]}", new GrpcChannelOptions { HttpHandler = handler });
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);

        var httpHandler = new SocketsHttpHandler();
        httpHandler.SslOptions.RemoteCertificateValidationCallback = handler.SslOptions.RemoteCertificateValidationCallback;
        using var http1 = new HttpClient(httpHandler) { DefaultRequestVersion = System.Net.HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var scim = await http1.GetAsync($"https://127.0.0.1:{ports[0]}/scim/v2/ServiceProviderConfig");
        Assert.Equal((System.Net.HttpVersion.Version11, System.Net.HttpStatusCode.Unauthorized), (scim.Version, scim.StatusCode));
        Assert.Equal("application/scim+json", scim.Content.Headers.ContentType?.MediaType);

        using var plaintext = GrpcChannel.ForAddress($"http://127.0.0.1:{ports[0]}");
        await Assert.ThrowsAnyAsync<Exception>(async () => await new Health.HealthClient(plaintext).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5)));
        await app.StopAsync();
    }

    [Fact]
    public void ASilo_RefusesToStart_OnAPlaintextEndpointThatIsNotLoopback()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = "http://0.0.0.0:5999",
            ["Directory:Tls:AllowPlaintextOnLoopback"] = "true",
        });
        var error = Assert.Throws<OptionsValidationException>(() => builder.AddDirectorySilo());
        Assert.Contains("non-loopback", error.Message);
    }

    private static (X509Certificate2 Certificate, string CertPath, string KeyPath) SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var folder = Directory.CreateTempSubdirectory("tls-").FullName;
        var certPath = Path.Combine(folder, "tls.crt");
        var keyPath = Path.Combine(folder, "tls.key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificate, certPath, keyPath);
    }
}
