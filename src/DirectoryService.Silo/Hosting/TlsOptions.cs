using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace DirectoryService.Silo.Hosting;

/// <summary>
/// TLS of the public gRPC endpoint (section <c>Directory:Tls</c>). Endpoints must be https, except
/// that plaintext HTTP/2 may be allowed explicitly for loopback development.
/// </summary>
public sealed class TlsOptions
{
    public const string Section = "Directory:Tls";

    /// <summary>PEM certificate (chain) of the endpoint.</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>PEM private key of the certificate.</summary>
    public string KeyPath { get; set; } = "";

    /// <summary>Allows http:// endpoints on loopback addresses only (local development and tests).</summary>
    public bool AllowPlaintextOnLoopback { get; set; }

    /// <summary>The problems with serving <paramref name="urls"/> under these settings; none means it may start.</summary>
    public IEnumerable<string> Problems(IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                yield return $"endpoint '{url}' is not a URL";
            }
            else if (uri.Scheme == Uri.UriSchemeHttp && !AllowPlaintextOnLoopback)
            {
                yield return $"endpoint {url} is plaintext: use https:// with Directory:Tls:CertificatePath and Directory:Tls:KeyPath, " +
                    "or set Directory:Tls:AllowPlaintextOnLoopback=true for loopback development";
            }
            else if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri.Host))
            {
                yield return $"endpoint {url} is plaintext on a non-loopback address; Directory:Tls:AllowPlaintextOnLoopback allows loopback only";
            }
            else if (uri.Scheme == Uri.UriSchemeHttps && (string.IsNullOrWhiteSpace(CertificatePath) || string.IsNullOrWhiteSpace(KeyPath)))
            {
                yield return $"endpoint {url} is https: set Directory:Tls:CertificatePath and Directory:Tls:KeyPath";
            }
        }
    }

    public X509Certificate2? LoadCertificate() =>
        string.IsNullOrWhiteSpace(CertificatePath) ? null : X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
