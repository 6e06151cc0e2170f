using System.Net;
using DirectoryService.Gateway;
using DirectoryService.Grains;
using DirectoryService.Grains.Common;
using Microsoft.Extensions.Options;

namespace DirectoryService.Silo.Hosting;

/// <summary>Composes a silo: Orleans runtime and storage, the gRPC gateway, health, reflection and telemetry.</summary>
public static partial class SiloHostingExtensions
{
    public static WebApplicationBuilder AddDirectorySilo(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SiloOptions>().BindConfiguration(SiloOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var silo = builder.Configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        builder.UseOrleans(orleans =>
        {
            orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
            orleans.Configure<Orleans.Configuration.EndpointOptions>(o => o.AdvertisedIPAddress = IPAddress.Loopback);
            orleans.AddMemoryGrainStorage(StorageNames.Directory);
            orleans.AddActivityPropagation();
            orleans.AddDirectoryGrains();
        });

        builder.Services.AddDirectoryGateway();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck<SiloHealthCheck>("silo");
        builder.AddDirectoryTelemetry();
        return builder;
    }

    public static WebApplication MapDirectorySilo(this WebApplication app)
    {
        app.MapDirectoryGateway();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();

        var storage = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        if (storage.Mode == "Memory")
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DirectoryService.Silo");
            app.Lifetime.ApplicationStarted.Register(() => LogInMemory(logger));
        }

        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "IN-MEMORY STORAGE: every user, group and membership is lost when this silo exits. Use it for tests and demos only.")]
    private static partial void LogInMemory(ILogger logger);
}
