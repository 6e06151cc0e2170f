using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectoryService.Security;

/// <summary>
/// A local RSA key for development and tests: the silo trusts its public half, and local tools
/// (dirctl, the load generator, tests) mint tokens with it. Never used unless configured.
/// </summary>
public sealed class DevelopmentSigningKey
{
    public const string Issuer = "https://directory.local/dev";
    public const string Audience = "api://directory";

    private readonly RSA _rsa;

    private DevelopmentSigningKey(RSA rsa)
    {
        _rsa = rsa;
        Key = new RsaSecurityKey(rsa) { KeyId = "dev-" + Convert.ToHexStringLower(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16] };
    }

    public RsaSecurityKey Key { get; }

    /// <summary>The public key, in PEM, for <c>Directory:Auth:SigningKeys</c>.</summary>
    public string PublicKeyPem => _rsa.ExportSubjectPublicKeyInfoPem();

    public static DevelopmentSigningKey Create() => new(RSA.Create(2048));

    /// <summary>Loads the private key from a PEM file, creating the file (readable by its owner only) if missing.</summary>
    public static DevelopmentSigningKey LoadOrCreate(string path)
    {
        var rsa = RSA.Create(2048);
        rsa.ImportFromPem(DevelopmentSecretFile.ReadOrCreate(path, () => RSA.Create(2048).ExportPkcs8PrivateKeyPem()));
        return new DevelopmentSigningKey(rsa);
    }

    /// <summary>Mints a token for <paramref name="tenant"/> carrying exactly the given extra claims (e.g. delegated scopes).</summary>
    public string MintWithClaims(string tenant, IEnumerable<Claim> claims) =>
        Write([new Claim(DirectoryClaims.Subject, "dev-user"), new Claim(DirectoryClaims.Tenant, tenant), .. claims], TimeSpan.FromHours(1), Issuer, Audience);

    /// <summary>Mints a token for an application acting in <paramref name="tenant"/> (null for operators) with the given permissions.</summary>
    public string Mint(string? tenant, IEnumerable<string> roles, TimeSpan? lifetime = null, string subject = "dev-app", string issuer = Issuer, string audience = Audience)
    {
        var claims = new List<Claim> { new(DirectoryClaims.Subject, subject), new(DirectoryClaims.App, subject) };
        if (tenant is not null)
        {
            claims.Add(new Claim(DirectoryClaims.Tenant, tenant));
        }

        claims.AddRange(roles.Select(r => new Claim(DirectoryClaims.Roles, r)));
        return Write(claims, lifetime ?? TimeSpan.FromHours(1), issuer, audience);
    }

    private string Write(List<Claim> claims, TimeSpan life, string issuer, string audience)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = life < TimeSpan.Zero ? now + life - TimeSpan.FromMinutes(10) : now,
            NotBefore = life < TimeSpan.Zero ? now + life - TimeSpan.FromMinutes(10) : now,
            Expires = now + life,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
        });
    }
}
