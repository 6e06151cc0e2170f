using System.Text;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Security;
using DirectoryService.Testing;
using Grpc.Core;
using Microsoft.IdentityModel.Tokens;

namespace DirectoryService.Gateway.Tests.Security;

/// <summary>Every token that must not pass gets UNAUTHENTICATED, and no grain is touched.</summary>
[Collection(SiloCollection.Name)]
public sealed class AuthenticationTests(SiloFixture silo)
{
    private static readonly DevelopmentSigningKey Key = ClusterSettings.SigningKey;

    public static TheoryData<string> BadTokens => ["none", "garbage", "expired", "wrong-audience", "wrong-issuer", "bad-signature", "tampered", "alg-none"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadTokens_AreUnauthenticated_AndTouchNoGrain(string kind)
    {
        var t = await silo.NewTenantAsync();
        var before = silo.GrainCalls.Calls;

        foreach (var (rpc, call) in Rpcs.All)
        {
            var status = await Outcomes.StatusOf(() => call(Caller(kind, t.Id), t.Id));
            Assert.True(status == StatusCode.Unauthenticated, $"{rpc} with a {kind} token answered {status}");
        }

        Assert.Equal(before, silo.GrainCalls.Calls);
    }

    [Fact]
    public async Task AValidToken_Passes()
    {
        var t = await silo.NewTenantAsync();
        var status = await Outcomes.StatusOf(() => Rpcs.All["Users/ListUsers"](silo.Authorized(Key.Mint(t.Id, [Permissions.DirectoryRead])), t.Id));
        Assert.Equal(StatusCode.OK, status);
    }

    private CallInvoker Caller(string kind, string tenant)
    {
        var all = new[] { Permissions.DirectoryReadWrite, Permissions.Operator };
        return kind switch
        {
            "none" => silo.Channel.CreateCallInvoker(),
            "garbage" => silo.Authorized("not-a-jwt"),
            "expired" => silo.Authorized(Key.Mint(tenant, all, lifetime: TimeSpan.FromMinutes(-5))),
            "wrong-audience" => silo.Authorized(Key.Mint(tenant, all, audience: "api://someone-else")),
            "wrong-issuer" => silo.Authorized(Key.Mint(tenant, all, issuer: "https://issuer.example.org")),
            "bad-signature" => silo.Authorized(DevelopmentSigningKey.Create().Mint(tenant, all)),
            "tampered" => silo.Authorized(Tamper(Key.Mint(tenant, [Permissions.UserRead]))),
            "alg-none" => silo.Authorized(Unsigned(tenant, all)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    /// <summary>Swaps a valid token's payload for one granting more, keeping the original signature.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(Permissions.UserRead, Permissions.DirectoryReadWrite, StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
    }

    /// <summary>A token that claims to need no signature.</summary>
    private static string Unsigned(string tenant, string[] roles)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(
            $$"""{"iss":"{{DevelopmentSigningKey.Issuer}}","aud":"{{DevelopmentSigningKey.Audience}}","tid":"{{tenant}}","roles":["{{string.Join("\",\"", roles)}}"],"nbf":{{now - 60}},"exp":{{now + 3600}}}""");
        return $"{header}.{payload}.";
    }
}
