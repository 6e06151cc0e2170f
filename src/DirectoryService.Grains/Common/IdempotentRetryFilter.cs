using System.Collections.Concurrent;
using System.Reflection;
using DirectoryService.Abstractions.Common;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Grains.Common;

/// <summary>
/// Retries calls to <see cref="IdempotentAttribute"/> methods whose target silo left or failed
/// mid-call, after a short backoff in which the grain's activation moves to a live silo. This is
/// what lets a silo stop gracefully, or fail, without failing the requests that were in flight to it.
/// </summary>
public sealed partial class IdempotentRetryFilter(ILogger<IdempotentRetryFilter> logger) : IOutgoingGrainCallFilter
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];
    private static readonly ConcurrentDictionary<MethodInfo, bool> Idempotent = new();

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var method = context.InterfaceMethod;
        if (method is null || !Idempotent.GetOrAdd(method, m => m.GetCustomAttribute<IdempotentAttribute>() is not null))
        {
            await context.Invoke();
            return;
        }

        for (var attempt = 0; ; attempt++)
        {
            Exception? failure;
            try
            {
                await context.Invoke();
                failure = context.Response?.Exception;
            }
            catch (Exception e)
            {
                failure = e;
            }

            if (failure is null || !IsSiloGone(failure) || attempt == Backoff.Length)
            {
                if (failure is not null && context.Response?.Exception is null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                }

                return;
            }

            LogRetry(logger, context.MethodName, context.TargetId, attempt + 1, failure.GetType().Name);
            await Task.Delay(Backoff[attempt]);
            RetriedCall.Mark();
            FreshObjects.Forget();
        }
    }

    private static bool IsSiloGone(Exception e) => e is SiloUnavailableException or OrleansMessageRejectionException;

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrying idempotent {Method} on {Grain} (attempt {Attempt}) after {Failure}")]
    private static partial void LogRetry(ILogger logger, string method, GrainId grain, int attempt, string failure);
}
