using System.Buffers.Text;
using System.Text;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Paging;

/// <summary>Page tokens are opaque and bound to tenant, method and filters: anything but the token of the previous page is INVALID_ARGUMENT.</summary>
[Collection(SiloCollection.Name)]
public sealed class PageTokenTests(SiloFixture silo)
{
    private static async Task<(TestTenant Tenant, string Token)> TenantWithTokenAsync(SiloFixture silo)
    {
        var t = await silo.NewTenantAsync();
        await t.CreateUserAsync("p1");
        await t.CreateUserAsync("p2");
        var page = await t.Users.ListUsersAsync(new ListUsersRequest { PageSize = 1 });
        Assert.NotEqual("", page.NextPageToken);
        return (t, page.NextPageToken);
    }

    [Fact]
    public async Task TheNextPageToken_ContinuesTheListing()
    {
        var (t, token) = await TenantWithTokenAsync(silo);
        var first = await t.Users.ListUsersAsync(new ListUsersRequest { PageSize = 1 });
        var second = await t.Users.ListUsersAsync(new ListUsersRequest { PageSize = 1, PageToken = token });
        Assert.Single(second.Users);
        Assert.NotEqual(first.Users[0].Id, second.Users[0].Id);
        Assert.Equal("", second.NextPageToken);
    }

    [Fact]
    public async Task AnyChangedCharacter_IsRefused()
    {
        var (t, token) = await TenantWithTokenAsync(silo);
        var failures = new List<string>();
        for (var i = 0; i < token.Length; i++)
        {
            var changed = token[..i] + (token[i] == 'A' ? 'B' : 'A') + token[(i + 1)..];
            var status = await DirectoryService.Testing.Outcomes.StatusOf(async () => await t.Users.ListUsersAsync(new ListUsersRequest { PageSize = 1, PageToken = changed }));
            if (status != StatusCode.InvalidArgument)
            {
                failures.Add($"character {i}: {status}");
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("AA")]
    [InlineData("MQ")]
    [InlineData("!!!")]
    [InlineData("MQoxMjM0NTY3ODlhYmNkZWYwCmE")]
    public async Task MadeUpTokens_AreRefused_NeverInternal(string token)
    {
        var t = await silo.NewTenantAsync();
        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_token", () => t.Users.ListUsersAsync(new ListUsersRequest { PageToken = token }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_token", () => t.Groups.ListGroupsAsync(new ListGroupsRequest { PageToken = token }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_token", () => t.Members.ListMembersAsync(new ListMembersRequest { GroupId = Guid.NewGuid().ToString(), PageToken = token }));
    }

    [Fact]
    public async Task AnOldStyleTokenWithAShortCursor_IsRefused()
    {
        var t = await silo.NewTenantAsync();
        var forged = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("1\n0000000000000000\nab"));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_token", () => t.Users.ListUsersAsync(new ListUsersRequest { PageToken = forged }));
    }

    [Fact]
    public async Task ATokenOfAnotherTenant_IsRefused()
    {
        var (_, token) = await TenantWithTokenAsync(silo);
        var other = await silo.NewTenantAsync();
        await other.CreateUserAsync("o1");
        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_token", () => other.Users.ListUsersAsync(new ListUsersRequest { PageSize = 1, PageToken = token }));
    }

    [Fact]
    public async Task ATokenOfOtherFiltersOrAnotherListing_IsRefused()
    {
        var (t, token) = await TenantWithTokenAsync(silo);
        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_token", () => t.Users.ListUsersAsync(new ListUsersRequest { PageSize = 1, PageToken = token, Department = "Sales" }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_token", () => t.Groups.ListGroupsAsync(new ListGroupsRequest { PageSize = 1, PageToken = token }));
    }
}
