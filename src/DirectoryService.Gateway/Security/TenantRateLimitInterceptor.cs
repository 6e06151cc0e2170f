using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DirectoryService.Gateway.Security;

/// <summary>
/// Throttles each tenant on its own token bucket, so one tenant flooding the service cannot starve
/// the others. A refused call gets RESOURCE_EXHAUSTED with a <c>google.rpc.RetryInfo</c> delay; it
/// reached no grain. Calls with no tenant (operators) share one bucket.
/// </summary>
public sealed class TenantRateLimitInterceptor(TenantRateLimiter limiter) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!limiter.TryAcquire(context.GetHttpContext().User, out var tenant, out var retryAfter))
        {
            throw Throttled(tenant, retryAfter);
        }

        return await continuation(request, context);
    }

    /// <summary>A server stream (a change feed) counts once, when it starts.</summary>
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (!limiter.TryAcquire(context.GetHttpContext().User, out var tenant, out var retryAfter))
        {
            throw Throttled(tenant, retryAfter);
        }

        await continuation(request, responseStream, context);
    }

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
