using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Security;

/// <summary>Every RPC of directory.v1, each with a request that passes validation, callable with any credentials.</summary>
public static class Rpcs
{
    private static string Id() => Guid.NewGuid().ToString();

    private static DirectoryObjectRef User() => new() { Id = Id(), Type = ObjectType.User };

    public static readonly IReadOnlyDictionary<string, Func<CallInvoker, string, Task>> All = new Dictionary<string, Func<CallInvoker, string, Task>>
    {
        ["Tenants/CreateTenant"] = async (c, _) => await new V1.Tenants.TenantsClient(c).CreateTenantAsync(new CreateTenantRequest { TenantId = "m" + Id()[..8], Tenant = new Tenant { DisplayName = "m", VerifiedDomains = { "m.example.com" } } }),
        ["Tenants/GetTenant"] = async (c, t) => await new V1.Tenants.TenantsClient(c).GetTenantAsync(new GetTenantRequest { Id = t }),
        ["Tenants/UpdateTenant"] = async (c, t) => await new V1.Tenants.TenantsClient(c).UpdateTenantAsync(new UpdateTenantRequest { Tenant = new Tenant { Id = t, DisplayName = "renamed" }, UpdateMask = new FieldMask { Paths = { "display_name" } } }),
        ["Tenants/DeleteTenant"] = async (c, _) => await new V1.Tenants.TenantsClient(c).DeleteTenantAsync(new DeleteTenantRequest { Id = "absent-" + Id()[..8] }),
        ["Tenants/ListTenants"] = async (c, _) => await new V1.Tenants.TenantsClient(c).ListTenantsAsync(new ListTenantsRequest()),
        ["Users/CreateUser"] = async (c, t) => await new V1.Users.UsersClient(c).CreateUserAsync(new CreateUserRequest { User = new V1.User { UserPrincipalName = $"u{Id()[..8]}@{t}.example.com", DisplayName = "u" } }),
        ["Users/GetUser"] = async (c, _) => await new V1.Users.UsersClient(c).GetUserAsync(new GetUserRequest { Id = Id() }),
        ["Users/UpdateUser"] = async (c, _) => await new V1.Users.UsersClient(c).UpdateUserAsync(new UpdateUserRequest { User = new V1.User { Id = Id(), DisplayName = "x" }, UpdateMask = new FieldMask { Paths = { "display_name" } } }),
        ["Users/DeleteUser"] = async (c, _) => await new V1.Users.UsersClient(c).DeleteUserAsync(new DeleteUserRequest { Id = Id() }),
        ["Users/RestoreUser"] = async (c, _) => await new V1.Users.UsersClient(c).RestoreUserAsync(new RestoreUserRequest { Id = Id() }),
        ["Users/ListUsers"] = async (c, _) => await new V1.Users.UsersClient(c).ListUsersAsync(new ListUsersRequest()),
        ["Users/BatchGetUsers"] = async (c, _) => await new V1.Users.UsersClient(c).BatchGetUsersAsync(new BatchGetUsersRequest { Ids = { Id() } }),
        ["Groups/CreateGroup"] = async (c, _) => await new V1.Groups.GroupsClient(c).CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g" } }),
        ["Groups/GetGroup"] = async (c, _) => await new V1.Groups.GroupsClient(c).GetGroupAsync(new GetGroupRequest { Id = Id() }),
        ["Groups/UpdateGroup"] = async (c, _) => await new V1.Groups.GroupsClient(c).UpdateGroupAsync(new UpdateGroupRequest { Group = new Group { Id = Id(), DisplayName = "x" }, UpdateMask = new FieldMask { Paths = { "display_name" } } }),
        ["Groups/DeleteGroup"] = async (c, _) => await new V1.Groups.GroupsClient(c).DeleteGroupAsync(new DeleteGroupRequest { Id = Id() }),
        ["Groups/RestoreGroup"] = async (c, _) => await new V1.Groups.GroupsClient(c).RestoreGroupAsync(new RestoreGroupRequest { Id = Id() }),
        ["Groups/ListGroups"] = async (c, _) => await new V1.Groups.GroupsClient(c).ListGroupsAsync(new ListGroupsRequest()),
        ["Groups/BatchGetGroups"] = async (c, _) => await new V1.Groups.GroupsClient(c).BatchGetGroupsAsync(new BatchGetGroupsRequest { Ids = { Id() } }),
        ["Members/AddMembers"] = async (c, _) => await new V1.Members.MembersClient(c).AddMembersAsync(new AddMembersRequest { GroupId = Id(), Members = { User() } }),
        ["Members/RemoveMember"] = async (c, _) => await new V1.Members.MembersClient(c).RemoveMemberAsync(new RemoveMemberRequest { GroupId = Id(), Member = User() }),
        ["Members/ListMembers"] = async (c, _) => await new V1.Members.MembersClient(c).ListMembersAsync(new ListMembersRequest { GroupId = Id() }),
        ["Members/ListTransitiveMembers"] = async (c, _) => await new V1.Members.MembersClient(c).ListTransitiveMembersAsync(new ListMembersRequest { GroupId = Id() }),
        ["Members/ListMemberOf"] = async (c, _) => await new V1.Members.MembersClient(c).ListMemberOfAsync(new ListMemberOfRequest { Principal = User() }),
        ["Members/ListTransitiveMemberOf"] = async (c, _) => await new V1.Members.MembersClient(c).ListTransitiveMemberOfAsync(new ListMemberOfRequest { Principal = User() }),
        ["SignIn/CheckMemberGroups"] = async (c, _) => await new V1.SignIn.SignInClient(c).CheckMemberGroupsAsync(new CheckMemberGroupsRequest { Principal = User(), GroupIds = { Id() } }),
        ["SignIn/GetMemberGroups"] = async (c, _) => await new V1.SignIn.SignInClient(c).GetMemberGroupsAsync(new GetMemberGroupsRequest { Principal = User() }),
        ["SignIn/ResolveSignIn"] = async (c, t) => await new V1.SignIn.SignInClient(c).ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = $"nobody@{t}.example.com" }),
        ["Diagnostics/Ping"] = async (c, _) => await new V1.Diagnostics.DiagnosticsClient(c).PingAsync(new Empty()),
        ["Audit/ListAuditRecords"] = async (c, _) => await new V1.Audit.AuditClient(c).ListAuditRecordsAsync(new ListAuditRecordsRequest()),
        ["Audit/ListServiceAuditRecords"] = async (c, _) => await new V1.Audit.AuditClient(c).ListServiceAuditRecordsAsync(new ListServiceAuditRecordsRequest { Log = ServiceAuditLog.Unauthenticated, PageSize = 1 }),
        ["Import/ImportRecords"] = async (c, _) =>
        {
            // One record naming nothing that exists: rejected if allowed, so it changes nothing either way.
            using var call = new V1.Import.ImportClient(c).ImportRecords();
            await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { new ImportRecord { Membership = new ImportMembership { GroupExternalId = "none", MemberExternalId = "none" } } } });
            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        },
        ["Changes/DeltaUsers"] = async (c, _) => await new V1.Changes.ChangesClient(c).DeltaUsersAsync(new DeltaRequest { Latest = true }),
        ["Changes/DeltaGroups"] = async (c, _) => await new V1.Changes.ChangesClient(c).DeltaGroupsAsync(new DeltaRequest { Latest = true }),
        ["Changes/WatchChanges"] = async (c, _) =>
        {
            // Allowed: the first heartbeat comes at once.
            using var call = new V1.Changes.ChangesClient(c).WatchChanges(new WatchChangesRequest { Kind = ChangeKind.Users, HeartbeatSeconds = 1 });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        },
    };
}
