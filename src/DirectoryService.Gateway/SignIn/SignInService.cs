using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Gateway.Members;
using DirectoryService.Gateway.Security;
using DirectoryService.Gateway.Tenancy;
using DirectoryService.Grpc.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace DirectoryService.Gateway.SignIn;

/// <summary>The sign-in path: transitive membership answers for token issuers, from this silo's caches when warm.</summary>
public sealed class SignInService(ISignInReads reads) : Grpc.V1.SignIn.SignInBase
{
    [Authorize(Policy = Policies.SignIn)]
    public override async Task<CheckMemberGroupsResponse> CheckMemberGroups(CheckMemberGroupsRequest request, ServerCallContext context)
    {
        var principal = request.Principal.ToDomain("principal");
        var groupIds = Requests.ObjectIds(request.GroupIds, "group_ids", Limits.MaxCheckGroupIds);
        var hits = await reads.CheckMemberGroupsAsync(CallerTenant.From(context), principal, groupIds, context.CancellationToken);
        return new CheckMemberGroupsResponse { GroupIds = { hits } };
    }

    [Authorize(Policy = Policies.SignIn)]
    public override async Task<GetMemberGroupsResponse> GetMemberGroups(GetMemberGroupsRequest request, ServerCallContext context)
    {
        var principal = request.Principal.ToDomain("principal");
        var groups = await reads.GetMemberGroupsAsync(CallerTenant.From(context), principal, request.SecurityEnabledOnly, context.CancellationToken);
        return new GetMemberGroupsResponse { GroupIds = { groups } };
    }

    [Authorize(Policy = Policies.SignIn)]
    public override async Task<ResolveSignInResponse> ResolveSignIn(ResolveSignInRequest request, ServerCallContext context)
    {
        var upn = Requests.Text(request.UserPrincipalName, "user_principal_name")
            ?? throw DirectoryException.Invalid(ErrorField.Request("user_principal_name"), "is required");
        var resolution = await reads.ResolveSignInAsync(CallerTenant.From(context), upn, request.SecurityEnabledOnly, context.CancellationToken);
        return new ResolveSignInResponse
        {
            UserId = resolution.UserId,
            AccountEnabled = resolution.AccountEnabled,
            GroupIds = { resolution.GroupIds },
            GroupsOverage = resolution.GroupsOverage,
        };
    }
}
