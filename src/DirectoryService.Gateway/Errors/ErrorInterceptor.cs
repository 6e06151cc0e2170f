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
            if (Parsing.UnparsedRequests.Reason(request) is { } reason)
            {
                throw new DirectoryException(DirectoryErrorCode.InvalidArgument, null,
                    $"the request body is not a valid {(request as Google.Protobuf.IMessage)?.Descriptor.FullName} message ({reason})");
            }

            return await continuation(request, context);
        }
        catch (DirectoryException e)
        {
            metrics.Refused(context.Method, e.Code);
            throw StatusMapping.ToRpcException(e, (request as Google.Protobuf.IMessage)?.Descriptor);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        }
        catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
        {
            LogFailed(logger, e, context.Method);
            throw new RpcException(new Status(StatusCode.Unavailable, "the directory could not complete the call (a silo was unavailable or too slow); the outcome is unknown, read before retrying a write"));
        }
        catch (Exception e)
        {
            LogFailed(logger, e, context.Method);
            throw new RpcException(new Status(StatusCode.Internal, "internal error; the outcome is unknown"));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {Method} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method);
}
