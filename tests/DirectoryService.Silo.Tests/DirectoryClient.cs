using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using DirectoryService.Testing;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace DirectoryService.Silo.Tests;

/// <summary>The clients of one tenant on one silo's gRPC endpoint.</summary>
public sealed class DirectoryClient(GrpcChannel channel, string tenantId)
{
    private static readonly Dictionary<string, string> Tokens = [];
    private readonly CallInvoker _invoker = channel.Intercept(headers =>
    {
        headers.Add("authorization", "Bearer " + TokenFor(tenantId));
        return headers;
    });

    public Users.UsersClient Users => new(_invoker);

    private static string TokenFor(string tenantId)
    {
        lock (Tokens)
        {
            if (!Tokens.TryGetValue(tenantId, out var token))
            {
                Tokens[tenantId] = token = ClusterSettings.Token(tenantId, Permissions.DirectoryReadWrite);
            }

            return token;
        }
    }

    public Groups.GroupsClient Groups => new(_invoker);

    public Members.MembersClient Members => new(_invoker);

    public SignIn.SignInClient SignIn => new(_invoker);

    public Import.ImportClient Import => new(_invoker);

    public Changes.ChangesClient Changes => new(_invoker);

    public static async Task CreateTenantAsync(GrpcChannel channel, string tenantId) =>
        await new Tenants.TenantsClient(channel.Intercept(headers =>
        {
            headers.Add("authorization", "Bearer " + ClusterSettings.Token(null, Permissions.Operator));
            return headers;
        })).CreateTenantAsync(new CreateTenantRequest
        {
            TenantId = tenantId,
            Tenant = new Tenant { DisplayName = tenantId, VerifiedDomains = { $"{tenantId}.example.com" } },
        }, deadline: DateTime.UtcNow.AddSeconds(30));

    /// <summary>Ids created by CreateUser calls that the audit log records as succeeded.</summary>
    /// <summary>The ids CreateUser records name, by the result they hold (OK, PENDING, ...).</summary>
    public async Task<ILookup<string, string>> AuditedUserCreatesAsync()
    {
        var audit = new Audit.AuditClient(channel.Intercept(headers =>
        {
            headers.Add("authorization", "Bearer " + ClusterSettings.Token(tenantId, Permissions.AuditRead));
            return headers;
        }));
        var records = new List<(string Result, string Id)>();
        var request = new ListAuditRecordsRequest { PageSize = 999 };
        do
        {
            var page = await audit.ListAuditRecordsAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            records.AddRange(page.Records.Where(r => r.Operation.EndsWith("/CreateUser", StringComparison.Ordinal)).SelectMany(r => r.TargetIds.Select(id => (r.Result, id))));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");
        return records.ToLookup(r => r.Result, r => r.Id);
    }

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

    public async Task<List<Group>> AllGroupsAsync()
    {
        var groups = new List<Group>();
        var request = new ListGroupsRequest { PageSize = 999 };
        do
        {
            var page = await Groups.ListGroupsAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            groups.AddRange(page.Groups);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");
        return groups;
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
