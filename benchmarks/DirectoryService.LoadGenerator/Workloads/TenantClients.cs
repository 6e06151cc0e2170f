using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace DirectoryService.LoadGenerator.Workloads;

/// <summary>Clients acting in one tenant, and the tenant's set-up.</summary>
public sealed class TenantClients(GrpcChannel channel, string tenantId, DevelopmentSigningKey key)
{
    private readonly CallInvoker _invoker = Authorized(channel, key.Mint(tenantId, [Permissions.DirectoryReadWrite]));

    /// <summary>The tenant's read-write bearer token, for the SCIM workloads.</summary>
    public string Token { get; } = key.Mint(tenantId, [Permissions.DirectoryReadWrite]);
    private readonly CallInvoker _operator = Authorized(channel, key.Mint(null, [Permissions.Operator]));

    /// <summary>Calls carrying a bearer token (minted once: the load measures the service, not the client's signing).</summary>
    public static CallInvoker Authorized(GrpcChannel channel, string token) => channel.Intercept(headers =>
    {
        headers.Add("authorization", "Bearer " + token);
        return headers;
    });

    public string Domain => $"{tenantId}.example.com";

    public Users.UsersClient Users => new(_invoker);

    public Groups.GroupsClient Groups => new(_invoker);

    public Members.MembersClient Members => new(_invoker);

    public Import.ImportClient Import => new(_invoker);

    public SignIn.SignInClient SignIn => new(_invoker);

    public Diagnostics.DiagnosticsClient Diagnostics => new(_invoker);

    public Changes.ChangesClient Changes => new(_invoker);

    /// <summary>Creates the tenant unless it exists.</summary>
    public async Task EnsureTenantAsync()
    {
        try
        {
            await new Tenants.TenantsClient(_operator).CreateTenantAsync(new CreateTenantRequest
            {
                TenantId = tenantId,
                Tenant = new Tenant { DisplayName = tenantId, VerifiedDomains = { Domain } },
            });
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
        }
    }

    /// <summary>Creates users <c>{prefix}{i}</c> for i in [0, count), concurrently, and returns their ids by index.</summary>
    public async Task<string[]> CreateUsersAsync(string prefix, int count)
    {
        var ids = new string[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var upn = $"{prefix}{i}@{Domain}";
            try
            {
                ids[i] = (await Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = upn, DisplayName = prefix + i } })).Id;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                ids[i] = (await Users.GetUserAsync(new GetUserRequest { UserPrincipalName = upn })).Id;
            }
        });
        return ids;
    }
}
