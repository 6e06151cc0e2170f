using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Gateway.Paging;
using DirectoryService.Gateway.Security;
using DirectoryService.Gateway.Tenancy;
using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace DirectoryService.Gateway.Members;

/// <summary>
/// The Members API. Writes go to the group grain, which owns the member list; a change that nests
/// groups goes through the tenant's nesting grain, which rules out cycles. Reads go to the
/// membership query grain.
/// </summary>
public sealed class MembersService(IGrainFactory grains, PageTokens tokens) : Grpc.V1.Members.MembersBase
{
    [Authorize(Policy = Policies.MembersWrite)]
    public override async Task<AddMembersResponse> AddMembers(AddMembersRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var groupId = Identifiers.ObjectId(request.GroupId, ErrorField.Request("group_id"));
        if (request.Members.Count == 0 || request.Members.Count > Limits.MaxMembersPerAdd)
        {
            throw DirectoryException.Invalid(ErrorField.Request("members"), $"must hold 1 to {Limits.MaxMembersPerAdd} members, got {request.Members.Count}");
        }

        ImmutableArray<ObjectRef> members = [.. request.Members.Select((m, i) => m.ToDomain($"members[{i}]"))];
        var added = members.Any(m => m.Kind == ObjectKind.Group)
            ? await grains.GetGrain<INestingGrain>(tenant).AddMembersAsync(groupId, members)
            : await grains.Group(tenant, groupId).AddMembersAsync(members);
        return new AddMembersResponse { AddedCount = added };
    }

    [Authorize(Policy = Policies.MembersWrite)]
    public override async Task<Empty> RemoveMember(RemoveMemberRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var groupId = Identifiers.ObjectId(request.GroupId, ErrorField.Request("group_id"));
        await grains.Group(tenant, groupId).RemoveMemberAsync(request.Member.ToDomain("member"));
        return new Empty();
    }

    [Authorize(Policy = Policies.MembersRead)]
    public override async Task<ListMembersResponse> ListMembers(ListMembersRequest request, ServerCallContext context)
    {
        var (query, groupId, page) = Parse(request, context);
        return ToResponse(context, await query.ListMembersAsync(groupId, page.After, page.Size, context.CancellationToken), groupId);
    }

    [Authorize(Policy = Policies.MembersRead)]
    public override async Task<ListMembersResponse> ListTransitiveMembers(ListMembersRequest request, ServerCallContext context)
    {
        var (query, groupId, page) = Parse(request, context);
        return ToResponse(context, await query.ListTransitiveMembersAsync(groupId, page.After, page.Size, context.CancellationToken), groupId);
    }

    [Authorize(Policy = Policies.MembersRead)]
    public override async Task<ListMemberOfResponse> ListMemberOf(ListMemberOfRequest request, ServerCallContext context)
    {
        var (query, principal, page) = Parse(request, context);
        return ToResponse(context, await query.ListMemberOfAsync(principal, page.After, page.Size, context.CancellationToken), principal.ToString());
    }

    [Authorize(Policy = Policies.MembersRead)]
    public override async Task<ListMemberOfResponse> ListTransitiveMemberOf(ListMemberOfRequest request, ServerCallContext context)
    {
        var (query, principal, page) = Parse(request, context);
        return ToResponse(context, await query.ListTransitiveMemberOfAsync(principal, page.After, page.Size, context.CancellationToken), principal.ToString());
    }

    private (IMembershipQueryGrain Query, string GroupId, PageRequest Page) Parse(ListMembersRequest request, ServerCallContext context)
    {
        var query = grains.GetGrain<IMembershipQueryGrain>(CallerTenant.From(context));
        var groupId = Identifiers.ObjectId(request.GroupId, ErrorField.Request("group_id"));
        return (query, groupId, tokens.Read(context, request.PageSize, request.PageToken, groupId));
    }

    private (IMembershipQueryGrain Query, ObjectRef Principal, PageRequest Page) Parse(ListMemberOfRequest request, ServerCallContext context)
    {
        var query = grains.GetGrain<IMembershipQueryGrain>(CallerTenant.From(context));
        var principal = request.Principal.ToDomain("principal");
        return (query, principal, tokens.Read(context, request.PageSize, request.PageToken, principal.ToString()));
    }

    private ListMembersResponse ToResponse(ServerCallContext context, Page<ObjectRef> page, string query) => new()
    {
        Members = { page.Items.Select(m => m.ToProto()) },
        NextPageToken = tokens.Issue(context, page.Next, query),
    };

    private ListMemberOfResponse ToResponse(ServerCallContext context, Page<string> page, string query) => new()
    {
        GroupIds = { page.Items },
        NextPageToken = tokens.Issue(context, page.Next, query),
    };
}
