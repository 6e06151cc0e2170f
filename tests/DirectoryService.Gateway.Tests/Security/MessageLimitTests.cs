using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Security;

[Collection(SiloCollection.Name)]
public sealed class MessageLimitTests(SiloFixture silo)
{
    [Fact]
    public async Task AnOversizedMessage_IsRefusedWithResourceExhausted_AndChangesNothing()
    {
        var t = await silo.NewTenantAsync();
        var huge = new User { UserPrincipalName = t.Upn("huge"), DisplayName = new string('x', 5 * 1024 * 1024) };

        var error = await Assert.ThrowsAsync<RpcException>(async () => await t.Users.CreateUserAsync(new CreateUserRequest { User = huge }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Empty((await t.Users.ListUsersAsync(new ListUsersRequest())).Users);
    }
}
