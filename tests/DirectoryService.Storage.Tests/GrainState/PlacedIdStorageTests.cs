using DirectoryService.Abstractions.Common;
using DirectoryService.Storage.GrainState;
using DirectoryService.Storage.Tables;
using DirectoryService.Storage.Tests.Batching;
using DirectoryService.Testing;
using Orleans;
using Orleans.Runtime;

namespace DirectoryService.Storage.Tests.GrainState;

/// <summary>
/// Objects with placed ids (an import's new objects) keep their state in the partition their id
/// names, so objects created together share partitions and transactions; every other id stays
/// where earlier versions stored it.
/// </summary>
public sealed class PlacedIdStorageTests
{
    [Fact]
    public void A_plain_id_keeps_the_partition_earlier_versions_stored_it_in()
    {
        var storage = Storage(TableClients.Create(TableStorageOptions.DevelopmentConnectionString, "unused", 0));

        // Fixed: the FNV-1a hash of "user/contoso/0f8fad5b-…" is …e93 modulo 4,096. A change here moves every stored row.
        var (pk, _) = storage.Keys("s", GrainId.Create("user", "contoso/0f8fad5b-d9cb-469f-a165-70867728950e"));
        Assert.Equal(TableKeys.Join("storage-tests", "contoso", "e93"), pk);

        // Only a key of tenant and placed id takes its placement; a key that merely ends in one does not.
        Assert.EndsWith("~5ab", storage.Keys("s", GrainId.Create("user", "contoso/" + Identifiers.NewPlacedObjectId(0x5ab))).PartitionKey, StringComparison.Ordinal);
        Assert.Null(Identifiers.PlacementOf("x" + Identifiers.NewPlacedObjectId(0x5ab)));
    }

    [Fact]
    public async Task Grains_created_with_one_placement_share_a_partition_and_their_writes_share_requests()
    {
        var requests = new RequestCounter();
        var (connection, name) = (await Azurite.ConnectionStringAsync(), Azurite.NewTableName("placed"));
        await TableClients.Create(connection, name, 0).CreateIfNotExistsAsync();
        var storage = Storage(TableClients.Create(connection, name, 0, requests));

        var grains = Enumerable.Range(0, 100).Select(_ => GrainId.Create("user", "contoso/" + Identifiers.NewPlacedObjectId(0x2a5))).ToList();
        Assert.Single(grains.Select(g => storage.Keys("s", g).PartitionKey).Distinct());
        await Task.WhenAll(grains.Select(g => storage.WriteStateAsync("s", g, new GrainState<List<string>>([g.ToString()]))));

        Assert.True(requests.Writes <= 10, $"100 new states of one placement took {requests.Writes} write requests");
        foreach (var grain in grains)
        {
            var read = new GrainState<List<string>>([]);
            await storage.ReadStateAsync("s", grain, read);
            Assert.Equal([grain.ToString()], read.State);
        }
    }

    private static TableGrainStorage Storage(TableShards tables) =>
        new("test", tables, StorageTestServices.Cluster("c").Value, StorageTestServices.Serializer, StorageTestServices.Activators, StorageTestServices.Log<TableGrainStorage>());
}
