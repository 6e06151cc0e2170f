using System.Net;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Scim.Tests;

/// <summary>A silo with low per-tenant limits.</summary>
public sealed class ThrottledScimFixture : SiloFixture
{
    protected override Dictionary<string, string?> ExtraSettings => new()
    {
        ["Directory:RateLimits:PermitsPerSecond"] = "20",
        ["Directory:RateLimits:Burst"] = "20",
    };
}

[CollectionDefinition(Name)]
public sealed class ThrottledScimCollection : ICollectionFixture<ThrottledScimFixture>
{
    public const string Name = "throttled scim";
}

/// <summary>One token bucket per tenant across both doors: a tenant flooding over SCIM is throttled there and over gRPC, others are not.</summary>
[Collection(ThrottledScimCollection.Name)]
public sealed class RateLimitTests(ThrottledScimFixture silo)
{
    [Fact]
    public async Task AFloodOverScim_Is429WithRetryAfter_AndSpendsTheTenantsGrpcBudgetToo()
    {
        var flooder = await silo.NewTenantAsync();
        var neighbour = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, flooder);

        var flood = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => scim.GetAsync("/Users?count=1")));
        var throttled = flood.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(throttled.Count, 100, 190);
        Assert.All(flood, r => Assert.Contains(r.Status, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        throttled[0].AssertError(HttpStatusCode.TooManyRequests, null, "over its request rate");

        var grpc = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => DirectoryService.Testing.Outcomes.StatusOf(() => flooder.Users.ListUsersAsync(new ListUsersRequest()).ResponseAsync)));
        Assert.Contains(StatusCode.ResourceExhausted, grpc);
        var served = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => ScimClient.For(silo, neighbour).GetAsync("/Users?count=1")));
        Assert.All(served, r => Assert.Equal(HttpStatusCode.OK, r.Status));
    }
}
