using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Import;
using DirectoryService.Gateway.Audit;
using DirectoryService.Gateway.Security;
using DirectoryService.Gateway.Tenancy;
using DirectoryService.Grpc.V1;
using Grpc.Core;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace DirectoryService.Gateway.Import;

/// <summary>
/// The Import API: reads a stream of batches, at most <see cref="MessagesAhead"/> ahead of the one
/// applied, and has the stream's import grain apply them in order — those that arrived meanwhile
/// as one where that cannot change an outcome (<see cref="ImportBatch.Joins"/>: a group call then
/// takes several batches' users, group calls run side by side, one nesting call takes several
/// batches' nestings, and the keys of several batches' new users are bound together) — so the silo holds a few
/// batches whatever the import's size. Each batch that changes anything is audited as every write
/// is — pending records naming what it may touch stored before it runs, settled with what it
/// changed. A batch after one that changed nothing is first tried as unchanged (nothing written, no
/// record of its own: a re-run writes nothing); the import then leaves one record at its end saying
/// who ran it and how it ended. Each message counts against the tenant's request rate (a throttled
/// import waits; it is not failed).
/// </summary>
public sealed class ImportService(IGrainFactory grains, AuditTrail audit, TenantRateLimiter limiter, TimeProvider time) : Grpc.V1.Import.ImportBase
{
    /// <summary>Most ids one audit record names; a batch's ids are spread over as many records as needed.</summary>
    public const int TargetsPerAuditRecord = 400;

    [Authorize(Policy = Policies.Import)]
    public override async Task ImportRecords(IAsyncStreamReader<ImportRecordsRequest> requestStream, IServerStreamWriter<ImportRecordsResponse> responseStream, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);

        // Its storage requests take turns on part of the connections: the rest stay free for other work.
        BulkWork.Mark();
        var import = new Lazy<IImportGrain>(() => grains.GetGrain<IImportGrain>(GrainKeys.Scoped(tenant, Guid.NewGuid().ToString("N"))));
        var unaudited = new UnauditedBatches();
        var completed = false;
        try
        {
            await ImportAsync(import, unaudited, requestStream, responseStream, context);
            completed = true;
        }
        finally
        {
            if (import.IsValueCreated)
            {
                await import.Value.EndAsync();
            }

            if (unaudited.Count > 0)
            {
                // The batches that changed nothing left no record of their own: this one says the import ran, who ran it, and how it ended.
                await audit.RecordOutcomeAsync(context.GetHttpContext(), context.Method, completed ? "OK" : "ABORTED", null);
            }
        }
    }

    /// <summary>Batches of one import applied without records of their own (nothing changed), and whether the next is tried so.</summary>
    private sealed class UnauditedBatches
    {
        public int Count { get; set; }

        /// <summary>Whether the last batch changed nothing, so the next one is first tried as unchanged: true until a batch changes something.</summary>
        public bool TryNext { get; set; } = true;
    }

    private async Task ImportAsync(Lazy<IImportGrain> import, UnauditedBatches unaudited, IAsyncStreamReader<ImportRecordsRequest> requestStream, IServerStreamWriter<ImportRecordsResponse> responseStream, ServerCallContext context)
    {
        // Messages are read ahead while a batch is applied (at most MessagesAhead), so that those
        // that arrived meanwhile can be applied as one when the outcome is the same (ImportBatch.Joins).
        var arrived = Channel.CreateBounded<ImportRecordsRequest>(new BoundedChannelOptions(MessagesAhead) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var reading = ReadAheadAsync(requestStream, arrived.Writer, stop.Token);
        try
        {
            // Records with no content are rejected here; the import grain counts the rest, over the whole import.
            var empties = new Abstractions.Import.ImportCounts();
            var applied = new Abstractions.Import.ImportCounts();
            Parsed? carried = null;
            while (carried is not null || await arrived.Reader.WaitToReadAsync(context.CancellationToken))
            {
                var parts = new List<Parsed>();
                var batch = Empty;
                Exception? refused = null;
                if (carried is { } first)
                {
                    (parts, batch, carried) = ([first], first.Batch, null);
                }

                // Take what has arrived, in order, while it joins the batch being formed.
                while (parts.Count < MaxJoined && arrived.Reader.TryRead(out var message))
                {
                    Parsed next;
                    try
                    {
                        next = await ParseAsync(message, context);
                    }
                    catch (DirectoryException e)
                    {
                        refused = e;
                        break;
                    }

                    await ThrottleAsync(context);
                    if (parts.Count > 0 && !batch.Joins(next.Batch))
                    {
                        carried = next;
                        break;
                    }

                    parts.Add(next);
                    batch = parts.Count == 1 ? next.Batch : batch.Join(next.Batch);
                }

                var outcome = batch.Count == 0 ? null : await ApplyAsync(import.Value, batch, unaudited, context);
                var joinedPart = 0;
                foreach (var part in parts)
                {
                    empties += new Abstractions.Import.ImportCounts(part.Empty.Count, Rejected: part.Empty.Count);
                    var own = part.Batch.Count == 0 ? null : outcome?.Parts[joinedPart++];
                    applied += own?.Counts ?? new Abstractions.Import.ImportCounts();
                    var response = new ImportRecordsResponse { Counts = ImportMapping.ToProto(empties + applied) };
                    response.Rejections.AddRange(part.Empty.Concat(own?.Rejections ?? []).Select(ImportMapping.ToProto));
                    await responseStream.WriteAsync(response, context.CancellationToken);
                }

                if (refused is not null)
                {
                    ExceptionDispatchInfo.Throw(refused);
                }
            }

            await reading;
            if (import.IsValueCreated && await import.Value.CompleteAsync() < applied.Records)
            {
                // The import's grain went away mid-stream and took the handed-over updates it held
                // with it: their groups deliver them, but not before this answer. Not acknowledged.
                throw new RpcException(new Status(StatusCode.Unavailable,
                    "the import's state on the service was lost mid-stream (its activation went away): what it applied stands, but is not all visible yet; run the import again"));
            }

            await responseStream.WriteAsync(new ImportRecordsResponse { Counts = ImportMapping.ToProto(empties + applied), Done = true }, context.CancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAny(reading);
        }
    }

    /// <summary>Most messages read ahead of the batch being applied.</summary>
    public const int MessagesAhead = 16;

    /// <summary>Most of the client's batches applied as one.</summary>
    public const int MaxJoined = 16;

    /// <summary>A message's batch and the records in it that carry nothing (rejected at once).</summary>
    private sealed record Parsed(ImportBatch Batch, List<Abstractions.Import.ImportRejection> Empty);

    private static readonly ImportBatch Empty = new([], [], []);

    /// <summary>Reads the stream into <paramref name="arrived"/> until it ends (or fails: the applier then meets the error in order).</summary>
    private static async Task ReadAheadAsync(IAsyncStreamReader<ImportRecordsRequest> requestStream, ChannelWriter<ImportRecordsRequest> arrived, CancellationToken cancellationToken)
    {
        try
        {
            while (await requestStream.MoveNext(cancellationToken))
            {
                await arrived.WriteAsync(requestStream.Current, cancellationToken);
            }

            arrived.Complete();
        }
        catch (Exception e)
        {
            arrived.Complete(e);
        }
    }

    /// <summary>The batch a message carries; a message that does not parse, or breaks the batch's limits, ends the stream, and is audited as refused.</summary>
    private async Task<Parsed> ParseAsync(ImportRecordsRequest request, ServerCallContext context)
    {
        try
        {
            if (Parsing.UnparsedRequests.Reason(request) is { } reason)
            {
                throw new DirectoryException(DirectoryErrorCode.InvalidArgument, null, $"a message of the stream is not a valid directory.v1.ImportRecordsRequest ({reason})");
            }

            var (batch, empty) = ImportMapping.ToDomain(request);
            return new Parsed(batch, empty);
        }
        catch (DirectoryException e)
        {
            await audit.RecordRefusalAsync(context.GetHttpContext(), context.Method, [], e.Code.ToString(), null);
            throw;
        }
    }

    private async Task<ImportBatchOutcome> ApplyAsync(IImportGrain import, ImportBatch batch, UnauditedBatches unaudited, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var targets = await import.PlanAsync(batch);
        if (unaudited.TryNext && await import.ApplyUnchangedAsync(batch) is { } same)
        {
            unaudited.Count++;
            return same;
        }

        var outcome = await ApplyAuditedAsync(import, batch, targets, http, context);
        unaudited.TryNext = outcome.Changed.IsEmpty && outcome.Rejections.IsEmpty;
        return outcome;
    }

    private async Task<ImportBatchOutcome> ApplyAuditedAsync(IImportGrain import, ImportBatch batch, ImmutableArray<string> targets, HttpContext http, ServerCallContext context)
    {
        // A batch's records are stored side by side, so that they go to storage together (the audit
        // log commits the records of one second in shared transactions) instead of one round trip
        // after another while the import waits: 40 of them for a joined batch of 16,000 records.
        var begun = targets.Chunk(TargetsPerAuditRecord).DefaultIfEmpty([]).Select(slice => audit.BeginAsync(http, context.Method, slice, [], null)).ToList();
        try
        {
            await Task.WhenAll(begun);
        }
        catch (AuditUnavailableException e)
        {
            await SettleAsync([.. begun.Where(b => b.IsCompletedSuccessfully).Select(b => b.Result)], "UNAVAILABLE", _ => []);
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }

        List<Abstractions.Audit.AuditRecord> pending = [.. begun.Select(b => b.Result)];

        ImportBatchOutcome outcome;
        try
        {
            outcome = await import.ApplyAsync(batch);
        }
        catch (Exception e)
        {
            await SettleAsync(pending, e is DirectoryException d ? d.Code.ToString() : "UNKNOWN", record => record.Targets);
            throw;
        }

        var changed = outcome.Changed.ToHashSet(StringComparer.Ordinal);
        var result = outcome.Rejections.IsEmpty ? "OK" : "PARTIAL";
        await SettleAsync(pending, result, record => [.. record.Targets.Where(changed.Contains)]);
        return outcome;
    }

    /// <summary>Settles the batch's pending records side by side (each failure is logged by the trail, never thrown).</summary>
    private Task SettleAsync(List<Abstractions.Audit.AuditRecord> pending, string result, Func<Abstractions.Audit.AuditRecord, IReadOnlyList<string>> targets) =>
        Task.WhenAll(pending.Select(record => audit.SettleAsync(record, result, targets(record))));

    /// <summary>Waits while the tenant is over its request rate: each batch counts as one request.</summary>
    private async Task ThrottleAsync(ServerCallContext context)
    {
        while (!limiter.TryAcquire(context.GetHttpContext().User, out _, out var retryAfter))
        {
            await Task.Delay(retryAfter, time, context.CancellationToken);
        }
    }
}
