using Azure.Core;
using Azure.Core.Pipeline;

namespace DirectoryService.Storage.Tests.Batching;

/// <summary>Counts the read (GET) and write (any other method) requests a table client sends, and the largest body among the writes.</summary>
internal sealed class RequestCounter : HttpPipelinePolicy
{
    private int _writes;
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);
    private long _largestBody;

    public int Writes => Volatile.Read(ref _writes);

    public long LargestBody => Interlocked.Read(ref _largestBody);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (message.Request.Method == RequestMethod.Get)
        {
            Interlocked.Increment(ref _reads);
        }
        else
        {
            Interlocked.Increment(ref _writes);
            if (message.Request.Content?.TryComputeLength(out var length) == true)
            {
                long seen;
                while (length > (seen = Interlocked.Read(ref _largestBody)) && Interlocked.CompareExchange(ref _largestBody, length, seen) != seen)
                {
                }
            }
        }

        await ProcessNextAsync(message, pipeline);
    }
}
