using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Gateway.Paging;
using DirectoryService.Gateway.Security;
using DirectoryService.Gateway.Tenancy;
using DirectoryService.Grpc.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace DirectoryService.Gateway.Groups;

/// <summary>The Groups API: maps each call onto the group grains of the caller's tenant.</summary>
public sealed class GroupsService(IGrainFactory grains, PageTokens tokens) : Grpc.V1.Groups.GroupsBase
{
    [Authorize(Policy = Policies.GroupsWrite)]
    public override async Task<Group> CreateGroup(CreateGroupRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var group = Requests.Required(request.Group, "group");
        var created = await grains.Group(tenant, NewObjectIds.For(context)).CreateAsync(group.ToProfile());
        return created.ToProto();
    }

    [Authorize(Policy = Policies.GroupsRead)]
    public override async Task<Group> GetGroup(GetGroupRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var group = await grains.Group(tenant, Identifiers.ObjectId(request.Id, ErrorField.Request("id"))).GetAsync(includeDeleted: false);
        return group.ToProto();
    }

    [Authorize(Policy = Policies.GroupsWrite)]
    public override async Task<Group> UpdateGroup(UpdateGroupRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var group = Requests.Required(request.Group, "group");
        var updated = await grains.Group(tenant, Identifiers.ObjectId(group.Id, ErrorField.Request("group.id")))
            .UpdateAsync(group.ToProfile(), Requests.Paths(request.UpdateMask), group.Etag);
        return updated.ToProto();
    }

    [Authorize(Policy = Policies.GroupsWrite)]
    public override async Task<Group> DeleteGroup(DeleteGroupRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var deleted = await grains.Group(tenant, Identifiers.ObjectId(request.Id, ErrorField.Request("id"))).DeleteAsync(request.Etag);
        return deleted.ToProto();
    }

    [Authorize(Policy = Policies.GroupsWrite)]
    public override async Task<Group> RestoreGroup(RestoreGroupRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var restored = await grains.Group(tenant, Identifiers.ObjectId(request.Id, ErrorField.Request("id"))).RestoreAsync();
        return restored.ToProto();
    }

    [Authorize(Policy = Policies.GroupsRead)]
    public override async Task<ListGroupsResponse> ListGroups(ListGroupsRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var filter = new GroupFilter
        {
            DisplayNamePrefix = Requests.Text(request.DisplayNamePrefix, "display_name_prefix"),
            MailNickname = Requests.Text(request.MailNickname, "mail_nickname"),
            SecurityEnabled = request.HasSecurityEnabled ? request.SecurityEnabled : null,
            ExternalId = Requests.Text(request.ExternalId, "external_id"),
            Deletion = request.ShowDeleted ? DeletionFilter.DeletedOnly : DeletionFilter.LiveOnly,
        };
        var query = filter.ToString();
        var page = tokens.Read(context, request.PageSize, request.PageToken, query);
        var result = await grains.GetGrain<IDirectoryQueryGrain>(tenant).ListGroupsAsync(filter, page.After, page.Size, context.CancellationToken);
        return new ListGroupsResponse
        {
            Groups = { result.Items.Select(g => g.ToProto()) },
            NextPageToken = tokens.Issue(context, result.Next, query),
        };
    }

    [Authorize(Policy = Policies.GroupsRead)]
    public override async Task<BatchGetGroupsResponse> BatchGetGroups(BatchGetGroupsRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var ids = Requests.ObjectIds(request.Ids, "ids", Limits.MaxBatchGetIds);
        var groups = await grains.GetGrain<IDirectoryQueryGrain>(tenant).BatchGetGroupsAsync(ids, context.CancellationToken);
        return new BatchGetGroupsResponse { Groups = { groups.Select(g => g.ToProto()) } };
    }
}
