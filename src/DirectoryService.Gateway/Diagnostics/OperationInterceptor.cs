using DirectoryService.Abstractions.Common;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DirectoryService.Gateway.Diagnostics;

/// <summary>
/// Outermost on every gRPC and REST call: begins the call's <see cref="ApiOperation"/> — its span and
/// the operation name storage calls are counted by — and marks the span failed with the status a
/// refused call got. A unary call also counts the storage round trips it waited for one after
/// another (<see cref="StorageRoundTrips"/>); a stream is too long-lived for one such figure.
/// </summary>
public sealed class OperationInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        TracedAsync(context, () => continuation(request, context), unary: true);

    /// <summary>A server stream (a change feed) is one operation, its span covering the whole stream.</summary>
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        TracedAsync(context, async () =>
        {
            await continuation(request, responseStream, context);
            return true;
        }, unary: false);

    /// <summary>A stream (bulk import) is one operation, its span covering the whole stream.</summary>
    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        TracedAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context);
            return true;
        }, unary: false);

    private static async Task<T> TracedAsync<T>(ServerCallContext context, Func<Task<T>> call, bool unary)
    {
        using var span = ApiOperation.Begin(context.Method);
        using var trips = unary ? StorageRoundTrips.Begin(context.Method) : null;
        span?.SetTag("rpc.system", "grpc").SetTag("rpc.method", context.Method);
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            ApiOperation.Fail(span, e.StatusCode.ToString(), e.Status.Detail);
            throw;
        }
    }
}
