using System.Net;
using System.Text.Json.Nodes;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Scim.Tests;

/// <summary>
/// The request sequences Microsoft Entra ID and Okta send in a provisioning cycle, written from their
/// published SCIM guides (Entra ID: "Develop a SCIM endpoint", its request examples; Okta: "SCIM 2.0
/// protocol reference"), replayed with the answers checked — including each client's quirks.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class ProvisioningCycleTests(SiloFixture silo)
{
    private const string Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    private static string Filter(string filter) => Uri.EscapeDataString(filter);

    [Fact]
    public async Task EntraId_CreatesUpdatesDisablesUsers_AndManagesGroupMembers()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var upn = t.Upn("Test_User_dfeef4c5");

        // Entra ID asks for the user by its matching attribute before creating it.
        var lookup = await scim.GetAsync($"/Users?filter={Filter($"userName eq \"{upn}\"")}");
        Assert.Equal(0, lookup.Body!["totalResults"]!.GetValue<int>());
        var created = await scim.PostAsync("/Users", JsonNode.Parse($$"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","{{Enterprise}}"],
             "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"{{upn}}","active":true,
             "emails":[{"primary":true,"type":"work","value":"Test_User_11bb6097@testuser.com"}],
             "meta":{"resourceType":"User"},
             "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
             "roles":[]}
            """)!);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("givenName familyName", created.Text("displayName"));
        Assert.Equal(1, (await scim.GetAsync($"/Users?filter={Filter($"userName eq \"{upn}\"")}")).Body!["totalResults"]!.GetValue<int>());

        var updated = await scim.PatchAsync($"/Users/{created.Id}", JsonNode.Parse("""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
                           {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
                           {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"701984"}]}
            """)!);
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        var renamed = t.Upn("renamed_dfeef4c5");
        await scim.PatchAsync($"/Users/{created.Id}", ScimClient.Patch(ScimClient.Op("Replace", "userName", renamed)));
        await scim.PatchAsync($"/Users/{created.Id}", ScimClient.Patch(ScimClient.Op("Replace", "active", false)));

        var user = await t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = renamed });
        Assert.Equal(("updatedEmail@microsoft.com", "updatedFamilyName", "701984", false), (user.Mail, user.Surname, user.EmployeeId, user.AccountEnabled));
        Assert.False((await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = renamed })).AccountEnabled);

        var group = await scim.PostAsync("/Groups", JsonNode.Parse("""
            {"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName","meta":{"resourceType":"Group"},
             "schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}
            """)!);
        Assert.Equal(HttpStatusCode.Created, group.Status);
        Assert.Null((await scim.GetAsync($"/Groups/{group.Id}?excludedAttributes=members")).Body!["members"]);
        var byName = await scim.GetAsync($"/Groups?excludedAttributes=members&filter={Filter("displayName eq \"displayName\"")}");
        Assert.Equal(group.Id, byName.Body!["Resources"]![0]!["id"]!.GetValue<string>());

        await scim.PatchAsync($"/Groups/{group.Id}", JsonNode.Parse($$"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"{{created.Id}}"}]}]}
            """)!);
        await scim.PatchAsync($"/Groups/{group.Id}", ScimClient.Patch(ScimClient.Op("Replace", "displayName", "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName")));
        Assert.Equal([group.Id], (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = TestTenant.Ref(user) })).GroupIds);

        await scim.PatchAsync($"/Groups/{group.Id}", JsonNode.Parse($$"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"{{created.Id}}"}]}]}
            """)!);
        Assert.Empty((await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id })).Members);

        Assert.Equal(HttpStatusCode.NoContent, (await scim.DeleteAsync($"/Groups/{group.Id}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await scim.DeleteAsync($"/Users/{created.Id}")).Status);
        (await scim.GetAsync($"/Users/{created.Id}")).AssertError(HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task Okta_CreatesReplacesDeactivatesUsers_AndPushesGroups()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var upn = t.Upn("test.user");

        Assert.Equal(0, (await scim.GetAsync($"/Users?filter={Filter($"userName eq \"{upn}\"")}&startIndex=1&count=100")).Body!["totalResults"]!.GetValue<int>());
        var created = await scim.PostAsync("/Users", JsonNode.Parse($$"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{{upn}}",
             "name":{"givenName":"Test","familyName":"User"},
             "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
             "displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7",
             "groups":[],"password":"1mz050nq","active":true}
            """)!);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Null(created.Body!["password"]);

        var replaced = await scim.PutAsync($"/Users/{created.Id}", JsonNode.Parse($$"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"{{created.Id}}","userName":"{{upn}}",
             "name":{"givenName":"Another","familyName":"User"},
             "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
             "displayName":"Another User","externalId":"00ujl29u0le5T6Aj10h7","active":true}
            """)!);
        Assert.Equal(("Another User", "Another"), (replaced.Text("displayName"), replaced.Body!["name"]!["givenName"]!.GetValue<string>()));

        var deactivated = await scim.PatchAsync($"/Users/{created.Id}", JsonNode.Parse("""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}
            """)!);
        Assert.False(deactivated.Body!["active"]!.GetValue<bool>());

        var group = await scim.PostAsync("/Groups", JsonNode.Parse("""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[]}
            """)!);
        var renamed = await scim.PatchAsync($"/Groups/{group.Id}", JsonNode.Parse($$$"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"{{{group.Id}}}","displayName":"Test SCIMv2 renamed"}}]}
            """)!);
        Assert.Equal("Test SCIMv2 renamed", renamed.Text("displayName"));

        await scim.PatchAsync($"/Groups/{group.Id}", JsonNode.Parse($$"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"{{created.Id}}","display":"{{upn}}"}]}]}
            """)!);
        Assert.Equal([created.Id], (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id })).Members.Select(m => m.Id));
        await scim.PatchAsync($"/Groups/{group.Id}", JsonNode.Parse($$"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"{{created.Id}}\"]"}]}
            """)!);
        Assert.Empty((await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id })).Members);

        var groups = await scim.GetAsync("/Groups?startIndex=1&count=100");
        Assert.Equal(1, groups.Body!["totalResults"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NoContent, (await scim.DeleteAsync($"/Groups/{group.Id}")).Status);
    }
}
