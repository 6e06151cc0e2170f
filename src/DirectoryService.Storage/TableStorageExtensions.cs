using DirectoryService.Abstractions.Audit;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Storage.Audit;
using DirectoryService.Storage.GrainState;
using DirectoryService.Storage.Rows;
using DirectoryService.Storage.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace DirectoryService.Storage;

/// <summary>Registers the Azure Table providers with a silo.</summary>
public static class TableStorageExtensions
{
    /// <summary>Adds grain storage named <paramref name="name"/> over the grain-state table.</summary>
    public static ISiloBuilder AddTableGrainStorage(this ISiloBuilder silo, string name)
    {
        silo.Services.AddTableStorageOptions();
        silo.Services.AddGrainStorage(name, (services, key) => new TableGrainStorage(
            key,
            Table(services, o => o.GrainStateTable),
            services.GetRequiredService<IOptions<ClusterOptions>>().Value,
            services.GetRequiredService<Serializer>(),
            services.GetRequiredService<IActivatorProvider>(),
            services.GetRequiredService<ILogger<TableGrainStorage>>()));
        return silo;
    }

    /// <summary>Keeps row sets in the row table, created at silo start.</summary>
    public static ISiloBuilder AddTableRowStore(this ISiloBuilder silo)
    {
        silo.Services.AddTableStorageOptions();
        silo.Services.AddSingleton(services =>
        {
            return new TableRowStore(Table(services, o => o.RowTable), services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId);
        });
        silo.Services.AddSingleton<IRowStore>(services => services.GetRequiredService<TableRowStore>());
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => new TableInitializer(services.GetRequiredService<TableRowStore>().InitializeAsync));
        return silo;
    }

    /// <summary>Keeps the audit log in the audit table, created at silo start.</summary>
    public static ISiloBuilder AddTableAuditLog(this ISiloBuilder silo)
    {
        silo.Services.AddTableStorageOptions();
        silo.Services.AddSingleton(services =>
            new TableAuditLog(Table(services, o => o.AuditTable), services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        silo.Services.AddSingleton<IAuditLog>(services => services.GetRequiredService<TableAuditLog>());
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => new TableInitializer(services.GetRequiredService<TableAuditLog>().InitializeAsync));
        return silo;
    }

    /// <summary>
    /// Silo membership in the cluster table, through the official provider
    /// (<c>Microsoft.Orleans.Clustering.AzureStorage</c>), on the same storage account and with the
    /// same retries as the directory's own tables.
    /// </summary>
    public static ISiloBuilder UseTableClustering(this ISiloBuilder silo)
    {
        silo.Services.AddTableStorageOptions();
        return silo.UseAzureStorageClustering(options => options.Configure<IOptions<TableStorageOptions>>((clustering, storage) =>
        {
            clustering.TableServiceClient = TableClients.Service(storage.Value);
            clustering.TableName = storage.Value.ClusterTable;
        }));
    }

    /// <summary>
    /// Orleans reminders in the reminder table, through the official provider
    /// (<c>Microsoft.Orleans.Reminders.AzureStorage</c>), on the same storage account and credentials.
    /// </summary>
    public static ISiloBuilder UseTableReminders(this ISiloBuilder silo)
    {
        silo.Services.AddTableStorageOptions();
        return silo.UseAzureTableReminderService(options => options.Configure<IOptions<TableStorageOptions>>((reminders, storage) =>
        {
            reminders.TableServiceClient = TableClients.Service(storage.Value);
            reminders.TableName = storage.Value.ReminderTable;
        }));
    }

    private static TableShards Table(IServiceProvider services, Func<TableStorageOptions, string> name)
    {
        var options = services.GetRequiredService<IOptions<TableStorageOptions>>().Value;
        return TableShards.Create(name(options), services.GetRequiredService<TableLayout>().Shards, table => TableClients.Create(options, table), client => TableClients.Transactions(options, client));
    }

    private static void AddTableStorageOptions(this IServiceCollection services)
    {
        services.TryAddSingleton<TableLayout>();
        services.AddOptions<TableStorageOptions>().BindConfiguration(TableStorageOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TableStorageOptions>, TableStorageOptionsValidator>());
    }
}

/// <summary>Creates a table before grains run.</summary>
internal sealed class TableInitializer(Func<CancellationToken, Task> initialize) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(TableInitializer), ServiceLifecycleStage.ApplicationServices, initialize);
}
