using System.Net;
using System.Net.Sockets;
using DirectoryService.Abstractions.Audit;
using DirectoryService.Gateway;
using DirectoryService.Gateway.Audit;
using DirectoryService.Gateway.OpenApi;
using DirectoryService.Grains;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Membership;
using DirectoryService.Scim;
using DirectoryService.Storage;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace DirectoryService.Silo.Hosting;

/// <summary>Composes a silo: Orleans runtime and storage, the gRPC gateway, health, reflection and telemetry.</summary>
public static partial class SiloHostingExtensions
{
    /// <summary>Failure-detection settings (Orleans <see cref="ClusterMembershipOptions"/>), e.g. <c>Directory:Membership:ProbeTimeout</c>.</summary>
    public const string MembershipSection = "Directory:Membership";

    /// <summary>Grain directory settings (Orleans <see cref="GrainDirectoryOptions"/>), e.g. <c>Directory:GrainDirectory:RangeLeaseDuration</c>.</summary>
    public const string GrainDirectorySection = "Directory:GrainDirectory";

    /// <summary>The health service name that reports whether writes can be served (storage answers); "" reports the silo.</summary>
    public const string WritesHealthService = "writes";

    private const string SiloTag = "silo";

    public static WebApplicationBuilder AddDirectorySilo(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SiloOptions>().BindConfiguration(SiloOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<WarmUpOptions>().BindConfiguration(WarmUpOptions.Section);

        builder.UseDirectoryTls();

        var silo = builder.Configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();

        // A stop drains first (health NOT_SERVING, still serving), then has 30 s to finish calls and leave the cluster.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30) + silo.DrainPeriod);
        builder.Services.AddSingleton<SiloDrain>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SiloDrain>());
        builder.UseOrleans(orleans =>
        {
            if (storage.Mode == StorageOptions.Memory)
            {
                orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
                orleans.AddMemoryDirectoryStorage(StorageNames.Directory);
                orleans.UseInMemoryReminderService();
            }
            else
            {
                orleans.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (silo.ClusterId, silo.ServiceId));
                orleans.ConfigureEndpoints(AdvertisedAddress(silo), silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: true);
                orleans.UseTableClustering();
                orleans.UseTableReminders();
                orleans.AddTableGrainStorage(StorageNames.Directory);
                orleans.AddTableRowStore();
                orleans.AddTableAuditLog();

                // The strongly consistent directory: never two activations of one grain, even while
                // silos join or fail, so no stale activation can answer a read after a write is
                // acknowledged elsewhere. Experimental in Orleans 10, hence the suppression.
#pragma warning disable ORLEANSEXP003
                orleans.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            }

            orleans.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(MembershipSection));
            orleans.Services.Configure<GrainDirectoryOptions>(builder.Configuration.GetSection(GrainDirectorySection));
            builder.AddOperatorDashboard(orleans);
            orleans.AddActivityPropagation();
            orleans.AddDirectoryGrains();
        });

        builder.Services.AddDirectoryGateway(builder.Configuration);
        builder.Services.AddDirectoryScim();
        builder.Services.AddDirectoryOpenApi();
        builder.Services.AddGrpcReflection();
        // Health "" (what load balancers ask): the silo can serve calls. "writes": and storage answers, so writes can be served too.
        builder.Services.AddGrpcHealthChecks(health =>
        {
            health.Services.Map("", result => result.Tags.Contains(SiloTag));
            health.Services.Map(WritesHealthService, _ => true);
        })
            .AddCheck<SiloHealthCheck>("silo", tags: [SiloTag])
            .AddCheck<StorageHealthCheck>("storage");
        if (storage.Mode != StorageOptions.Memory)
        {
            builder.Services.AddSingleton<StorageProbe>();
            builder.Services.AddHostedService(services => services.GetRequiredService<StorageProbe>());
        }

        builder.AddDirectoryTelemetry();

        // Last: every AddGrpc above re-registers the framework's binder.
        builder.Services.UseGuardedGrpcBinding();
        return builder;
    }

    public static WebApplication MapDirectorySilo(this WebApplication app)
    {
        // The API's description is anonymous (it holds no data); everything after it needs a token.
        app.MapDirectoryOpenApi();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseUnparsedRestCallAudit();
        app.MapDirectoryGateway();
        app.MapDirectoryScim();
        app.MapOperatorDashboard();
        app.MapMetricsEndpoint();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();

        var storage = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        if (storage.Mode == StorageOptions.Memory)
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DirectoryService.Silo");
            app.Lifetime.ApplicationStarted.Register(() => LogInMemory(logger));
        }

        return app;
    }

    /// <summary>Refuses to start on a plaintext endpoint unless allowed (loopback only); serves https with the configured certificate.</summary>
    private static void UseDirectoryTls(this WebApplicationBuilder builder)
    {
        var tls = builder.Configuration.GetSection(TlsOptions.Section).Get<TlsOptions>() ?? new TlsOptions();
        var urls = builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        var problems = tls.Problems(urls).ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(TlsOptions.Section, typeof(TlsOptions), problems);
        }

        var certificate = tls.LoadCertificate();
        if (certificate is not null)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
        }
    }

    private static IPAddress AdvertisedAddress(SiloOptions silo)
    {
        if (!string.IsNullOrWhiteSpace(silo.AdvertisedAddress))
        {
            return IPAddress.TryParse(silo.AdvertisedAddress, out var address)
                ? address
                : throw new OptionsValidationException(SiloOptions.Section, typeof(SiloOptions), [$"Directory:Silo:AdvertisedAddress '{silo.AdvertisedAddress}' is not an IP address"]);
        }

        return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? IPAddress.Loopback;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "IN-MEMORY STORAGE: every user, group and membership is lost when this silo exits. Use it for tests and demos only.")]
    private static partial void LogInMemory(ILogger logger);
}
