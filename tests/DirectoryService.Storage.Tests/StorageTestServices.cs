using DirectoryService.Storage.GrainState;
using DirectoryService.Storage.Tables;
using DirectoryService.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;

namespace DirectoryService.Storage.Tests;

/// <summary>What the providers need from a silo (serializer, activators, options), built without one.</summary>
public static class StorageTestServices
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public static Serializer Serializer => Services.GetRequiredService<Serializer>();

    public static IActivatorProvider Activators => Services.GetRequiredService<IActivatorProvider>();

    public static async Task<TableStorageOptions> NewTablesAsync() => new()
    {
        ConnectionString = await Azurite.ConnectionStringAsync(),
        GrainStateTable = Azurite.NewTableName("state"),
        ClusterTable = Azurite.NewTableName("cluster"),
        RowTable = Azurite.NewTableName("rows"),
        MaxRetries = 2,
    };

    public static IOptions<ClusterOptions> Cluster(string clusterId) =>
        Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "storage-tests" });

    public static NullLogger<T> Log<T>() => NullLogger<T>.Instance;

    /// <summary>Grain storage over a new grain-state table of 3 physical tables, its requests seen by <paramref name="policy"/>.</summary>
    public static async Task<TableGrainStorage> NewGrainStorageAsync(Azure.Core.Pipeline.HttpPipelinePolicy policy)
    {
        var options = await NewTablesAsync();
        await TableClients.Create(options.ConnectionString, options.GrainStateTable, 0).CreateIfNotExistsAsync();
        return new("test", TableClients.Create(options.ConnectionString, options.GrainStateTable, 3, policy), Cluster("c").Value,
            Serializer, Activators, Log<TableGrainStorage>());
    }
}
