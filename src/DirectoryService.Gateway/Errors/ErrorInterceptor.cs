using DirectoryService.Abstractions.Common;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Gateway.Errors;

/// <summary>
/// Turns directory errors into precise statuses, and anything else into a bare status that leaks no
/// internals (no exception types, stack traces or storage details); those are logged instead.
/// </summary>
public sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger, GatewayMetrics metrics) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            RequireParsed(request);
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Mapped(e, context, (request as Google.Protobuf.IMessage)?.Descriptor);
        }
    }

    /// <summary>A server stream (a change feed): its request is checked and its errors mapped as a unary call's.</summary>
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            RequireParsed(request);
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Mapped(e, context, (request as Google.Protobuf.IMessage)?.Descriptor);
        }
    }

    private static void RequireParsed<TRequest>(TRequest request)
        where TRequest : class
    {
        if (Parsing.UnparsedRequests.Reason(request) is { } reason)
        {
            throw new DirectoryException(DirectoryErrorCode.InvalidArgument, null,
                $"the request body is not a valid {(request as Google.Protobuf.IMessage)?.Descriptor.FullName} message ({reason})");
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Mapped(e, context, null);
        }
    }

    private RpcException Mapped(Exception exception, ServerCallContext context, Google.Protobuf.Reflection.MessageDescriptor? request)
    {
        switch (exception)
        {
            case DirectoryException e:
                metrics.Refused(context.Method, e.Code);
                return StatusMapping.ToRpcException(e, request);
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
            case var e when Unavailability.Describe(e) is var (message, reason):
                LogFailed(logger, exception, context.Method);
                return Unavailability.ToRpcException(message, reason);
            case var e when Unavailability.Conflict(e) is { } conflict:
                LogFailed(logger, exception, context.Method);
                return Unavailability.ToRpcException(conflict, Unavailability.StaleState, Google.Rpc.Code.Aborted);
            default:
                LogFailed(logger, exception, context.Method);
                return new RpcException(new Status(StatusCode.Internal, "internal error; the outcome is unknown"));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {Method} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method);
}
