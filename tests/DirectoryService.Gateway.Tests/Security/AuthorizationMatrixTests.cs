using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Security;
using DirectoryService.Testing;
using Grpc.Core;
using P = DirectoryService.Security.Permissions;

namespace DirectoryService.Gateway.Tests.Security;

/// <summary>Every RPC × every permission: allowed or PERMISSION_DENIED exactly as docs/security.md says.</summary>
[Collection(SiloCollection.Name)]
public sealed class AuthorizationMatrixTests(SiloFixture silo)
{
    private const string AnyToken = "(any valid token)";

    /// <summary>The table of docs/security.md, written out independently of the code's policies.</summary>
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["Tenants/CreateTenant"] = [P.Operator],
        ["Tenants/GetTenant"] = [P.Operator],
        ["Tenants/UpdateTenant"] = [P.Operator],
        ["Tenants/DeleteTenant"] = [P.Operator],
        ["Tenants/ListTenants"] = [P.Operator],
        ["Users/CreateUser"] = [P.DirectoryReadWrite],
        ["Users/GetUser"] = [P.UserRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["Users/UpdateUser"] = [P.DirectoryReadWrite],
        ["Users/DeleteUser"] = [P.DirectoryReadWrite],
        ["Users/RestoreUser"] = [P.DirectoryReadWrite],
        ["Users/ListUsers"] = [P.UserRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["Users/BatchGetUsers"] = [P.UserRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["Groups/CreateGroup"] = [P.DirectoryReadWrite],
        ["Groups/GetGroup"] = [P.GroupRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["Groups/UpdateGroup"] = [P.DirectoryReadWrite],
        ["Groups/DeleteGroup"] = [P.DirectoryReadWrite],
        ["Groups/RestoreGroup"] = [P.DirectoryReadWrite],
        ["Groups/ListGroups"] = [P.GroupRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["Groups/BatchGetGroups"] = [P.GroupRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["Members/AddMembers"] = [P.DirectoryReadWrite],
        ["Members/RemoveMember"] = [P.DirectoryReadWrite],
        ["Members/ListMembers"] = [P.GroupMemberRead, P.GroupRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["Members/ListTransitiveMembers"] = [P.GroupMemberRead, P.GroupRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["Members/ListMemberOf"] = [P.GroupMemberRead, P.GroupRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["Members/ListTransitiveMemberOf"] = [P.GroupMemberRead, P.GroupRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["SignIn/CheckMemberGroups"] = [P.GroupMemberRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["SignIn/GetMemberGroups"] = [P.GroupMemberRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["SignIn/ResolveSignIn"] = [P.GroupMemberRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["Diagnostics/Ping"] = [AnyToken],
        ["Audit/ListAuditRecords"] = [P.AuditRead],
        ["Audit/ListServiceAuditRecords"] = [P.Operator],
        ["Import/ImportRecords"] = [P.DirectoryReadWrite],
        ["Changes/DeltaUsers"] = [P.UserRead, P.DirectoryRead, P.DirectoryReadWrite],
        ["Changes/DeltaGroups"] = [P.GroupRead, P.DirectoryRead, P.DirectoryReadWrite],
        // The call follows users: Group.Read.All passes the RPC's policy but not the kind's.
        ["Changes/WatchChanges"] = [P.UserRead, P.DirectoryRead, P.DirectoryReadWrite],
    };

    [Fact]
    public void EveryRpc_HasAnExpectation()
    {
        Assert.Equal(Expected.Keys.Order(), Rpcs.All.Keys.Order());
        Assert.Equal(Expected.Keys.Order(), DirectoryService.Gateway.Rpcs.RpcCatalog.Descriptions.Select(r => r.FullMethod["/directory.v1.".Length..]).Order());
    }

    [Fact]
    public async Task EveryRpc_AllowsExactlyItsPermissions()
    {
        var t = await silo.NewTenantAsync();
        var failures = new List<string>();
        foreach (var permission in P.All.Append("(none)"))
        {
            var caller = silo.Authorized(ClusterSettings.Token(t.Id, permission == "(none)" ? [] : [permission]));
            foreach (var (rpc, call) in Rpcs.All)
            {
                var allowed = Expected[rpc].Contains(permission) || Expected[rpc].Contains(AnyToken);
                var status = await Outcomes.StatusOf(() => call(caller, t.Id));
                var denied = status is StatusCode.PermissionDenied or StatusCode.Unauthenticated;
                if (allowed == denied)
                {
                    failures.Add($"{rpc} with {permission}: {status}, expected {(allowed ? "allowed" : "PermissionDenied")}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task DelegatedScopes_CountLikeApplicationRoles()
    {
        var t = await silo.NewTenantAsync();
        var caller = silo.Authorized(SigningKeyScopes(t.Id, $"openid {P.DirectoryRead}"));
        Assert.Equal(StatusCode.OK, await Outcomes.StatusOf(() => Rpcs.All["Users/ListUsers"](caller, t.Id)));
        Assert.Equal(StatusCode.PermissionDenied, await Outcomes.StatusOf(() => Rpcs.All["Users/CreateUser"](caller, t.Id)));
    }

    private static string SigningKeyScopes(string tenant, string scopes) =>
        ClusterSettings.SigningKey.MintWithClaims(tenant, [new System.Security.Claims.Claim(DirectoryClaims.Scopes, scopes)]);
}
