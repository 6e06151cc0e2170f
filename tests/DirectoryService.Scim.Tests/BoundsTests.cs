using System.Net;
using System.Text.Json.Nodes;
using DirectoryService.Gateway.Tests.Infrastructure;

namespace DirectoryService.Scim.Tests;

/// <summary>A silo whose SCIM bounds are small, so tests can reach them.</summary>
public sealed class BoundedScimFixture : SiloFixture
{
    protected override Dictionary<string, string?> ExtraSettings => new()
    {
        ["Directory:Scim:MaxScan"] = "3",
        ["Directory:Scim:MaxMembersReturned"] = "2",
    };
}

[CollectionDefinition(Name)]
public sealed class BoundedScimCollection : ICollectionFixture<BoundedScimFixture>
{
    public const string Name = "bounded-scim";
}

/// <summary>Answers stay bounded: a filter no index serves, and a group read with its members, stop at their bounds with 400 tooMany.</summary>
[Collection(BoundedScimCollection.Name)]
public sealed class BoundsTests(BoundedScimFixture silo)
{
    [Fact]
    public async Task AFilterNoIndexServes_StopsAtItsBound_WhileIndexedFiltersAndPagingDoNot()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            await scim.PostAsync("/Users", ScimClient.User(t.Upn(name), u => u["title"] = "T"));
        }

        (await scim.GetAsync("/Users?filter=" + Uri.EscapeDataString("title pr"))).AssertError(HttpStatusCode.BadRequest, "tooMany", "userName");
        Assert.Equal(1, (await scim.GetAsync("/Users?filter=" + Uri.EscapeDataString($"userName eq \"{t.Upn("d")}\""))).Body!["totalResults"]!.GetValue<int>());
        Assert.Equal(4, (await scim.GetAsync("/Users?count=2")).Body!["totalResults"]!.GetValue<int>());
    }

    [Fact]
    public async Task AGroupWithMoreMembersThanTheBound_IsReadWithoutThem()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var users = await Task.WhenAll(new[] { "m1", "m2", "m3" }.Select(n => t.CreateUserAsync(n)));
        var group = await scim.PostAsync("/Groups", new JsonObject
        {
            ["displayName"] = "Crowd",
            ["members"] = new JsonArray([.. users.Select(u => new JsonObject { ["value"] = u.Id })]),
        });

        (await scim.GetAsync($"/Groups/{group.Id}")).AssertError(HttpStatusCode.BadRequest, "tooMany", "excludedAttributes=members");
        Assert.Equal(HttpStatusCode.OK, (await scim.GetAsync($"/Groups/{group.Id}?excludedAttributes=members")).Status);
    }
}
