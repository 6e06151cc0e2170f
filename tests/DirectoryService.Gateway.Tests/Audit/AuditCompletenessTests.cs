using DirectoryService.Gateway.Rpcs;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using DirectoryService.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Audit;

/// <summary>No write runs without its record; refusals name their targets; the logs of no tenant are readable by operators.</summary>
[Collection(SiloCollection.Name)]
public sealed class AuditCompletenessTests(SiloFixture silo)
{
    /// <summary>The writes of directory.v1, written out independently of the protos that declare them.</summary>
    private static readonly string[] Writes =
    [
        "/directory.v1.Tenants/CreateTenant", "/directory.v1.Tenants/UpdateTenant", "/directory.v1.Tenants/DeleteTenant",
        "/directory.v1.Users/CreateUser", "/directory.v1.Users/UpdateUser", "/directory.v1.Users/DeleteUser", "/directory.v1.Users/RestoreUser",
        "/directory.v1.Groups/CreateGroup", "/directory.v1.Groups/UpdateGroup", "/directory.v1.Groups/DeleteGroup", "/directory.v1.Groups/RestoreGroup",
        "/directory.v1.Members/AddMembers", "/directory.v1.Members/RemoveMember", "/directory.v1.Import/ImportRecords",
    ];

    [Fact]
    public void TheWrites_AreTheRpcsTheirProtosDeclareWrites() =>
        Assert.Equal(Writes.Order(), RpcCatalog.Descriptions.Where(r => r.IsWrite).Select(r => r.FullMethod).Order());

    [Fact]
    public async Task AWritesRecord_IsStoredBeforeTheWriteTouchesAGrain_AndSettledAfter()
    {
        var t = await silo.NewTenantAsync();
        var before = silo.Audit.Steps.Count;
        var group = await t.CreateGroupAsync("ordered");

        var steps = silo.Audit.Steps.Skip(before).Where(s => s.Operation == "/directory.v1.Groups/CreateGroup").ToList();
        Assert.Equal(["append", "settle"], steps.Select(s => s.Step));
        Assert.Equal("PENDING", steps[0].Result);
        Assert.Equal("OK", steps[1].Result);
        Assert.True(steps[1].GrainCalls > steps[0].GrainCalls, "the group was created between the pending record and its settlement");

        var record = Assert.Single(await silo.AuditRecordsAsync(t.Id), r => r.Operation.EndsWith("/CreateGroup", StringComparison.Ordinal));
        Assert.Equal("OK", record.Result);
        Assert.Equal([group.Id], record.TargetIds);
    }

    [Fact]
    public async Task WhileTheAuditLogIsUnavailable_WritesAreRefused_AndChangeNothing()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("steady");
        var calls = silo.GrainCalls.Calls;
        silo.Audit.Unavailable = true;
        try
        {
            await RpcAssert.Fails(StatusCode.Unavailable, null, () => t.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "unaudited" } }));
            await RpcAssert.Fails(StatusCode.Unavailable, null, () => t.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = user.Id, DisplayName = "unaudited" }, UpdateMask = new FieldMask { Paths = { "display_name" } } }));
            Assert.Equal(calls, silo.GrainCalls.Calls);
        }
        finally
        {
            silo.Audit.Unavailable = false;
        }

        Assert.Empty((await t.Groups.ListGroupsAsync(new ListGroupsRequest())).Groups);
        Assert.Equal("User steady", (await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id })).DisplayName);
    }

    [Fact]
    public async Task DeniedAttempts_AreRecorded_WithTheTargetsTheyNamed()
    {
        var t = await silo.NewTenantAsync();
        var victim = await t.CreateUserAsync("victim");
        var group = await t.CreateGroupAsync("guarded");
        var reader = silo.Authorized(ClusterSettings.Token(t.Id, Permissions.UserRead));
        await Assert.ThrowsAsync<RpcException>(async () => await new V1.Users.UsersClient(reader).DeleteUserAsync(new DeleteUserRequest { Id = victim.Id }));
        await Assert.ThrowsAsync<RpcException>(async () => await new V1.Members.MembersClient(reader).AddMembersAsync(new AddMembersRequest { GroupId = group.Id, Members = { TestTenant.Ref(victim) } }));

        var denied = (await silo.AuditRecordsAsync(t.Id)).Where(r => r.Result == "PermissionDenied").ToList();
        Assert.Contains(denied, r => r.Operation == "/directory.v1.Users/DeleteUser" && r.TargetIds.SequenceEqual([victim.Id]));
        Assert.Contains(denied, r => r.Operation == "/directory.v1.Members/AddMembers" && r.TargetIds.SequenceEqual([group.Id, victim.Id]));
    }

    [Fact]
    public async Task UnauthenticatedAttempts_AreReadableByOperators_AndOnlyByThem()
    {
        var probe = Guid.NewGuid().ToString();
        var anonymous = new V1.Groups.GroupsClient(silo.Channel.CreateCallInvoker());
        await Assert.ThrowsAsync<RpcException>(async () => await anonymous.DeleteGroupAsync(new DeleteGroupRequest { Id = probe }));

        var operators = new V1.Audit.AuditClient(silo.Authorized(ClusterSettings.Token(null, Permissions.Operator)));
        var records = new List<V1.AuditRecord>();
        var request = new ListServiceAuditRecordsRequest { Log = ServiceAuditLog.Unauthenticated, PageSize = 999 };
        do
        {
            var page = await operators.ListServiceAuditRecordsAsync(request);
            records.AddRange(page.Records);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");

        var record = Assert.Single(records, r => r.TargetIds.Contains(probe));
        Assert.Equal("Unauthenticated", record.Result);
        Assert.Equal("/directory.v1.Groups/DeleteGroup", record.Operation);

        var t = await silo.NewTenantAsync();
        var auditor = new V1.Audit.AuditClient(silo.Authorized(ClusterSettings.Token(t.Id, Permissions.AuditRead)));
        await RpcAssert.Fails(StatusCode.PermissionDenied, null, () => auditor.ListServiceAuditRecordsAsync(new ListServiceAuditRecordsRequest { Log = ServiceAuditLog.Unauthenticated }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "log", () => operators.ListServiceAuditRecordsAsync(new ListServiceAuditRecordsRequest()));
    }
}
