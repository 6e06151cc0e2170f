using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DirectoryService.Cli;

/// <summary>The HTTP handler of the channel: system trust, plus an extra root when one is given (a development certificate).</summary>
public static class Tls
{
    public static SocketsHttpHandler Handler(string? caFile)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (caFile is null)
        {
            return handler;
        }

        if (!File.Exists(caFile))
        {
            throw new UsageException($"--ca '{caFile}' does not exist");
        }

        X509Certificate2 root;
        try
        {
            root = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        }
        catch (CryptographicException e)
        {
            throw new UsageException($"--ca '{caFile}' is not a PEM certificate ({e.Message})");
        }

        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        return handler;
    }
}
