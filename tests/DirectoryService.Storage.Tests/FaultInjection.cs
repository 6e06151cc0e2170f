using Azure.Core;
using Azure.Core.Pipeline;

namespace DirectoryService.Storage.Tests;

/// <summary>
/// Injects transport faults into table calls, once per attempt: before a request is sent (it never
/// lands), or after its response arrived (it landed, but the caller cannot know).
/// </summary>
public sealed class FaultInjection : HttpPipelinePolicy
{
    private int _failBeforeSending;
    private int _loseResponses;

    public int FailBeforeSending { get => Volatile.Read(ref _failBeforeSending); init => _failBeforeSending = value; }

    public int LoseResponses { get => Volatile.Read(ref _loseResponses); init => _loseResponses = value; }

    private static bool TakeOne(ref int budget)
    {
        int seen;
        do
        {
            seen = Volatile.Read(ref budget);
            if (seen <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref budget, seen - 1, seen) != seen);
        return true;
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (TakeOne(ref _failBeforeSending))
        {
            throw new IOException("injected: connection reset before sending");
        }

        await ProcessNextAsync(message, pipeline);
        if (message.Request.Method != RequestMethod.Get && TakeOne(ref _loseResponses))
        {
            throw new IOException("injected: connection reset after the request landed");
        }
    }
}
