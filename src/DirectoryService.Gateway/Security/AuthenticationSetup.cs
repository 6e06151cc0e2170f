using DirectoryService.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using System.Security.Cryptography;

namespace DirectoryService.Gateway.Security;

/// <summary>Bearer-token authentication and the per-RPC authorization policies.</summary>
public static class AuthenticationSetup
{
    /// <summary>Asymmetric algorithms only: no <c>none</c>, and no HMAC (a shared secret must never be a signing key here).</summary>
    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public static IServiceCollection AddDirectoryAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var problems = options.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions), problems);
        }

        var keys = options.SigningKeys.Select(LoadPublicKey).ToList();
        var issuers = options.Issuers.ToList();
        if (!string.IsNullOrWhiteSpace(options.DevelopmentSigningKeyFile))
        {
            keys.Add(DevelopmentSigningKey.LoadOrCreate(options.DevelopmentSigningKeyFile).Key);
            issuers.Add(DevelopmentSigningKey.Issuer);
        }

        var handler = new CachingTokenHandler(TimeProvider.System);
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenHandlers.Clear();
            jwt.TokenHandlers.Add(handler);
            jwt.RequireHttpsMetadata = true;
            if (!string.IsNullOrWhiteSpace(options.Authority))
            {
                jwt.Authority = options.Authority;
            }

            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidIssuers = issuers.Count > 0 ? issuers : null,
                ValidateAudience = true,
                ValidAudience = options.Audience,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
                IssuerSigningKeys = keys.Count > 0 ? keys : null,
                ValidAlgorithms = Algorithms,
                ClockSkew = TimeSpan.FromMinutes(1),
                NameClaimType = DirectoryClaims.Subject,
                RoleClaimType = DirectoryClaims.Roles,
            };
        });
        services.AddAuthorizationBuilder().AddDirectoryPolicies();
        return services;
    }

    /// <summary>A PEM public key (RSA or EC), given as text or as the path of a file.</summary>
    private static SecurityKey LoadPublicKey(string value)
    {
        var pem = value.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal) ? value : File.ReadAllText(value);
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
    }
}
