using System.Net.Sockets;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DirectoryService.Storage.Tables;

/// <summary>
/// Counts tries of storage requests that could not reach storage at all — the connection refused or
/// reset, as when the emulator was killed — whatever became of the operation after its retries, so
/// that <see cref="RewindWatch"/> notices storage that was away even for a moment. A paused or slow
/// storage (a timeout) is not counted: it loses nothing.
/// </summary>
public sealed class UnreachableTries : HttpPipelinePolicy
{
    private static long _count;

    public static UnreachableTries Instance { get; } = new();

    /// <summary>How many tries of this process could not reach storage so far.</summary>
    public static long Count => Interlocked.Read(ref _count);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            await ProcessNextAsync(message, pipeline);
        }
        catch (Exception e) when (!message.CancellationToken.IsCancellationRequested && Unreached(e))
        {
            Interlocked.Increment(ref _count);
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
