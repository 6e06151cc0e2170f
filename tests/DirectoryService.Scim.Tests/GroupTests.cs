using System.Net;
using System.Text.Json.Nodes;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Scim.Tests;

/// <summary>Groups over SCIM: members (users and nested groups, the cycle rule), PATCH forms, and answers that never load a large group unasked.</summary>
[Collection(SiloCollection.Name)]
public sealed class GroupTests(SiloFixture silo)
{
    private static JsonObject Group(string name, params string[] members) => new()
    {
        ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:Group"),
        ["displayName"] = name,
        ["members"] = new JsonArray([.. members.Select(m => new JsonObject { ["value"] = m })]),
    };

    private static JsonArray Values(params string[] ids) => new([.. ids.Select(id => new JsonObject { ["value"] = id })]);

    [Fact]
    public async Task CreateWithMembers_NestsGroups_AndSignInSeesIt()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var user = await t.CreateUserAsync("member");
        var inner = await scim.PostAsync("/Groups", Group("Inner", user.Id));
        var outer = await scim.PostAsync("/Groups", Group("Outer", inner.Id));
        Assert.Equal(HttpStatusCode.Created, outer.Status);
        Assert.Equal([("Group", inner.Id)], outer.Body!["members"]!.AsArray().Select(m => (m!["type"]!.GetValue<string>(), m["value"]!.GetValue<string>())));

        var groups = await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName, SecurityEnabledOnly = true });
        Assert.Equal(new[] { inner.Id, outer.Id }.Order(StringComparer.Ordinal), groups.GroupIds);

        var cycle = await scim.PatchAsync($"/Groups/{inner.Id}", ScimClient.Patch(ScimClient.Op("add", "members", Values(outer.Id))));
        cycle.AssertError(HttpStatusCode.BadRequest, "invalidValue", "cycle");

        // A PATCH naming a member that does not exist changes nothing, not even its other operations.
        var refused = await scim.PatchAsync($"/Groups/{inner.Id}", ScimClient.Patch(
            ScimClient.Op("replace", "displayName", "Renamed"),
            ScimClient.Op("add", "members", Values(Guid.NewGuid().ToString()))));
        refused.AssertError(HttpStatusCode.BadRequest, "invalidValue", "members");
        Assert.Equal("Inner", (await scim.GetAsync($"/Groups/{inner.Id}")).Text("displayName"));
        (await scim.PostAsync("/Groups", Group("Dangling", Guid.NewGuid().ToString()))).AssertError(HttpStatusCode.BadRequest, "invalidValue", "members");
    }

    [Fact]
    public async Task PatchMembers_AddAndRemove_InTheFormsEntraAndOktaSend()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var (a, b, c) = (await t.CreateUserAsync("a"), await t.CreateUserAsync("b"), await t.CreateUserAsync("c"));
        var group = await scim.PostAsync("/Groups", Group("Team"));

        Assert.Equal(HttpStatusCode.OK, (await scim.PatchAsync($"/Groups/{group.Id}", ScimClient.Patch(ScimClient.Op("Add", "members", Values(a.Id, b.Id, c.Id))))).Status);
        await scim.PatchAsync($"/Groups/{group.Id}", ScimClient.Patch(ScimClient.Op("Remove", "members", Values(a.Id))));
        await scim.PatchAsync($"/Groups/{group.Id}", ScimClient.Patch(ScimClient.Op("remove", $"members[value eq \"{b.Id}\"]", null)));
        await scim.PatchAsync($"/Groups/{group.Id}", ScimClient.Patch(ScimClient.Op("remove", $"members[value eq \"{b.Id}\"]", null)));
        await scim.PatchAsync($"/Groups/{group.Id}", ScimClient.Patch(ScimClient.Op("replace", null, new JsonObject { ["displayName"] = "Renamed" })));

        var read = await scim.GetAsync($"/Groups/{group.Id}");
        Assert.Equal("Renamed", read.Text("displayName"));
        Assert.Equal([c.Id], read.Body!["members"]!.AsArray().Select(m => m!["value"]!.GetValue<string>()));
        Assert.Equal([c.Id], (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id })).Members.Select(m => m.Id));
        Assert.Equal([group.Id], (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = TestTenant.Ref(c) })).GroupIds);
    }

    [Fact]
    public async Task PutMembers_ReplacesThem()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var (a, b) = (await t.CreateUserAsync("a"), await t.CreateUserAsync("b"));
        var group = await scim.PostAsync("/Groups", Group("Team", a.Id));
        var replaced = await scim.PutAsync($"/Groups/{group.Id}", Group("Team", b.Id));
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Equal([b.Id], (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id })).Members.Select(m => m.Id));
    }

    [Fact]
    public async Task ExcludingMembers_ReadsNoMemberRow_WhateverTheGroupSize()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var group = await scim.PostAsync("/Groups", Group("Big"));
        var users = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => t.CreateUserAsync("big" + i)));
        foreach (var chunk in users.Chunk(20))
        {
            await scim.PatchAsync($"/Groups/{group.Id}", ScimClient.Patch(ScimClient.Op("add", "members", Values([.. chunk.Select(u => u.Id)]))));
        }

        var before = silo.Rows.RowsRead;
        var read = await scim.GetAsync($"/Groups?filter={Uri.EscapeDataString($"id eq \"{group.Id}\"")}&excludedAttributes=members");
        Assert.Equal(1, read.Body!["totalResults"]!.GetValue<int>());
        Assert.Null(read.Body["Resources"]![0]!["members"]);
        Assert.Equal(before, silo.Rows.RowsRead);
        Assert.Equal(40, (await scim.GetAsync($"/Groups/{group.Id}")).Body!["members"]!.AsArray().Count);
    }

    [Fact]
    public async Task DisplayNameAndExternalIdFilters_FindGroups()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var sales = await scim.PostAsync("/Groups", new JsonObject { ["displayName"] = "Sales", ["externalId"] = "G-1" });
        await scim.PostAsync("/Groups", new JsonObject { ["displayName"] = "Sales EMEA" });
        var rowsBefore = silo.Rows.RowsRead;
        var byName = await scim.GetAsync("/Groups?filter=" + Uri.EscapeDataString("displayName eq \"sales\"") + "&excludedAttributes=members");
        Assert.Equal([sales.Id], byName.Body!["Resources"]!.AsArray().Select(g => g!["id"]!.GetValue<string>()));
        Assert.InRange(silo.Rows.RowsRead - rowsBefore, 1, 2);

        // A renamed group is found by its new name only.
        await scim.PatchAsync($"/Groups/{sales.Id}", ScimClient.Patch(ScimClient.Op("replace", "displayName", "Sales Americas")));
        Assert.Equal(0, (await scim.GetAsync("/Groups?filter=" + Uri.EscapeDataString("displayName eq \"Sales\""))).Body!["totalResults"]!.GetValue<int>());
        Assert.Equal(1, (await scim.GetAsync("/Groups?filter=" + Uri.EscapeDataString("displayName eq \"sales americas\""))).Body!["totalResults"]!.GetValue<int>());
        var byExternal = await scim.GetAsync("/Groups?filter=" + Uri.EscapeDataString("externalId eq \"G-1\""));
        Assert.Equal([sales.Id], byExternal.Body!["Resources"]!.AsArray().Select(g => g!["id"]!.GetValue<string>()));
        (await scim.PostAsync("/Groups", new JsonObject { ["displayName"] = "Dup", ["externalId"] = "G-1" })).AssertError(HttpStatusCode.Conflict, "uniqueness", "externalId");
    }
}
