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
}
