using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Tenants;

[Collection(SiloCollection.Name)]
public sealed class TenantApiTests(SiloFixture silo)
{
    private static string NewId() => "ten-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task CreateGetUpdateDeleteTenant()
    {
        var id = NewId();
        var created = await silo.Tenants.CreateTenantAsync(new CreateTenantRequest
        {
            TenantId = id,
            Tenant = new Tenant { DisplayName = "Contoso", VerifiedDomains = { "Contoso.example.com", "contoso.example.com" } },
        });
        Assert.Equal(["contoso.example.com"], created.VerifiedDomains);
        Assert.Equal(created, await silo.Tenants.GetTenantAsync(new GetTenantRequest { Id = id }));

        var updated = await silo.Tenants.UpdateTenantAsync(new UpdateTenantRequest
        {
            Tenant = new Tenant { Id = id, DisplayName = "Contoso Ltd", Etag = created.Etag },
            UpdateMask = new FieldMask { Paths = { "display_name" } },
        });
        Assert.Equal("Contoso Ltd", updated.DisplayName);

        await RpcAssert.Fails(StatusCode.FailedPrecondition, "tenant.etag", () => silo.Tenants.UpdateTenantAsync(new UpdateTenantRequest
        {
            Tenant = new Tenant { Id = id, DisplayName = "Stale", Etag = created.Etag },
            UpdateMask = new FieldMask { Paths = { "display_name" } },
        }));

        await silo.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = id, Etag = updated.Etag });
        await RpcAssert.Fails(StatusCode.NotFound, "tenant", () => silo.Tenants.GetTenantAsync(new GetTenantRequest { Id = id }));
    }

    [Fact]
    public async Task CreateTenant_RejectsBadInputAndDuplicates()
    {
        await RpcAssert.Fails(StatusCode.InvalidArgument, "tenant_id", () => silo.Tenants.CreateTenantAsync(new CreateTenantRequest { TenantId = "Bad_Id", Tenant = new Tenant { DisplayName = "x", VerifiedDomains = { "x.example.com" } } }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "tenant", () => silo.Tenants.CreateTenantAsync(new CreateTenantRequest { TenantId = NewId() }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "tenant.display_name", () => silo.Tenants.CreateTenantAsync(new CreateTenantRequest { TenantId = NewId(), Tenant = new Tenant { VerifiedDomains = { "x.example.com" } } }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "tenant.verified_domains", () => silo.Tenants.CreateTenantAsync(new CreateTenantRequest { TenantId = NewId(), Tenant = new Tenant { DisplayName = "x" } }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "tenant.verified_domains[1]", () => silo.Tenants.CreateTenantAsync(new CreateTenantRequest { TenantId = NewId(), Tenant = new Tenant { DisplayName = "x", VerifiedDomains = { "ok.example.com", "not a domain" } } }));

        var id = NewId();
        await silo.Tenants.CreateTenantAsync(new CreateTenantRequest { TenantId = id, Tenant = new Tenant { DisplayName = "x", VerifiedDomains = { "x.example.com" } } });
        await RpcAssert.Fails(StatusCode.AlreadyExists, "tenant_id", () => silo.Tenants.CreateTenantAsync(new CreateTenantRequest { TenantId = id, Tenant = new Tenant { DisplayName = "y", VerifiedDomains = { "y.example.com" } } }));
        Assert.Equal("x", (await silo.Tenants.GetTenantAsync(new GetTenantRequest { Id = id })).DisplayName);
    }

    [Fact]
    public async Task TenantCalls_ReportNotFoundAndStaleEtags_AndChangeNothing()
    {
        var unknown = NewId();
        await RpcAssert.Fails(StatusCode.NotFound, "tenant.id", () => silo.Tenants.UpdateTenantAsync(new UpdateTenantRequest
        {
            Tenant = new Tenant { Id = unknown, DisplayName = "x" },
            UpdateMask = new FieldMask { Paths = { "display_name" } },
        }));
        await RpcAssert.Fails(StatusCode.NotFound, "id", () => silo.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = unknown }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "id", () => silo.Tenants.GetTenantAsync(new GetTenantRequest { Id = "UPPER" }));

        var t = await silo.NewTenantAsync();
        var current = await silo.Tenants.GetTenantAsync(new GetTenantRequest { Id = t.Id });
        await RpcAssert.Fails(StatusCode.FailedPrecondition, "etag", () => silo.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = t.Id, Etag = "W/\"0\"" }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "update_mask", () => silo.Tenants.UpdateTenantAsync(new UpdateTenantRequest
        {
            Tenant = new Tenant { Id = t.Id, DisplayName = "x" },
            UpdateMask = new FieldMask { Paths = { "id" } },
        }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "tenant.verified_domains", () => silo.Tenants.UpdateTenantAsync(new UpdateTenantRequest
        {
            Tenant = new Tenant { Id = t.Id },
            UpdateMask = new FieldMask { Paths = { "verified_domains" } },
        }));
        Assert.Equal(current, await silo.Tenants.GetTenantAsync(new GetTenantRequest { Id = t.Id }));
    }

    [Fact]
    public async Task DeleteTenant_RefusedWhileItHoldsObjects()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id });
        await RpcAssert.Fails(StatusCode.FailedPrecondition, "id", () => silo.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = t.Id }));
        Assert.Equal(t.Id, (await silo.Tenants.GetTenantAsync(new GetTenantRequest { Id = t.Id })).Id);
    }

    [Fact]
    public async Task UpdateTenant_RefusesToRemoveADomainInUse()
    {
        var t = await silo.NewTenantAsync();
        await t.CreateUserAsync();
        await RpcAssert.Fails(StatusCode.FailedPrecondition, "tenant.verified_domains", () => silo.Tenants.UpdateTenantAsync(new UpdateTenantRequest
        {
            Tenant = new Tenant { Id = t.Id, VerifiedDomains = { "other.example.com" } },
            UpdateMask = new FieldMask { Paths = { "verified_domains" } },
        }));
        var added = await silo.Tenants.UpdateTenantAsync(new UpdateTenantRequest
        {
            Tenant = new Tenant { Id = t.Id, VerifiedDomains = { t.Domain, "other.example.com" } },
            UpdateMask = new FieldMask { Paths = { "verified_domains" } },
        });
        Assert.Equal([t.Domain, "other.example.com"], added.VerifiedDomains);
    }

    [Fact]
    public async Task CreateUser_InUnknownTenant_IsNotFound()
    {
        var ghost = new TestTenant(silo, NewId(), "ghost.example.com");
        await RpcAssert.Fails(StatusCode.NotFound, "tenant", () => ghost.CreateUserAsync());
    }

    [Fact]
    public async Task ListTenants_PagesInIdOrder()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await silo.NewTenantAsync()).Id);
        }

        var seen = new List<string>();
        var request = new ListTenantsRequest { PageSize = 2 };
        do
        {
            var page = await silo.Tenants.ListTenantsAsync(request);
            seen.AddRange(page.Tenants.Select(t => t.Id));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");

        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Subset(seen.ToHashSet(), ids.ToHashSet());
    }
}
