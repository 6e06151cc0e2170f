using DirectoryService.Gateway.Rpcs;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectoryService.Gateway.Errors;

/// <summary>How long a write may take before its caller is answered (<c>Directory:Gateway</c>).</summary>
public sealed class WriteBoundOptions
{
    public const string Section = "Directory:Gateway";

    /// <summary>Longest a unary write is answered after (its audit record and storage included), or the caller's deadline if sooner.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Bounds every unary write (<see cref="RpcCatalog"/>): if it has not finished within
/// <see cref="WriteBoundOptions.WriteTimeout"/> (or the caller's deadline, if sooner), the caller gets
/// <c>UNAVAILABLE</c> with a retry delay and "outcome unknown" — while storage is paused, say — instead
/// of waiting on it. The write itself goes on and settles its audit record; only the answer is not
/// waited for. Reads are bounded by storage's own operation timeout, and most are answered from caches.
/// </summary>
public sealed partial class WriteBoundInterceptor(IOptions<WriteBoundOptions> options, TimeProvider time, ILogger<WriteBoundInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (RpcCatalog.Find(context.Method) is not { IsWrite: true })
        {
            return await continuation(request, context);
        }

        var bound = options.Value.WriteTimeout;
        var left = context.Deadline == DateTime.MaxValue ? bound : context.Deadline - time.GetUtcNow().UtcDateTime;
        var wait = left < bound ? left : bound;
        var call = continuation(request, context);
        try
        {
            return await call.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        }
        catch (TimeoutException) when (!call.IsCompleted)
        {
            _ = call.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            LogTimedOut(logger, context.Method, wait.TotalSeconds);
            throw Unavailability.ToRpcException(
                $"the write did not finish within {wait.TotalSeconds:0.#} s (storage or a silo is slow or unavailable); it may still take effect: read before retrying it",
                Unavailability.WriteTimedOut);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Write {Method} not finished within {Seconds} s: answered UNAVAILABLE, still running")]
    private static partial void LogTimedOut(ILogger logger, string method, double seconds);
}
