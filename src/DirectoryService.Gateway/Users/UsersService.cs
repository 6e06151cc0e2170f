using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Gateway.Paging;
using DirectoryService.Gateway.Security;
using DirectoryService.Gateway.Tenancy;
using DirectoryService.Grpc.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace DirectoryService.Gateway.Users;

/// <summary>The Users API: maps each call onto the user grains of the caller's tenant.</summary>
public sealed class UsersService(IGrainFactory grains, ISignInReads signInReads, PageTokens tokens) : Grpc.V1.Users.UsersBase
{
    [Authorize(Policy = Policies.UsersWrite)]
    public override async Task<User> CreateUser(CreateUserRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var user = Requests.Required(request.User, "user");
        var created = await grains.User(tenant, NewObjectIds.For(context)).CreateAsync(user.ToProfile());
        return created.ToProto();
    }

    [Authorize(Policy = Policies.UsersRead)]
    public override async Task<User> GetUser(GetUserRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var user = request.KeyCase switch
        {
            GetUserRequest.KeyOneofCase.Id => await grains.User(tenant, Identifiers.ObjectId(request.Id, ErrorField.Request("id"))).GetWithKeysAsync(),
            GetUserRequest.KeyOneofCase.UserPrincipalName => await signInReads.GetUserByPrincipalNameAsync(tenant,
                Requests.Text(request.UserPrincipalName, "user_principal_name") ?? throw DirectoryException.Invalid(ErrorField.Request("user_principal_name"), "is required"),
                context.CancellationToken),
            _ => throw DirectoryException.Invalid(ErrorField.Request("key"), "set id or user_principal_name"),
        };
        return user.ToProto();
    }

    [Authorize(Policy = Policies.UsersWrite)]
    public override async Task<User> UpdateUser(UpdateUserRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var user = Requests.Required(request.User, "user");
        var updated = await grains.User(tenant, Identifiers.ObjectId(user.Id, ErrorField.Request("user.id")))
            .UpdateAsync(user.ToProfile(), Requests.Paths(request.UpdateMask), user.Etag);
        return updated.ToProto();
    }

    [Authorize(Policy = Policies.UsersWrite)]
    public override async Task<User> DeleteUser(DeleteUserRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var deleted = await grains.User(tenant, Identifiers.ObjectId(request.Id, ErrorField.Request("id"))).DeleteAsync(request.Etag);
        return deleted.ToProto();
    }

    [Authorize(Policy = Policies.UsersWrite)]
    public override async Task<User> RestoreUser(RestoreUserRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var restored = await grains.User(tenant, Identifiers.ObjectId(request.Id, ErrorField.Request("id"))).RestoreAsync();
        return restored.ToProto();
    }

    [Authorize(Policy = Policies.UsersRead)]
    public override async Task<ListUsersResponse> ListUsers(ListUsersRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var filter = new UserFilter
        {
            UserPrincipalName = Requests.Text(request.UserPrincipalName, "user_principal_name"),
            Mail = Requests.Text(request.Mail, "mail"),
            DisplayNamePrefix = Requests.Text(request.DisplayNamePrefix, "display_name_prefix"),
            Department = Requests.Text(request.Department, "department"),
            AccountEnabled = request.HasAccountEnabled ? request.AccountEnabled : null,
            ExternalId = Requests.Text(request.ExternalId, "external_id"),
            Deletion = request.ShowDeleted ? DeletionFilter.DeletedOnly : DeletionFilter.LiveOnly,
        };
        var query = filter.ToString();
        var page = tokens.Read(context, request.PageSize, request.PageToken, query);
        var result = await grains.GetGrain<IDirectoryQueryGrain>(tenant).ListUsersAsync(filter, page.After, page.Size, context.CancellationToken);
        return new ListUsersResponse
        {
            Users = { result.Items.Select(u => u.ToProto()) },
            NextPageToken = tokens.Issue(context, result.Next, query),
        };
    }

    [Authorize(Policy = Policies.UsersRead)]
    public override async Task<BatchGetUsersResponse> BatchGetUsers(BatchGetUsersRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.From(context);
        var ids = Requests.ObjectIds(request.Ids, "ids", Limits.MaxBatchGetIds);
        var users = await grains.GetGrain<IDirectoryQueryGrain>(tenant).BatchGetUsersAsync(ids, context.CancellationToken);
        return new BatchGetUsersResponse { Users = { users.Select(u => u.ToProto()) } };
    }
}
