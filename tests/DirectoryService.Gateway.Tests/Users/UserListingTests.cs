using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Users;

[Collection(SiloCollection.Name)]
public sealed class UserListingTests(SiloFixture silo)
{
    [Fact]
    public async Task ListUsers_AppliesEveryFilter()
    {
        var t = await silo.NewTenantAsync();
        var ann = await t.CreateUserAsync("ann", u => { u.DisplayName = "Ann Archer"; u.Department = "Sales"; u.Mail = "ann@mail.example.com"; });
        var andy = await t.CreateUserAsync("andy", u => { u.DisplayName = "Andy Allen"; u.Department = "sales"; u.AccountEnabled = false; });
        var bea = await t.CreateUserAsync("bea", u => { u.DisplayName = "Bea Brown"; u.Department = "R&D"; });

        async Task<string[]> Ids(ListUsersRequest r) => [.. (await t.Users.ListUsersAsync(r)).Users.Select(u => u.Id).Order()];

        Assert.Equal(new[] { ann.Id, andy.Id }.Order(), await Ids(new ListUsersRequest { DisplayNamePrefix = "a" }));
        Assert.Equal(new[] { ann.Id, andy.Id }.Order(), await Ids(new ListUsersRequest { Department = "SALES" }));
        Assert.Equal([andy.Id], await Ids(new ListUsersRequest { Department = "sales", AccountEnabled = false }));
        Assert.Equal([ann.Id], await Ids(new ListUsersRequest { Mail = "ANN@mail.example.com" }));
        Assert.Equal([bea.Id], await Ids(new ListUsersRequest { UserPrincipalName = t.Upn("BEA") }));
        Assert.Empty(await Ids(new ListUsersRequest { DisplayNamePrefix = "Bea", Department = "Sales" }));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1000)]
    public async Task ListUsers_RejectsPageSizeOutOfRange(int size)
    {
        var t = await silo.NewTenantAsync();
        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_size", () => t.Users.ListUsersAsync(new ListUsersRequest { PageSize = size }));
    }

    [Fact]
    public async Task ListUsers_RejectsForeignOrForgedPageToken()
    {
        var t = await silo.NewTenantAsync();
        await t.CreateUserAsync("a1", u => u.Department = "x");
        await t.CreateUserAsync("a2", u => u.Department = "x");
        var first = await t.Users.ListUsersAsync(new ListUsersRequest { PageSize = 1, Department = "x" });
        Assert.NotEmpty(first.NextPageToken);

        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_token", () => t.Users.ListUsersAsync(new ListUsersRequest { PageSize = 1, PageToken = first.NextPageToken, Department = "y" }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_token", () => t.Users.ListUsersAsync(new ListUsersRequest { PageToken = "garbage!" }));
    }

    [Fact]
    public async Task ListUsers_RejectsOverlongFilter()
    {
        var t = await silo.NewTenantAsync();
        await RpcAssert.Fails(StatusCode.InvalidArgument, "display_name_prefix", () => t.Users.ListUsersAsync(new ListUsersRequest { DisplayNamePrefix = new string('a', 257) }));
    }

    [Fact]
    public async Task ListUsers_DefaultPageIs100()
    {
        var t = await silo.NewTenantAsync();
        await Task.WhenAll(Enumerable.Range(0, 101).Select(i => t.CreateUserAsync("d" + i)));
        var page = await t.Users.ListUsersAsync(new ListUsersRequest());
        Assert.Equal(100, page.Users.Count);
        Assert.NotEmpty(page.NextPageToken);
    }

    [Fact]
    public async Task ListUsers_Pages2500UsersExactlyOnce_WithPageSize999And1()
    {
        var t = await silo.NewTenantAsync();
        var created = new List<string>();
        foreach (var chunk in Enumerable.Range(0, 2500).Chunk(50))
        {
            var users = await Task.WhenAll(chunk.Select(i => t.CreateUserAsync("p" + i)));
            created.AddRange(users.Select(u => u.Id));
        }

        foreach (var size in new[] { 999, 1 })
        {
            var seen = new List<string>();
            var request = new ListUsersRequest { PageSize = size };
            do
            {
                var page = await t.Users.ListUsersAsync(request);
                Assert.True(page.Users.Count <= size);
                seen.AddRange(page.Users.Select(u => u.Id));
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken != "");

            Assert.Equal(created.Order(StringComparer.Ordinal), seen);
        }
    }
}
