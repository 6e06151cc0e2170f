using DirectoryService.Abstractions.Common;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Orleans.Runtime;

namespace DirectoryService.Gateway.Errors;

/// <summary>
/// The failures that mean "try again shortly" — storage unavailable or too slow, a silo gone or too
/// slow, a write past its deadline — and how every door words them: one place, so gRPC, REST and SCIM
/// callers read the same message and retry delay.
/// </summary>
public static class Unavailability
{
    /// <summary>The delay a caller is told to wait before retrying (gRPC <c>RetryInfo</c>, SCIM <c>Retry-After</c>).</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private const string OutcomeUnknown = "the outcome of a write is unknown: read before retrying it";

    /// <summary>The message and ErrorInfo reason for a failure that is worth retrying; null for any other.</summary>
    public static (string Message, string Reason)? Describe(Exception exception) =>
        Causes(exception).Select(DescribeOne).FirstOrDefault(d => d is not null);

    /// <summary>The exception and those it wraps (Orleans wraps a storage failure during activation, for one).</summary>
    private static IEnumerable<Exception> Causes(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Causes))
                {
                    yield return inner;
                }
            }
        }
    }

    private static (string Message, string Reason)? DescribeOne(Exception exception) => exception switch
    {
        StorageUnavailableException e => ($"directory storage is unavailable ({e.Message}); {OutcomeUnknown}", StorageUnavailableException.Reason),
        TimeoutException or SiloUnavailableException or OrleansMessageRejectionException =>
            ($"the directory could not complete the call (a silo was unavailable or too slow); {OutcomeUnknown}", "SILO_UNAVAILABLE"),
        _ => null,
    };

    /// <summary>
    /// The message for a write refused because storage holds another version of the object than the
    /// silo knew (storage restored from older data, or a write from elsewhere): the object has been
    /// reloaded and nothing was changed, so the caller reads it and retries (gRPC <c>ABORTED</c>, SCIM 409).
    /// </summary>
    public static string? Conflict(Exception exception) => exception is Orleans.Storage.InconsistentStateException
        ? "the object changed in storage since this silo read it; it has been reloaded and nothing was changed: read it and retry"
        : null;

    /// <summary>The ErrorInfo reason of a call refused because the silo cannot vouch for its answers (it was frozen and has not confirmed its membership).</summary>
    public const string SiloUnvouched = "SILO_UNVOUCHED";

    /// <summary>The ErrorInfo reason of <see cref="Conflict"/>.</summary>
    public const string StaleState = "STALE_STATE";

    /// <summary>UNAVAILABLE (or another code) with the reason and the retry delay in the status details.</summary>
    public static RpcException ToRpcException(string message, string reason, Code code = Code.Unavailable)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = reason, Domain = "directory.v1" }));
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(RetryDelay) }));
        return status.ToRpcException();
    }
}
