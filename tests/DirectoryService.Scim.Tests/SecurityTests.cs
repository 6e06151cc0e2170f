using System.Net;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using DirectoryService.Testing;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Scim.Tests;

/// <summary>Over SCIM as over gRPC: bearer tokens, the tenant from the token, permissions, and the same audit log.</summary>
[Collection(SiloCollection.Name)]
public sealed class SecurityTests(SiloFixture silo)
{
    [Fact]
    public async Task NoToken_Is401_AndAMissingPermission_Is403_InTheErrorSchema()
    {
        var t = await silo.NewTenantAsync();
        (await new ScimClient(silo, null).GetAsync("/Users")).AssertError(HttpStatusCode.Unauthorized, null, "no bearer token");
        (await new ScimClient(silo, "garbage").GetAsync("/Users")).AssertError(HttpStatusCode.Unauthorized, null, "not a well-formed JWT");
        var reader = ScimClient.For(silo, t, Permissions.UserRead);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/Users")).Status);
        (await reader.PostAsync("/Users", ScimClient.User(t.Upn("x")))).AssertError(HttpStatusCode.Forbidden, null, Permissions.DirectoryReadWrite);
        (await reader.GetAsync("/Groups")).AssertError(HttpStatusCode.Forbidden, null, Permissions.GroupRead);
        Assert.Empty((await t.Users.ListUsersAsync(new ListUsersRequest())).Users);
    }

    [Fact]
    public async Task WritesAndRefusals_AreAudited_InTheTenantsLog()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var id = (await scim.PostAsync("/Users", ScimClient.User(t.Upn("audited")))).Id;
        await scim.PostAsync("/Users", ScimClient.User(t.Upn("audited")));
        await ScimClient.For(silo, t, Permissions.UserRead).DeleteAsync($"/Users/{id}");

        var audit = new V1.Audit.AuditClient(silo.Authorized(ClusterSettings.Token(t.Id, Permissions.AuditRead)));
        var records = (await audit.ListAuditRecordsAsync(new ListAuditRecordsRequest())).Records;
        Assert.Contains(records, r => r.Operation == "SCIM POST /scim/v2/Users" && r.Result == "OK" && r.TargetIds.SequenceEqual([id]));
        Assert.Contains(records, r => r.Operation == "SCIM POST /scim/v2/Users" && r.Result == "AlreadyExists");
        Assert.Contains(records, r => r.Operation == $"SCIM DELETE /scim/v2/Users/{id}" && r.Result == "PermissionDenied" && r.TargetIds.SequenceEqual([id]));
    }

    [Fact]
    public async Task AnotherTenantsObjects_AnswerLikeUnknownOnes()
    {
        var victim = await silo.NewTenantAsync();
        var user = await victim.CreateUserAsync("victim");
        var attacker = ScimClient.For(silo, await silo.NewTenantAsync());
        foreach (var response in new[]
        {
            await attacker.GetAsync($"/Users/{user.Id}"),
            await attacker.PatchAsync($"/Users/{user.Id}", ScimClient.Patch(ScimClient.Op("replace", "title", "pwned"))),
            await attacker.DeleteAsync($"/Users/{user.Id}"),
        })
        {
            response.AssertError(HttpStatusCode.NotFound, null);
        }

        Assert.Equal(0, (await attacker.GetAsync($"/Users?filter=userName eq \"{user.UserPrincipalName}\"")).Body!["totalResults"]!.GetValue<int>());
        Assert.Equal("", (await victim.Users.GetUserAsync(new GetUserRequest { Id = user.Id })).JobTitle);
    }

    [Fact]
    public async Task AnUnsupportedBodyType_Is415()
    {
        var t = await silo.NewTenantAsync();
        var response = await ScimClient.For(silo, t).SendAsync(HttpMethod.Post, "/Users", ScimClient.User(t.Upn("x")), contentType: "text/plain");
        response.AssertError(HttpStatusCode.UnsupportedMediaType, null);
    }
}
