using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Gateway.Parsing;

/// <summary>
/// Marks the stand-in request of a call whose body did not parse (<see cref="GuardedServiceMethodProvider{TService}"/>),
/// so the call still passes the interceptors — rate limit, audit — and is refused with INVALID_ARGUMENT
/// before any service code sees it. Parse failures are logged at most once per interval, with a count,
/// so a flood of garbage cannot flood the logs.
/// </summary>
public static partial class UnparsedRequests
{
    private static readonly ConditionalWeakTable<object, string> Marked = [];
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);
    private static long _nextLog;
    private static long _suppressed;

    public static bool IsUnparsed(object request) => Marked.TryGetValue(request, out _);

    /// <summary>Why the body of this stand-in request did not parse, or null if it is a real request.</summary>
    public static string? Reason(object request) => Marked.TryGetValue(request, out var reason) ? reason : null;

    internal static T Mark<T>(T standIn, string method, Exception error, ILogger logger)
        where T : class
    {
        Marked.AddOrUpdate(standIn, error.Message);
        var now = Environment.TickCount64;
        var due = Interlocked.Read(ref _nextLog);
        if (now >= due && Interlocked.CompareExchange(ref _nextLog, now + (long)LogInterval.TotalMilliseconds, due) == due)
        {
            LogUnparsed(logger, method, Interlocked.Exchange(ref _suppressed, 0), error.Message);
        }
        else
        {
            Interlocked.Increment(ref _suppressed);
        }

        return standIn;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request to {Method} whose body is not a valid message ({Suppressed} more since the last such warning): {Reason}")]
    private static partial void LogUnparsed(ILogger logger, string method, long suppressed, string reason);
}
