using Azure.Data.Tables;
using DirectoryService.Storage.GrainState;
using DirectoryService.Storage.Tables;
using Orleans;
using Orleans.Runtime;

namespace DirectoryService.Storage.Tests.GrainState;

/// <summary>Grain state spread over several physical tables: each partition lives in exactly one, reads find what writes stored.</summary>
public sealed class ShardedGrainStorageTests
{
    [Fact]
    public async Task States_spread_over_the_shards_and_each_partition_stays_in_its_own_table()
    {
        var options = await StorageTestServices.NewTablesAsync();
        var shards = TableShards.Create(options.GrainStateTable, 4, name => TableClients.Create(options.ConnectionString, name, 2), table => TableClients.Transactions(options.ConnectionString, table, 2));
        Assert.Equal(4, shards.All.Count);
        Assert.All(shards.All, t => Assert.StartsWith(options.GrainStateTable, t.Name, StringComparison.Ordinal));
        await shards.CreateIfNotExistsAsync(CancellationToken.None);
        var storage = new TableGrainStorage("test", shards, StorageTestServices.Cluster("c").Value,
            StorageTestServices.Serializer, StorageTestServices.Activators, StorageTestServices.Log<TableGrainStorage>());

        var grains = Enumerable.Range(0, 40).Select(_ => GrainId.Create("user", $"contoso/{Guid.NewGuid()}")).ToList();
        await Task.WhenAll(grains.Select(g => storage.WriteStateAsync("s", g, new GrainState<List<string>>([g.ToString()]))));

        foreach (var grain in grains)
        {
            var read = new GrainState<List<string>>([]);
            await storage.ReadStateAsync("s", grain, read);
            Assert.Equal([grain.ToString()], read.State);

            var (pk, rk) = storage.Keys("s", grain);
            var holders = new List<string>();
            foreach (var table in shards.All)
            {
                if ((await table.GetEntityIfExistsAsync<TableEntity>(pk, rk)).HasValue)
                {
                    holders.Add(table.Name);
                }
            }

            Assert.Equal([shards.For(pk).Name], holders);
        }

        var used = new HashSet<string>();
        foreach (var table in shards.All)
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"], maxPerPage: 1))
            {
                used.Add(table.Name);
                break;
            }
        }

        Assert.True(used.Count >= 2, $"40 grains landed in {used.Count} of 4 tables");
    }
}
