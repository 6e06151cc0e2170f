using DirectoryService.Abstractions.Audit;
using DirectoryService.Abstractions.Common;
using Google.Protobuf.WellKnownTypes;
using DirectoryService.Gateway.Paging;
using DirectoryService.Gateway.Security;
using DirectoryService.Gateway.Tenancy;
using DirectoryService.Grpc.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace DirectoryService.Gateway.Audit;

/// <summary>Reads the audit logs: the caller's tenant's, or (operators) the logs of no tenant. Nothing here changes a record.</summary>
public sealed class AuditService(IAuditLog log, PageTokens tokens) : Grpc.V1.Audit.AuditBase
{
    [Authorize(Policy = Policies.AuditRead)]
    public override Task<ListAuditRecordsResponse> ListAuditRecords(ListAuditRecordsRequest request, ServerCallContext context) =>
        ListAsync(context, CallerTenant.From(context), request.PageSize, request.PageToken, request.StartTime, request.EndTime);

    [Authorize(Policy = Policies.TenantsManage)]
    public override Task<ListAuditRecordsResponse> ListServiceAuditRecords(ListServiceAuditRecordsRequest request, ServerCallContext context)
    {
        var log = request.Log switch
        {
            ServiceAuditLog.Unauthenticated => AuditTrail.Unauthenticated,
            ServiceAuditLog.Operators => AuditTrail.Operators,
            _ => throw DirectoryException.Invalid(ErrorField.Request("log"), "must be SERVICE_AUDIT_LOG_UNAUTHENTICATED or SERVICE_AUDIT_LOG_OPERATORS"),
        };
        return ListAsync(context, log, request.PageSize, request.PageToken, request.StartTime, request.EndTime);
    }

    private async Task<ListAuditRecordsResponse> ListAsync(ServerCallContext context, string tenant, int pageSize, string pageToken, Timestamp? start, Timestamp? end)
    {
        var from = start?.ToDateTimeOffset();
        var to = end?.ToDateTimeOffset();
        var query = $"{tenant}|{from:O}|{to:O}";
        var page = tokens.Read(context, pageSize, pageToken, query);
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
