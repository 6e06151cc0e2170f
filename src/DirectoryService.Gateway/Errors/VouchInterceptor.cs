using DirectoryService.Abstractions.Membership;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DirectoryService.Gateway.Errors;

/// <summary>
/// Answers nothing while this silo cannot vouch for its answers (<see cref="ISiloVouch"/>: it was
/// frozen and has not yet confirmed its cluster membership): calls wait for the confirmation — a
/// membership-table read — and get <c>UNAVAILABLE</c> if it does not come within
/// <see cref="Wait"/>, or if the cluster declared this silo dead meanwhile.
/// </summary>
public sealed class VouchInterceptor(ISiloVouch vouch) : Interceptor
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        vouch.IsTrusted ? continuation(request, context) : WaitThenAsync(request, context, continuation);

    private async Task<TResponse> WaitThenAsync<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class
    {
        await RequireTrustedAsync(context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await RequireTrustedAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await RequireTrustedAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    /// <summary>The directory's own API; health and reflection answer whatever the silo's state (health says NOT_SERVING).</summary>
    private const string DirectoryApi = "/directory.";

    private async Task RequireTrustedAsync(ServerCallContext context)
    {
        if (context.Method.StartsWith(DirectoryApi, StringComparison.Ordinal) && !await vouch.WaitTrustedAsync(Wait, context.CancellationToken))
        {
            throw Unavailability.ToRpcException($"this silo cannot vouch for its answers ({vouch.Problem}); retry, on another silo if this persists", Unavailability.SiloUnvouched);
        }
    }
}
