using DirectoryService.Abstractions.Changes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Audit;
using DirectoryService.Gateway.Paging;
using DirectoryService.Gateway.Security;
using DirectoryService.Gateway.Tenancy;
using DirectoryService.Grpc.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace DirectoryService.Gateway.Changes;

/// <summary>
/// The Changes API: delta pages and change streams of the caller's tenant, read by the tenant's
/// <see cref="IChangesQueryGrain"/> on this silo; tokens are <see cref="DeltaTokens"/>.
/// </summary>
public sealed class ChangesService(IGrainFactory grains, DeltaTokens tokens, AuditTrail audit) : Grpc.V1.Changes.ChangesBase
{
    /// <summary>Most objects one stream message carries.</summary>
    private const int WatchBatch = 100;

    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    [Authorize(Policy = Policies.UsersRead)]
    public override async Task<DeltaUsersResponse> DeltaUsers(DeltaRequest request, ServerCallContext context)
    {
        var (items, next, delta) = await DeltaAsync(request, context, ObjectKind.User);
        return new DeltaUsersResponse { Users = { items.Users }, NextPageToken = next, DeltaToken = delta };
    }

    [Authorize(Policy = Policies.GroupsRead)]
    public override async Task<DeltaGroupsResponse> DeltaGroups(DeltaRequest request, ServerCallContext context)
    {
        var (items, next, delta) = await DeltaAsync(request, context, ObjectKind.Group);
        return new DeltaGroupsResponse { Groups = { items.Groups }, NextPageToken = next, DeltaToken = delta };
    }

    [Authorize(Policy = Policies.ChangesWatch)]
    public override async Task WatchChanges(WatchChangesRequest request, IServerStreamWriter<WatchChangesResponse> responseStream, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var kind = request.Kind switch
        {
            ChangeKind.Users => ObjectKind.User,
            ChangeKind.Groups => ObjectKind.Group,
            _ => throw DirectoryException.Invalid(ErrorField.Request("kind"), "must be CHANGE_KIND_USERS or CHANGE_KIND_GROUPS"),
        };
        await RequireReadAsync(context, kind);
        if (request.HeartbeatSeconds is < 0 or > 60)
        {
            throw DirectoryException.Invalid(ErrorField.Request("heartbeat_seconds"), $"must be between 1 and 60 (0 means 10), got {request.HeartbeatSeconds}");
        }

        var heartbeat = TimeSpan.FromSeconds(request.HeartbeatSeconds == 0 ? 10 : request.HeartbeatSeconds);
        var query = grains.GetGrain<IChangesQueryGrain>(tenant);
        var cursor = request.Token.Length == 0 ? await query.LatestAsync(kind) : tokens.Open(tenant, kind, request.Token, "token");
        var cancel = context.CancellationToken;
        // The first message comes at once (changes, or a heartbeat): the client holds a resume point from the start.
        var quietSince = DateTime.MinValue;
        while (!cancel.IsCancellationRequested)
        {
            var (message, next, caughtUp) = await ReadAsync(query, kind, cursor, WatchBatch, cancel);
            cursor = next;
            var changes = message.Users.Count + message.Groups.Count > 0;
            if (changes || DateTime.UtcNow - quietSince >= heartbeat)
            {
                message.Token = tokens.Issue(tenant, cursor);
                message.Heartbeat = !changes;
                await responseStream.WriteAsync(message, cancel);
                quietSince = DateTime.UtcNow;
            }

            if (caughtUp)
            {
                // Each wait is one grain call: kept well inside the call timeout.
                var wait = Min(heartbeat - (DateTime.UtcNow - quietSince), MaxWait);
                if (wait > TimeSpan.Zero)
                {
                    await query.WaitAsync(cursor, wait, cancel);
                }
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>One delta page: the changed objects (in a stream message's shape) and the tokens (next page, or the round's delta token).</summary>
    private async Task<(WatchChangesResponse Items, string NextPageToken, string DeltaToken)> DeltaAsync(DeltaRequest request, ServerCallContext context, ObjectKind kind)
    {
        var tenant = CallerTenant.From(context);
        var size = PageTokens.PageSize(request.PageSize, "page_size");
        if (request.Latest && request.Token.Length > 0)
        {
            throw DirectoryException.Invalid(ErrorField.Request("latest"), "asks for a token at the end of the changes: send it without a token");
        }

        var cursor = request.Token.Length == 0 ? null : tokens.Open(tenant, kind, request.Token, "token");
        var query = grains.GetGrain<IChangesQueryGrain>(tenant);
        if (request.Latest)
        {
            return (new WatchChangesResponse(), "", tokens.Issue(tenant, await query.LatestAsync(kind)));
        }

        var (items, next, caughtUp) = await ReadAsync(query, kind, cursor, size, context.CancellationToken);
        var token = tokens.Issue(tenant, next);
        return caughtUp ? (items, "", token) : (items, token, "");
    }

    /// <summary>Reads the page of <paramref name="kind"/> after <paramref name="cursor"/> (null: the first page of an enumeration).</summary>
    private static async Task<(WatchChangesResponse Items, ChangeCursor Next, bool CaughtUp)> ReadAsync(IChangesQueryGrain query, ObjectKind kind, ChangeCursor? cursor, int size, CancellationToken cancel)
    {
        var items = new WatchChangesResponse();
        if (kind == ObjectKind.User)
        {
            var page = await query.ReadUsersAsync(cursor, size, cancel);
            items.Users.Add(page.Items.Select(ChangeMapping.ToProto));
            return (items, page.Next, page.CaughtUp);
        }
        else
        {
            var page = await query.ReadGroupsAsync(cursor, size, cancel);
            items.Groups.Add(page.Items.Select(ChangeMapping.ToProto));
            return (items, page.Next, page.CaughtUp);
        }
    }

    /// <summary>A stream of a kind needs that kind's read permission; a refusal is audited as the policy's refusals are.</summary>
    private async Task RequireReadAsync(ServerCallContext context, ObjectKind kind)
    {
        var policy = kind == ObjectKind.User ? Policies.UsersRead : Policies.GroupsRead;
        var http = context.GetHttpContext();
        if (!Policies.Allows(http.User, policy))
        {
            await audit.RecordRefusalAsync(http, context.Method, [], "PERMISSION_DENIED", tenantHint: null);
            throw new DirectoryException(DirectoryErrorCode.PermissionDenied, ErrorField.Request("kind"),
                $"following {ChangeFeeds.KindName(kind)} needs one of {string.Join(", ", Policies.Allowed[policy])}");
        }
    }
}
