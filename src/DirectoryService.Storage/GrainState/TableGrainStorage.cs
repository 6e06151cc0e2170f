using Azure;
using Azure.Data.Tables;
using FreshObjects = DirectoryService.Abstractions.Common.FreshObjects;
using GrainKeys = DirectoryService.Abstractions.Common.GrainKeys;
using Identifiers = DirectoryService.Abstractions.Common.Identifiers;
using IGrainStateSpreads = DirectoryService.Abstractions.Common.IGrainStateSpreads;
using StateSpreads = DirectoryService.Abstractions.Common.StateSpreads;
using StorageUnavailableException = DirectoryService.Abstractions.Common.StorageUnavailableException;
using DirectoryService.Storage.Tables;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace DirectoryService.Storage.GrainState;

/// <summary>
/// Orleans grain storage over one Azure table. Every write is conditional on the etag the
/// activation last read or wrote, so a stale activation can never overwrite newer state: it gets
/// an <see cref="InconsistentStateException"/> instead. A write whose condition fails only because
/// its own earlier attempt landed (the SDK retried after a lost answer) is recognised by the stored
/// bytes and reported as done. Rows of one tenant share a partition-key
/// prefix (<c>{service}~{tenant}~{spread}</c>) spread over 4,096 partitions, so a tenant's data
/// stays together without one partition's throughput limit capping the tenant, and a partition stays
/// small enough for Azurite, which scans a partition on every point read and write at about a
/// microsecond a row (about 50 rows per partition for a tenant of 100,000 users; with 64 partitions
/// the scans took most of Azurite's time by 40,000 users). Writes of many grains
/// to one partition are group-committed (<see cref="TransactionBatcher"/>), each still etag-checked;
/// an object with a placed id (<see cref="Identifiers.NewPlacedObjectId"/>) is kept in the partition
/// its id names, so objects an import creates together share partitions and transactions.
/// </summary>
public sealed partial class TableGrainStorage(
    string name,
    TableShards tables,
    ClusterOptions cluster,
    Serializer serializer,
    IActivatorProvider activators,
    ILogger<TableGrainStorage> logger) : IGrainStorage, IGrainStateSpreads, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly TransactionBatcher _writes = new(tables);

    /// <summary>The activations' states whose first read was skipped (<see cref="FreshObjects"/>): each is skipped once.</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object?> _freshServed = [];

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(TableGrainStorage)}-{name}", ServiceLifecycleStage.ApplicationServices, InitializeAsync);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (FreshObjects.IsFresh(grainId) && _freshServed.TryAdd(grainState, null))
        {
            Reset(grainState, etag: null);
            return;
        }

        using var activity = StorageTelemetry.Start("grain-state", "read");
        var (pk, rk) = Keys(stateName, grainId);
        NullableResponse<TableEntity> response;
        try
        {
            response = await tables.For(pk).GetEntityIfExistsAsync<TableEntity>(pk, rk);
        }
        catch (OperationCanceledException e)
        {
            // No caller cancels a state read: the storage pipeline's own time limit did (seen under a
            // stalled Azurite). Unavailable, so the door answers UNAVAILABLE with a retry delay, not INTERNAL.
            throw new StorageUnavailableException("storage did not answer in time", e);
        }

        if (!response.HasValue || response.Value is null)
        {
            Reset(grainState, etag: null);
            return;
        }

        grainState.State = serializer.Deserialize<T>(StateChunks.Read(response.Value));
        grainState.ETag = response.Value.ETag.ToString();
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        using var activity = StorageTelemetry.Start("grain-state", "write");
        var (pk, rk) = Keys(stateName, grainId);
        var entity = new TableEntity(pk, rk);
        var data = serializer.SerializeToArray(grainState.State);
        StateChunks.Write(entity, data, $"{grainId}/{stateName}");
        try
        {
            var change = grainState.ETag is null
                ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(grainState.ETag));
            var etags = await _writes.SubmitAsync(pk, [change]);
            grainState.ETag = etags[0]?.ToString();
            grainState.RecordExists = true;
        }
        catch (RequestFailedException e) when (TableErrors.IsLostRace(e))
        {
            // The SDK retries a write whose answer was lost (a timeout, a reset connection); if the
            // first attempt landed, the retry meets that write and fails its condition. Storage
            // holding exactly these bytes means this state is stored: the write is done.
            if (await StoredETagIfHoldsAsync(pk, rk, data) is { } stored)
            {
                grainState.ETag = stored;
                grainState.RecordExists = true;
                return;
            }

            LogConflict(logger, grainId, stateName, e.Status);
            throw new InconsistentStateException($"State of {grainId}/{stateName} was changed by another writer (status {e.Status}).", grainState.ETag, (string?)null);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        using var activity = StorageTelemetry.Start("grain-state", "write");
        var (pk, rk) = Keys(stateName, grainId);
        try
        {
            if (grainState.ETag is not null)
            {
                await tables.For(pk).DeleteEntityAsync(pk, rk, new ETag(grainState.ETag));
            }
            else if ((await tables.For(pk).GetEntityIfExistsAsync<TableEntity>(pk, rk, select: ["PartitionKey"])).HasValue)
            {
                // This activation never saw the stored row, so it may not remove it.
                throw new InconsistentStateException($"State of {grainId}/{stateName} exists but was not read by this activation.", (string?)null, "*");
            }
        }
        catch (RequestFailedException e) when (TableErrors.IsLostRace(e))
        {
            LogConflict(logger, grainId, stateName, e.Status);
            throw new InconsistentStateException($"State of {grainId}/{stateName} was changed by another writer (status {e.Status}).", grainState.ETag, (string?)null);
        }

        Reset(grainState, etag: null);
    }

    public async Task<IReadOnlyList<Abstractions.Common.SpreadState<T>>> ReadSpreadAsync<T>(string tenantId, string spread, IReadOnlyList<(GrainType Type, string StateName)> kinds)
    {
        using var activity = StorageTelemetry.Start("grain-state", "read-spread");
        var pk = TableKeys.Join(cluster.ServiceId, tenantId, spread);
        var ranges = kinds.Select(k =>
        {
            // Row keys are {type}~{tenant/key}~{state}: the rows of one type in one tenant share this prefix.
            var prefix = TableKeys.Prefix(k.Type.ToString()!) + TableKeys.Escape(GrainKeys.Scoped(tenantId, ""));
            return TableClient.CreateQueryFilter($"(RowKey ge {prefix} and RowKey lt {TableKeys.After(prefix)})");
        });
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pk}") + " and (" + string.Join(" or ", ranges) + ")";
        var found = new List<Abstractions.Common.SpreadState<T>>();
        try
        {
            await foreach (var entity in tables.For(pk).QueryAsync<TableEntity>(filter, maxPerPage: 1000))
            {
                var parts = entity.RowKey.Split(TableKeys.Separator);
                if (parts.Length != 3)
                {
                    continue;
                }

                var (type, stateName) = (TableKeys.Unescape(parts[0]), TableKeys.Unescape(parts[2]));
                if (kinds.Any(k => k.StateName == stateName && k.Type.ToString() == type))
                {
                    found.Add(new(GrainId.Create(type, TableKeys.Unescape(parts[1])), serializer.Deserialize<T>(StateChunks.Read(entity))!, entity.ETag.ToString()));
                }
            }
        }
        catch (OperationCanceledException e)
        {
            throw new StorageUnavailableException("storage did not answer in time", e);
        }

        return found;
    }

    public async Task WriteSpreadAsync<T>(string tenantId, string spread, IReadOnlyList<(GrainId GrainId, string StateName, IGrainState<T> State)> writes)
    {
        ArgumentOutOfRangeException.ThrowIfZero(writes.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(writes.Count, IGrainStateSpreads.MaxStatesPerWrite);
        using var activity = StorageTelemetry.Start("grain-state", "write-spread");
        var pk = TableKeys.Join(cluster.ServiceId, tenantId, spread);
        var changes = writes.Select(w =>
        {
            var (rowPk, rk) = Keys(w.StateName, w.GrainId);
            if (rowPk != pk)
            {
                throw new ArgumentException($"{w.GrainId}/{w.StateName} is stored in {rowPk}, not in spread {spread} of tenant {tenantId}.", nameof(writes));
            }

            var entity = new TableEntity(pk, rk);
            StateChunks.Write(entity, serializer.SerializeToArray(w.State.State), $"{w.GrainId}/{w.StateName}");
            return w.State.ETag is null
                ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(w.State.ETag));
        }).ToList();

        IReadOnlyList<ETag?> etags;
        try
        {
            etags = await _writes.SubmitAsync(pk, changes);
        }
        catch (Exception e) when (e is TableTransactionFailedException || (e is RequestFailedException r && TableErrors.IsLostRace(r)))
        {
            // A condition failed and nothing was written; unlike a single write, a transaction whose
            // answer was lost and that the SDK sent again is not told apart here: the caller reads again.
            throw new InconsistentStateException($"A state of spread {spread} of tenant {tenantId} was changed by another writer.", e);
        }

        for (var i = 0; i < writes.Count; i++)
        {
            writes[i].State.ETag = etags[i]?.ToString();
            writes[i].State.RecordExists = true;
        }
    }

    /// <summary>The etag of the stored row if it holds exactly <paramref name="data"/>; otherwise null.</summary>
    private async Task<string?> StoredETagIfHoldsAsync(string pk, string rk, byte[] data)
    {
        var response = await tables.For(pk).GetEntityIfExistsAsync<TableEntity>(pk, rk);
        return response.HasValue && response.Value is { } stored && StateChunks.Read(stored).AsSpan().SequenceEqual(data)
            ? stored.ETag.ToString()
            : null;
    }

    /// <summary>
    /// The row of one grain state: partition by service, tenant and a spread — the one a
    /// <see cref="StateSpreads.SpreadRowId"/> names, else the one a placed id carries, else the hash of the grain id.
    /// </summary>
    internal (string PartitionKey, string RowKey) Keys(string stateName, GrainId grainId)
    {
        var key = grainId.Key.ToString()!;
        return (TableKeys.Join(cluster.ServiceId, GrainKeys.TenantPart(key), StateSpreads.Of(grainId)), TableKeys.Join(grainId.Type.ToString()!, key, stateName));
    }

    private async Task InitializeAsync(CancellationToken cancellationToken) =>
        await tables.CreateIfNotExistsAsync(cancellationToken);

    private void Reset<T>(IGrainState<T> grainState, string? etag)
    {
        grainState.State = typeof(T).IsArray
            ? (T)(object)Array.CreateInstance(typeof(T).GetElementType()!, 0)
            : activators.GetActivator<T>().Create();
        grainState.ETag = etag;
        grainState.RecordExists = false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Write of {GrainId}/{StateName} lost an etag race (status {Status})")]
    private static partial void LogConflict(ILogger logger, GrainId grainId, string stateName, int status);
}
