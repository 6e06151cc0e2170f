using DirectoryService.Grpc.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace DirectoryService.Silo.Tests;

/// <summary>The clients of one tenant on one silo's gRPC endpoint.</summary>
public sealed class DirectoryClient(GrpcChannel channel, string tenantId)
{
    private readonly CallInvoker _invoker = channel.Intercept(headers =>
    {
        headers.Add("x-tenant-id", tenantId);
        return headers;
    });

    public Users.UsersClient Users => new(_invoker);

    public Groups.GroupsClient Groups => new(_invoker);

    public Members.MembersClient Members => new(_invoker);

    public static async Task CreateTenantAsync(GrpcChannel channel, string tenantId) =>
        await new Tenants.TenantsClient(channel).CreateTenantAsync(new CreateTenantRequest
        {
            TenantId = tenantId,
            Tenant = new Tenant { DisplayName = tenantId, VerifiedDomains = { $"{tenantId}.example.com" } },
        }, deadline: DateTime.UtcNow.AddSeconds(30));

    public async Task<HashSet<string>> MembersOfAsync(string groupId)
    {
        var ids = new HashSet<string>();
        var request = new ListMembersRequest { GroupId = groupId, PageSize = 999 };
        do
        {
            var page = await Members.ListMembersAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            ids.UnionWith(page.Members.Select(m => m.Id));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");
        return ids;
    }

    public async Task<List<User>> AllUsersAsync()
    {
        var users = new List<User>();
        var request = new ListUsersRequest { PageSize = 999 };
        do
        {
            var page = await Users.ListUsersAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            users.AddRange(page.Users);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");
        return users;
    }
}
