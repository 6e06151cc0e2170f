using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using DirectoryService.Testing;
using Google.Rpc;
using Grpc.Core;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Security;

/// <summary>Refused credentials answer gRPC statuses that say what is missing, with ErrorInfo, never echoing the token.</summary>
[Collection(SiloCollection.Name)]
public sealed class AuthRefusalTests(SiloFixture silo)
{
    private static readonly DevelopmentSigningKey Key = ClusterSettings.SigningKey;

    public static TheoryData<string, string, string> BadTokens => new()
    {
        { "none", "MissingToken", "no bearer token" },
        { "not-a-jwt", "MalformedToken", "not a well-formed JWT" },
        { "expired", "TokenExpired", "expired" },
        { "wrong-audience", "WrongAudience", "not for this API" },
        { "bad-signature", "BadSignature", "signature" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task ARefusedToken_IsUnauthenticated_SayingWhy(string kind, string reason, string says)
    {
        var t = await silo.NewTenantAsync();
        var token = kind switch
        {
            "none" => null,
            "not-a-jwt" => "not-a-jwt",
            "expired" => Key.Mint(t.Id, [Permissions.DirectoryRead], lifetime: TimeSpan.FromMinutes(-5)),
            "wrong-audience" => Key.Mint(t.Id, [Permissions.DirectoryRead], audience: "api://someone-else"),
            _ => DevelopmentSigningKey.Create().Mint(t.Id, [Permissions.DirectoryRead]),
        };
        var users = new V1.Users.UsersClient(token is null ? silo.Channel.CreateCallInvoker() : silo.Authorized(token));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await users.ListUsersAsync(new ListUsersRequest()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains(says, error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP status", error.Status.Detail, StringComparison.Ordinal);
        if (token is not null)
        {
            Assert.DoesNotContain(token, error.Status.Detail + error.Trailers, StringComparison.Ordinal);
        }

        var info = error.GetRpcStatus()?.GetDetail<ErrorInfo>();
        Assert.Equal(reason, info?.Reason);
        Assert.Equal("directory.v1", info?.Domain);
    }

    [Fact]
    public async Task AMissingPermission_IsPermissionDenied_NamingThePermissionsTheCallNeeds()
    {
        var t = await silo.NewTenantAsync();
        var reader = new V1.Users.UsersClient(silo.Authorized(ClusterSettings.Token(t.Id, Permissions.UserRead)));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await reader.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = t.Upn("x"), DisplayName = "x" } }));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains(Permissions.DirectoryReadWrite, error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains($"the token grants {Permissions.UserRead}", error.Status.Detail, StringComparison.Ordinal);
        var info = error.GetRpcStatus()?.GetDetail<ErrorInfo>();
        Assert.Equal("MissingPermission", info?.Reason);
        Assert.Equal(Permissions.DirectoryReadWrite, info?.Metadata["required"]);
    }
}
