using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Import;
using DirectoryService.Gateway.Audit;
using DirectoryService.Gateway.Security;
using DirectoryService.Gateway.Tenancy;
using DirectoryService.Grpc.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace DirectoryService.Gateway.Import;

/// <summary>
/// The Import API: reads a stream of batches and has the stream's import grain apply each before
/// reading the next, so the silo holds one batch whatever the
/// import's size. Each batch is audited as every write is — pending records naming what it may touch
/// stored before it runs, settled with what it changed — and counts against the tenant's request
/// rate (a throttled import waits; it is not failed).
/// </summary>
public sealed class ImportService(IGrainFactory grains, AuditTrail audit, TenantRateLimiter limiter, TimeProvider time) : Grpc.V1.Import.ImportBase
{
    /// <summary>Most ids one audit record names; a batch's ids are spread over as many records as needed.</summary>
    public const int TargetsPerAuditRecord = 400;

    [Authorize(Policy = Policies.Import)]
    public override async Task ImportRecords(IAsyncStreamReader<ImportRecordsRequest> requestStream, IServerStreamWriter<ImportRecordsResponse> responseStream, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var import = new Lazy<IImportGrain>(() => grains.GetGrain<IImportGrain>(GrainKeys.Scoped(tenant, Guid.NewGuid().ToString("N"))));
        try
        {
            await ImportAsync(import, requestStream, responseStream, context);
        }
        finally
        {
            if (import.IsValueCreated)
            {
                await import.Value.EndAsync();
            }
        }
    }

    private async Task ImportAsync(Lazy<IImportGrain> import, IAsyncStreamReader<ImportRecordsRequest> requestStream, IServerStreamWriter<ImportRecordsResponse> responseStream, ServerCallContext context)
    {
        // Records with no content are rejected here; the import grain counts the rest, over the whole import.
        var empties = new Abstractions.Import.ImportCounts();
        var applied = new Abstractions.Import.ImportCounts();
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var (batch, empty) = await ParseAsync(requestStream.Current, context);
            await ThrottleAsync(context);
            empties += new Abstractions.Import.ImportCounts(empty.Count, Rejected: empty.Count);
            var outcome = batch.Count == 0 ? null : await ApplyAsync(import.Value, batch, context);
            applied = outcome?.Counts ?? applied;
            var response = new ImportRecordsResponse { Counts = ImportMapping.ToProto(empties + applied) };
            response.Rejections.AddRange(empty.Concat(outcome?.Rejections ?? []).Select(ImportMapping.ToProto));
            await responseStream.WriteAsync(response, context.CancellationToken);
        }

        if (import.IsValueCreated)
        {
            await import.Value.CompleteAsync();
        }

        await responseStream.WriteAsync(new ImportRecordsResponse { Counts = ImportMapping.ToProto(empties + applied), Done = true }, context.CancellationToken);
    }

    /// <summary>The batch a message carries; a message that does not parse, or breaks the batch's limits, ends the stream, and is audited as refused.</summary>
    private async Task<(ImportBatch Batch, List<Abstractions.Import.ImportRejection> Empty)> ParseAsync(ImportRecordsRequest request, ServerCallContext context)
    {
        try
        {
            if (Parsing.UnparsedRequests.Reason(request) is { } reason)
            {
                throw new DirectoryException(DirectoryErrorCode.InvalidArgument, null, $"a message of the stream is not a valid directory.v1.ImportRecordsRequest ({reason})");
            }

            return ImportMapping.ToDomain(request);
        }
        catch (DirectoryException e)
        {
            await audit.RecordRefusalAsync(context.GetHttpContext(), context.Method, [], e.Code.ToString(), null);
            throw;
        }
    }

    private async Task<ImportBatchOutcome> ApplyAsync(IImportGrain import, ImportBatch batch, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var targets = await import.PlanAsync(batch);
        var pending = new List<Abstractions.Audit.AuditRecord>();
        try
        {
            foreach (var slice in targets.Chunk(TargetsPerAuditRecord).DefaultIfEmpty([]))
            {
                pending.Add(await audit.BeginAsync(http, context.Method, slice, [], null));
            }
        }
        catch (AuditUnavailableException e)
        {
            await SettleAsync(pending, "UNAVAILABLE", _ => []);
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }

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

    private async Task SettleAsync(List<Abstractions.Audit.AuditRecord> pending, string result, Func<Abstractions.Audit.AuditRecord, IReadOnlyList<string>> targets)
    {
        foreach (var record in pending)
        {
            await audit.SettleAsync(record, result, targets(record));
        }
    }

    /// <summary>Waits while the tenant is over its request rate: each batch counts as one request.</summary>
    private async Task ThrottleAsync(ServerCallContext context)
    {
        while (!limiter.TryAcquire(context.GetHttpContext().User, out _, out var retryAfter))
        {
            await Task.Delay(retryAfter, time, context.CancellationToken);
        }
    }
}
