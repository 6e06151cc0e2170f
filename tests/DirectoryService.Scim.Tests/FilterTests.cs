using System.Net;
using System.Text.Json.Nodes;
using DirectoryService.Gateway.Tests.Infrastructure;

namespace DirectoryService.Scim.Tests;

/// <summary>RFC 7644 §3.4.2: filters (every operator, logic, grouping, value paths, case rules), paging and attribute selection.</summary>
[Collection(SiloCollection.Name)]
public sealed class FilterTests(SiloFixture silo)
{
    private async Task<(ScimClient Scim, TestTenant Tenant, Dictionary<string, string> Ids)> SeedAsync()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var ids = new Dictionary<string, string>();
        foreach (var (name, title, active, external) in new[] { ("alice", "Engineer", true, "E-1"), ("bob", "Manager", true, "E-2"), ("carol", "Engineer", false, "e-1"), ("dave", "", true, "") })
        {
            var user = await scim.PostAsync("/Users", ScimClient.User(t.Upn(name), u =>
            {
                u["displayName"] = char.ToUpperInvariant(name[0]) + name[1..];
                u["active"] = active;
                if (title.Length > 0)
                {
                    u["title"] = title;
                }

                if (external.Length > 0)
                {
                    u["externalId"] = external;
                }

                u["emails"] = new JsonArray(new JsonObject { ["value"] = $"{name}@mail.example", ["type"] = name == "bob" ? "home" : "work" });
            }));
            ids[name] = user.Id;
        }

        return (scim, t, ids);
    }

    private static async Task<List<string>> NamesAsync(ScimClient scim, string filter)
    {
        var list = await scim.GetAsync("/Users?filter=" + Uri.EscapeDataString(filter));
        Assert.True(list.Status == HttpStatusCode.OK, $"{filter}: {list.Body?.ToJsonString()}");
        return [.. list.Body!["Resources"]!.AsArray().Select(r => r!["displayName"]!.GetValue<string>()).Order()];
    }

    [Fact]
    public async Task EveryOperator_AndTheLogic_SelectExactlyTheMatchingUsers()
    {
        var (scim, t, ids) = await SeedAsync();
        Assert.Equal(["Alice"], await NamesAsync(scim, $"userName eq \"{t.Upn("ALICE")}\""));
        Assert.Equal(["Bob", "Carol", "Dave"], await NamesAsync(scim, $"userName ne \"{t.Upn("alice")}\""));
        Assert.Equal(["Alice", "Carol"], await NamesAsync(scim, "title co \"gine\""));
        Assert.Equal(["Bob"], await NamesAsync(scim, "title sw \"man\""));
        Assert.Equal(["Alice", "Carol"], await NamesAsync(scim, "title ew \"EER\""));
        Assert.Equal(["Alice", "Bob", "Carol"], await NamesAsync(scim, "title pr"));
        Assert.Equal(["Carol", "Dave"], await NamesAsync(scim, "displayName gt \"Bob\""));
        Assert.Equal(["Bob", "Carol", "Dave"], await NamesAsync(scim, "displayName ge \"Bob\""));
        Assert.Equal(["Alice"], await NamesAsync(scim, "displayName lt \"Bob\""));
        Assert.Equal(["Alice", "Bob"], await NamesAsync(scim, "displayName le \"Bob\""));
        Assert.Equal(["Carol"], await NamesAsync(scim, "title eq \"Engineer\" and active eq false"));
        Assert.Equal(["Bob", "Carol"], await NamesAsync(scim, "active eq false or title eq \"manager\""));
        Assert.Equal(["Bob", "Dave"], await NamesAsync(scim, "not (title eq \"Engineer\")"));
        Assert.Equal(["Alice", "Bob"], await NamesAsync(scim, "(title eq \"Manager\" or displayName eq \"Alice\") and active eq true"));
        // The directory holds one mail address, served as the primary work email whatever type it came with.
        Assert.Equal(["Bob"], await NamesAsync(scim, "emails[type eq \"work\" and value co \"bob@\"]"));
        Assert.Empty(await NamesAsync(scim, "emails[type eq \"home\"]"));
        Assert.Equal(["Alice"], await NamesAsync(scim, "emails.value sw \"ALICE@\""));
        Assert.Equal(["Dave"], await NamesAsync(scim, $"id eq \"{ids["dave"]}\""));
    }

    [Fact]
    public async Task ExternalId_IsCaseExact_AndUserName_IsNot()
    {
        var (scim, t, _) = await SeedAsync();
        Assert.Equal(["Alice"], await NamesAsync(scim, "externalId eq \"E-1\""));
        Assert.Equal(["Carol"], await NamesAsync(scim, "externalId eq \"e-1\""));
        Assert.Equal(["Alice"], await NamesAsync(scim, $"USERNAME EQ \"{t.Upn("Alice")}\""));
    }

    [Theory]
    [InlineData("userName eq", "expected a value")]
    [InlineData("userName xx \"a\"", "'xx' is not an operator")]
    [InlineData("userName eq \"a\" and", "expected an attribute path")]
    [InlineData("(userName eq \"a\"", "expected ')'")]
    [InlineData("userName eq unquoted", "is not a value")]
    [InlineData("userName eq \"a\" garbage", "unexpected text")]
    public async Task AFilterTheServerCannotEvaluate_Is400InvalidFilter_SayingWhy(string filter, string says)
    {
        var scim = ScimClient.For(silo, await silo.NewTenantAsync());
        (await scim.GetAsync("/Users?filter=" + Uri.EscapeDataString(filter))).AssertError(HttpStatusCode.BadRequest, "invalidFilter", says);
    }

    [Fact]
    public async Task Paging_Is1Based_WithTotalResults_AndCountZeroCountsOnly()
    {
        var (scim, _, _) = await SeedAsync();
        var seen = new List<string>();
        for (var start = 1; start <= 4; start += 3)
        {
            var page = await scim.GetAsync($"/Users?startIndex={start}&count=3");
            Assert.Equal(4, page.Body!["totalResults"]!.GetValue<int>());
            Assert.Equal(start, page.Body["startIndex"]!.GetValue<int>());
            seen.AddRange(page.Body["Resources"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
        }

        Assert.Equal(4, seen.Distinct().Count());
        var none = await scim.GetAsync("/Users?count=0");
        Assert.Equal((4, 0), (none.Body!["totalResults"]!.GetValue<int>(), none.Body["Resources"]!.AsArray().Count));
        Assert.Empty((await scim.GetAsync("/Users?startIndex=9")).Body!["Resources"]!.AsArray());
        var filtered = await scim.GetAsync("/Users?filter=" + Uri.EscapeDataString("active eq true") + "&startIndex=2&count=1");
        Assert.Equal((3, 1), (filtered.Body!["totalResults"]!.GetValue<int>(), filtered.Body["Resources"]!.AsArray().Count));
        (await scim.GetAsync("/Users?count=many")).AssertError(HttpStatusCode.BadRequest, "invalidValue", "count");
    }

    [Fact]
    public async Task AttributesAndExcludedAttributes_ShapeTheAnswer_KeepingIdAndMeta()
    {
        var (scim, _, ids) = await SeedAsync();
        var only = await scim.GetAsync($"/Users/{ids["alice"]}?attributes=userName,emails.value");
        Assert.Equal(["emails", "id", "meta", "schemas", "userName"], only.Body!.Select(p => p.Key).Order());
        var without = await scim.GetAsync($"/Users/{ids["alice"]}?excludedAttributes=emails,title");
        Assert.Null(without.Body!["emails"]);
        Assert.Null(without.Body["title"]);
        Assert.NotNull(without.Body["userName"]);
    }
}
