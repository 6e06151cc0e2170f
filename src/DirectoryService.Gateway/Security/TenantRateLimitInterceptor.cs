using System.Threading.RateLimiting;
using DirectoryService.Security;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace DirectoryService.Gateway.Security;

/// <summary>
/// Throttles each tenant on its own token bucket, so one tenant flooding the service cannot starve
/// the others. A refused call gets RESOURCE_EXHAUSTED with a <c>google.rpc.RetryInfo</c> delay; it
/// reached no grain. Calls with no tenant (operators) share one bucket.
/// </summary>
public sealed class TenantRateLimitInterceptor : Interceptor, IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _retryAfter;

    public TenantRateLimitInterceptor(IOptions<RateLimitOptions> options)
    {
        var o = options.Value;
        _retryAfter = TimeSpan.FromSeconds(Math.Max(1.0 / Math.Max(o.PermitsPerSecond, 1), 0.05));
        _limiter = PartitionedRateLimiter.Create<string, string>(tenant => RateLimitPartition.GetTokenBucketLimiter(tenant, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(o.Burst, 1),
            TokensPerPeriod = Math.Max(o.PermitsPerSecond / 10, 1),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var user = context.GetHttpContext().User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return await continuation(request, context);
        }

        var tenant = user.FindFirst(DirectoryClaims.Tenant)?.Value ?? "(operators)";
        using var lease = _limiter.AttemptAcquire(tenant);
        if (!lease.IsAcquired)
        {
            throw Throttled(tenant, lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : _retryAfter);
        }

        return await continuation(request, context);
    }

    public void Dispose() => _limiter.Dispose();

    private static RpcException Throttled(string tenant, TimeSpan retryAfter)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.ResourceExhausted,
            Message = $"tid: tenant '{tenant}' is over its request rate; retry after {retryAfter.TotalMilliseconds:0} ms",
        };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = "RateLimited", Domain = "directory.v1" }));
        return status.ToRpcException();
    }
}
