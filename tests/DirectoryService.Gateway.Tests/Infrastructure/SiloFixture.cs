using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Common;
using DirectoryService.Grpc.V1;
using DirectoryService.Silo.Hosting;
using DirectoryService.Storage.Rows;
using DirectoryService.Storage.Audit;
using DirectoryService.Abstractions.Audit;
using DirectoryService.Testing;
using DirectoryService.Security;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Infrastructure;

/// <summary>
/// One real silo, composed exactly as the service composes it, storing in real Azurite (tables of
/// its own) and serving gRPC on a free loopback port. Directory time is a
/// <see cref="FakeTimeProvider"/> that tests may move forward.
/// </summary>
public class SiloFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private int _tenants;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>HTTP/1.1 to the silo's second endpoint, as SCIM provisioning clients call it.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>Direct grain access, for the few contracts no RPC exposes (retried calls).</summary>
    public IGrainFactory Grains => _app!.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's services, for the few per-silo parts no RPC exposes (its caches).</summary>
    public IServiceProvider Services => _app!.Services;

    /// <summary>Grain calls the silo received.</summary>
    public GrainCallCounter GrainCalls { get; } = new();

    /// <summary>The silo's audit log, observed (and made unavailable on demand).</summary>
    public ProbedAuditLog Audit { get; private set; } = null!;

    /// <summary>What the silo logged at warning level and above.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>The silo's row store, counting what it reads and writes.</summary>
    public CountingRowStore Rows { get; private set; } = null!;

    /// <summary>The Tenants service as an operator.</summary>
    public V1.Tenants.TenantsClient Tenants => new(Authorized(ClusterSettings.Token(null, Permissions.Operator)));

    /// <summary>The tenant's audit records, newest first (up to 999), read as an auditor of it; only those of <paramref name="operation"/> when given.</summary>
    public async Task<List<V1.AuditRecord>> AuditRecordsAsync(string tenant, string? operation = null)
    {
        var client = new V1.Audit.AuditClient(Authorized(ClusterSettings.Token(tenant, Permissions.AuditRead)));
        var records = (await client.ListAuditRecordsAsync(new ListAuditRecordsRequest { PageSize = 999 })).Records;
        return [.. records.Where(a => operation is null || a.Operation == operation)];
    }

    /// <summary>Calls on this silo carrying the given bearer token.</summary>
    public CallInvoker Authorized(string token) => Channel.Intercept(headers =>
    {
        headers.Add("authorization", "Bearer " + token);
        return headers;
    });

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(4);
        var cluster = await ClusterSettings.NewAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(cluster.Settings(ports).ToDictionary(s => s.Key, string? (s) => s.Value));
        builder.Configuration["Kestrel:EndpointDefaults:Protocols"] = "Http2";
        builder.Configuration["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{ports[3]}";
        builder.Configuration["Kestrel:Endpoints:Http:Protocols"] = "Http1";
        builder.Configuration.AddInMemoryCollection(ExtraSettings);
        builder.Services.AddSingleton(new DirectoryClock(Clock));
        builder.Services.AddSingleton<IIncomingGrainCallFilter>(GrainCalls);
        builder.Logging.AddProvider(Logs);
        builder.AddDirectorySilo();
        builder.Services.AddSingleton<IRowStore>(services => Rows = new CountingRowStore(services.GetRequiredService<TableRowStore>()));
        builder.Services.AddSingleton<IAuditLog>(services => Audit = new ProbedAuditLog(services.GetRequiredService<TableAuditLog>(), () => GrainCalls.Calls));
        _app = builder.Build();
        _app.MapDirectorySilo();
        await _app.StartAsync();
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{ports[0]}");
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[3]}") };
    }

    /// <summary>Settings a derived fixture adds to the silo's.</summary>
    protected virtual Dictionary<string, string?> ExtraSettings => [];

    /// <summary>Creates a fresh tenant with one verified domain, so tests never see each other's objects.</summary>
    public async Task<TestTenant> NewTenantAsync()
    {
        var id = $"t{Interlocked.Increment(ref _tenants)}-{Guid.NewGuid().ToString("N")[..6]}";
        var domain = $"{id}.example.com";
        await Tenants.CreateTenantAsync(new CreateTenantRequest
        {
            TenantId = id,
            Tenant = new Tenant { DisplayName = "Tenant " + id, VerifiedDomains = { domain } },
        });
        return new TestTenant(this, id, domain);
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}
