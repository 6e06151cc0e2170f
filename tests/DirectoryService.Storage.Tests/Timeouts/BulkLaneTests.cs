using System.Diagnostics;
using Azure.Data.Tables;
using DirectoryService.Abstractions.Common;
using DirectoryService.Storage.Tables;
using DirectoryService.Testing;

namespace DirectoryService.Storage.Tests.Timeouts;

/// <summary>
/// Bulk work (an import) takes turns on three quarters of a silo's connections to storage and waits
/// for a turn in the silo, outside its requests' bound; other requests do not wait behind it.
/// </summary>
public sealed class BulkLaneTests
{
    [Fact]
    public async Task Bulk_requests_take_turns_outside_their_bound_while_other_requests_pass_them()
    {
        // 4 connections: 3 turns for bulk work. Each request takes 400 ms in flight (injected), well
        // within its 1-s bound; 15 bulk requests need 5 rounds of 3, so the last waits ~1.6 s for its
        // turn, longer than the bound: it must still succeed.
        var options = new TableStorageOptions
        {
            ConnectionString = await Azurite.ConnectionStringAsync(),
            MaxConnections = 4,
            OperationTimeout = TimeSpan.FromSeconds(1),
            InjectedLatency = TimeSpan.FromMilliseconds(400),
        };
        Assert.Equal(3, options.BulkTurns);
        var table = TableClients.Create(options, Azurite.NewTableName("lane"));
        await table.CreateIfNotExistsAsync();

        var clock = Stopwatch.StartNew();
        var bulk = Task.Run(async () =>
        {
            BulkWork.Mark();
            await Task.WhenAll(Enumerable.Range(0, 15).Select(i => table.UpsertEntityAsync(new TableEntity("p", $"bulk{i}"))));
            return clock.Elapsed;
        });

        // Started while the bulk requests queue: answered in one request's time, not after them.
        await Task.Delay(100);
        var other = Stopwatch.StartNew();
        await table.UpsertEntityAsync(new TableEntity("p", "other"));
        other.Stop();

        var bulkTook = await bulk;
        Assert.InRange(bulkTook, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(30));
        Assert.InRange(other.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1.2));
        Assert.Equal(16, (await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p").ToListAsync()).Count);
    }
}
