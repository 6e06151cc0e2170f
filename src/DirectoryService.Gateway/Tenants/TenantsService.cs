using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Tenants;
using DirectoryService.Gateway.Paging;
using DirectoryService.Gateway.Security;
using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace DirectoryService.Gateway.Tenants;

/// <summary>The Tenants API (operators): maps each call onto the tenant grains.</summary>
public sealed class TenantsService(IGrainFactory grains, PageTokens tokens) : Grpc.V1.Tenants.TenantsBase
{
    [Authorize(Policy = Policies.TenantsManage)]
    public override async Task<Tenant> CreateTenant(CreateTenantRequest request, ServerCallContext context)
    {
        var id = Identifiers.TenantId(request.TenantId, ErrorField.Request("tenant_id"));
        var tenant = Requests.Required(request.Tenant, "tenant");
        return (await grains.GetGrain<ITenantGrain>(id).CreateAsync(tenant.ToSpec())).ToProto();
    }

    [Authorize(Policy = Policies.TenantsManage)]
    public override async Task<Tenant> GetTenant(GetTenantRequest request, ServerCallContext context)
    {
        var id = Identifiers.TenantId(request.Id, ErrorField.Request("id"));
        return (await grains.GetGrain<ITenantGrain>(id).GetAsync()).ToProto();
    }

    [Authorize(Policy = Policies.TenantsManage)]
    public override async Task<Tenant> UpdateTenant(UpdateTenantRequest request, ServerCallContext context)
    {
        var tenant = Requests.Required(request.Tenant, "tenant");
        var id = Identifiers.TenantId(tenant.Id, ErrorField.Request("tenant.id"));
        var updated = await grains.GetGrain<ITenantGrain>(id).UpdateAsync(tenant.ToSpec(), Requests.Paths(request.UpdateMask), tenant.Etag);
        return updated.ToProto();
    }

    [Authorize(Policy = Policies.TenantsManage)]
    public override async Task<Empty> DeleteTenant(DeleteTenantRequest request, ServerCallContext context)
    {
        var id = Identifiers.TenantId(request.Id, ErrorField.Request("id"));
        await grains.GetGrain<ITenantGrain>(id).DeleteAsync(request.Etag);
        return new Empty();
    }

    [Authorize(Policy = Policies.TenantsManage)]
    public override async Task<ListTenantsResponse> ListTenants(ListTenantsRequest request, ServerCallContext context)
    {
        var page = tokens.Read(context, request.PageSize, request.PageToken);
        var ids = await grains.GetGrain<ITenantRegistryGrain>(0).ListAsync(page.After, page.Size);
        var tenants = await Task.WhenAll(ids.Items.Select(id => grains.GetGrain<ITenantGrain>(id).GetAsync()));
        return new ListTenantsResponse
        {
            Tenants = { tenants.Select(t => t.ToProto()) },
            NextPageToken = tokens.Issue(context, ids.Next),
        };
    }
}
