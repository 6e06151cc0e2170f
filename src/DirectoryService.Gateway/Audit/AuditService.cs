using DirectoryService.Abstractions.Audit;
using DirectoryService.Gateway.Paging;
using DirectoryService.Gateway.Security;
using DirectoryService.Gateway.Tenancy;
using DirectoryService.Grpc.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace DirectoryService.Gateway.Audit;

/// <summary>Reads the caller's tenant's audit log. Nothing here, or anywhere, changes a record.</summary>
public sealed class AuditService(IAuditLog log, PageTokens tokens) : Grpc.V1.Audit.AuditBase
{
    [Authorize(Policy = Policies.AuditRead)]
    public override async Task<ListAuditRecordsResponse> ListAuditRecords(ListAuditRecordsRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var from = request.StartTime?.ToDateTimeOffset();
        var to = request.EndTime?.ToDateTimeOffset();
        var query = $"{from:O}|{to:O}";
        var page = tokens.Read(context, request.PageSize, request.PageToken, query);
        var records = await log.ListAsync(tenant, from, to, page.After, page.Size);
        return new ListAuditRecordsResponse
        {
            Records = { records.Items.Select(ToProto) },
            NextPageToken = tokens.Issue(context, records.Next, query),
        };
    }

    private static Grpc.V1.AuditRecord ToProto(Abstractions.Audit.AuditRecord r) => new()
    {
        Id = r.Id,
        Time = Requests.Time(r.Time),
        Subject = r.Subject,
        App = r.App,
        Operation = r.Operation,
        TargetIds = { r.Targets },
        ChangedProperties = { r.ChangedProperties },
        Result = r.Result,
        CorrelationId = r.CorrelationId,
    };
}
