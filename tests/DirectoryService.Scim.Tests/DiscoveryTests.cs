using System.Net;
using DirectoryService.Gateway.Tests.Infrastructure;

namespace DirectoryService.Scim.Tests;

/// <summary>RFC 7644 §4: the discovery endpoints tell the truth about what is supported.</summary>
[Collection(SiloCollection.Name)]
public sealed class DiscoveryTests(SiloFixture silo)
{
    [Fact]
    public async Task ServiceProviderConfig_StatesWhatIsSupported()
    {
        var scim = ScimClient.For(silo, await silo.NewTenantAsync());
        var config = await scim.GetAsync("/ServiceProviderConfig");
        Assert.Equal(HttpStatusCode.OK, config.Status);
        Assert.Equal("application/scim+json", config.MediaType);
        Assert.True(config.Body!["patch"]!["supported"]!.GetValue<bool>());
        Assert.True(config.Body["filter"]!["supported"]!.GetValue<bool>());
        Assert.Equal(999, config.Body["filter"]!["maxResults"]!.GetValue<int>());
        Assert.True(config.Body["etag"]!["supported"]!.GetValue<bool>());
        Assert.False(config.Body["bulk"]!["supported"]!.GetValue<bool>());
        Assert.False(config.Body["sort"]!["supported"]!.GetValue<bool>());
        Assert.False(config.Body["changePassword"]!["supported"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ResourceTypesAndSchemas_DescribeUsersGroupsAndTheEnterpriseExtension()
    {
        var scim = ScimClient.For(silo, await silo.NewTenantAsync());
        var types = await scim.GetAsync("/ResourceTypes");
        Assert.Equal(["User", "Group"], types.Body!["Resources"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal("/Users", (await scim.GetAsync("/ResourceTypes/User")).Text("endpoint"));

        var schemas = await scim.GetAsync("/Schemas");
        Assert.Equal(3, schemas.Body!["totalResults"]!.GetValue<int>());
        var user = await scim.GetAsync("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User");
        Assert.Contains(user.Body!["attributes"]!.AsArray(), a => a!["name"]!.GetValue<string>() == "userName" && a["uniqueness"]!.GetValue<string>() == "server");
        (await scim.GetAsync("/Schemas/urn:example:nothing")).AssertError(HttpStatusCode.NotFound, null);
    }
}
