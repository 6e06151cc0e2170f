using System.Net.Sockets;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DirectoryService.Storage.Tables;

/// <summary>
/// Counts, for <see cref="RewindWatch"/>, this process's tries of storage requests: those that could
/// not reach storage at all — the connection refused or reset, as when the emulator was killed —
/// whatever became of the operation after its retries, so that it notices storage that was away even
/// for a moment (a paused or slow storage, a timeout, is not counted: it loses nothing); and those
/// that may change what storage holds (every request but reads), so that it can tell a silo that
/// wrote nothing since its last check.
/// </summary>
public sealed class StorageTries : HttpPipelinePolicy
{
    private static long _unreachable;
    private static long _writes;

    public static StorageTries Instance { get; } = new();

    /// <summary>How many tries of this process could not reach storage so far.</summary>
    public static long Unreachable => Interlocked.Read(ref _unreachable);

    /// <summary>How many tries of this process could change what storage holds so far.</summary>
    public static long Writes => Interlocked.Read(ref _writes);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (message.Request.Method != RequestMethod.Get && message.Request.Method != RequestMethod.Head)
        {
            Interlocked.Increment(ref _writes);
        }

        try
        {
            await ProcessNextAsync(message, pipeline);
        }
        catch (Exception e) when (!message.CancellationToken.IsCancellationRequested && Unreached(e))
        {
            Interlocked.Increment(ref _unreachable);
            throw;
        }
    }

    private static bool Unreached(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.ConnectionAborted }
                or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                return true;
            }
        }

        return false;
    }
}
