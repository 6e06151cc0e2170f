using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Storage.Tables;

/// <summary>
/// Bulk work's storage requests (<see cref="BulkWork"/>: an import) take turns on part of the silo's
/// connections to storage (<see cref="TableStorageOptions.BulkConnections"/>) and wait for a turn in
/// the silo; every other request finds a connection free. Without turns an import, which keeps up to
/// a thousand storage operations waiting at once, filled the connection pool's one queue: an API
/// write waited behind all of it, and the import's own requests counted that queue against their
/// bound, so on the emulator, behind a database save, they failed it. The wait for a turn is not
/// part of a request's bound (<see cref="OperationTimeoutPolicy"/>), which so measures how long
/// storage takes to answer, not how much work the silo queued before it; the wait has a bound of its
/// own (<see cref="MaxWait"/>) for storage that takes nothing at all, and is recorded
/// (<c>directory.storage.bulk_wait</c>), so an operator sees whether turns hold an import back.
/// </summary>
public sealed class BulkLane(int turns) : HttpPipelinePolicy
{
    /// <summary>Longest a bulk request waits for a turn before it fails as storage unavailable.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _turns = new(turns, turns);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!BulkWork.IsCurrent)
        {
            await ProcessNextAsync(message, pipeline);
            return;
        }

        var start = Stopwatch.GetTimestamp();
        var turn = await _turns.WaitAsync(MaxWait, message.CancellationToken);
        StorageTelemetry.BulkWaited(Stopwatch.GetElapsedTime(start));
        if (!turn)
        {
            throw new StorageUnavailableException($"storage took none of the import's requests within {MaxWait.TotalSeconds:0} s");
        }

        try
        {
            await ProcessNextAsync(message, pipeline);
        }
        finally
        {
            _turns.Release();
        }
    }
}
