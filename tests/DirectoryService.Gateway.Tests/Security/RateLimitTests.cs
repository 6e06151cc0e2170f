using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Security;

/// <summary>A silo with low per-tenant limits.</summary>
public sealed class ThrottledSiloFixture : SiloFixture
{
    protected override Dictionary<string, string?> ExtraSettings => new()
    {
        ["Directory:RateLimits:PermitsPerSecond"] = "20",
        ["Directory:RateLimits:Burst"] = "20",
    };
}

[CollectionDefinition(Name)]
public sealed class ThrottledSiloCollection : ICollectionFixture<ThrottledSiloFixture>
{
    public const string Name = "throttled silo";
}

[Collection(ThrottledSiloCollection.Name)]
public sealed class RateLimitTests(ThrottledSiloFixture silo)
{
    [Fact]
    public async Task AFloodingTenant_IsThrottled_WithARetryDelay_WhileAnotherTenantIsServed()
    {
        var flooder = await silo.NewTenantAsync();
        var neighbour = await silo.NewTenantAsync();

        var flood = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Outcome(() => flooder.Users.ListUsersAsync(new ListUsersRequest()).ResponseAsync)));
        var neighbourCalls = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Outcome(() => neighbour.Users.ListUsersAsync(new ListUsersRequest()).ResponseAsync)));

        var throttled = flood.Where(e => e?.StatusCode == StatusCode.ResourceExhausted).ToList();
        Assert.InRange(throttled.Count, 100, 180);
        Assert.All(flood, e => Assert.True(e is null || e.StatusCode == StatusCode.ResourceExhausted, e?.Status.ToString()));
        var retry = throttled[0]!.GetRpcStatus()?.GetDetail<Google.Rpc.RetryInfo>();
        Assert.NotNull(retry);
        Assert.True(retry.RetryDelay.ToTimeSpan() > TimeSpan.Zero);
        Assert.All(neighbourCalls, Assert.Null);
    }

    private static async Task<RpcException?> Outcome(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (RpcException e)
        {
            return e;
        }
    }
}
