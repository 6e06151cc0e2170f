using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using DirectoryService.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Audit;

[Collection(SiloCollection.Name)]
public sealed class AuditLogTests(SiloFixture silo)
{
    private async Task<List<V1.AuditRecord>> RecordsAsync(TestTenant t, Timestamp? from = null, int pageSize = 999)
    {
        var client = new V1.Audit.AuditClient(silo.Authorized(ClusterSettings.Token(t.Id, Permissions.AuditRead)));
        var records = new List<V1.AuditRecord>();
        var request = new ListAuditRecordsRequest { PageSize = pageSize, StartTime = from };
        do
        {
            var page = await client.ListAuditRecordsAsync(request);
            records.AddRange(page.Records);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");
        return records;
    }

    [Fact]
    public async Task EveryWrite_LeavesExactlyOneRecord_WithWhoWhatWhereAndResult()
    {
        var t = await silo.NewTenantAsync();
        var start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(-1));
        var user = await t.CreateUserAsync("audited", u => u.Department = "Sales");
        var group = await t.CreateGroupAsync();
        await t.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = user.Id, JobTitle = "Boss" }, UpdateMask = new FieldMask { Paths = { "job_title" } } });
        await t.AddAsync(group, user);
        await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id });
        await t.Users.ListUsersAsync(new ListUsersRequest());

        var records = (await RecordsAsync(t, start)).Where(r => r.Operation.StartsWith("/directory.v1.Users", StringComparison.Ordinal) || r.Operation.StartsWith("/directory.v1.Groups", StringComparison.Ordinal) || r.Operation.StartsWith("/directory.v1.Members", StringComparison.Ordinal)).ToList();

        Assert.Equal(["/directory.v1.Users/CreateUser", "/directory.v1.Groups/CreateGroup", "/directory.v1.Users/UpdateUser", "/directory.v1.Members/AddMembers"], records.Select(r => r.Operation));
        var create = records[0];
        Assert.Equal("OK", create.Result);
        Assert.Equal("dev-app", create.Subject);
        Assert.Equal("dev-app", create.App);
        Assert.Contains(user.Id, create.TargetIds);
        Assert.Equal(["user_principal_name", "display_name", "department"], create.ChangedProperties);
        Assert.DoesNotContain("Sales", create.ToString());
        Assert.Matches("^[0-9a-f]{32}$", create.CorrelationId);
        Assert.Equal(["job_title"], records[2].ChangedProperties);
        Assert.Equal([group.Id, user.Id], records[3].TargetIds);
    }

    [Fact]
    public async Task RefusedWritesAndDeniedAttempts_AreRecorded()
    {
        var t = await silo.NewTenantAsync();
        await RpcAssert.Fails(StatusCode.InvalidArgument, "user.display_name", () => t.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = t.Upn("x") } }).ResponseAsync);
        var reader = new V1.Users.UsersClient(silo.Authorized(ClusterSettings.Token(t.Id, Permissions.UserRead)));
        await Assert.ThrowsAsync<RpcException>(async () => await reader.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = t.Upn("y"), DisplayName = "y" } }));

        var records = (await RecordsAsync(t)).Where(r => r.Operation.Contains("CreateUser", StringComparison.Ordinal)).ToList();
        Assert.Equal(["InvalidArgument", "PermissionDenied"], records.Select(r => r.Result));
    }

    [Fact]
    public async Task Records_AreReadInTimeOrder_PagedAndFilteredByTime()
    {
        var t = await silo.NewTenantAsync();
        for (var i = 0; i < 5; i++)
        {
            await t.CreateGroupAsync("g" + i);
        }

        var all = await RecordsAsync(t);
        var paged = await RecordsAsync(t, pageSize: 2);
        Assert.Equal(all.Select(r => r.Id), paged.Select(r => r.Id));
        Assert.Equal(all.Select(r => r.Id).Order(StringComparer.Ordinal), all.Select(r => r.Id));

        var later = await RecordsAsync(t, all[3].Time);
        Assert.Equal(all.Skip(3).Select(r => r.Id), later.Select(r => r.Id));
    }

    [Fact]
    public async Task ATenantReadsOnlyItsOwnRecords()
    {
        var a = await silo.NewTenantAsync();
        var b = await silo.NewTenantAsync();
        var group = await b.CreateGroupAsync("secret");
        Assert.DoesNotContain(await RecordsAsync(a), r => r.TargetIds.Contains(group.Id));
        Assert.Contains(await RecordsAsync(b), r => r.TargetIds.Contains(group.Id));
    }
}
