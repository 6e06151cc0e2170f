using Azure.Data.Tables;
using DirectoryService.Storage.Tables;
using DirectoryService.Testing;

namespace DirectoryService.Storage.Tests.Batching;

/// <summary>A write the operation time limit gave up on may still land; if it does, it lands whole.</summary>
public sealed class AbandonedWriteTests
{
    [Fact]
    public async Task A_write_past_the_operation_time_limit_never_lands_without_its_values()
    {
        var connection = await Azurite.ConnectionStringAsync();
        var name = Azurite.NewTableName("abandon");
        var options = new TableStorageOptions
        {
            ConnectionString = connection,
            MaxRetries = 0,
            OperationTimeout = TimeSpan.FromMilliseconds(300),
            InjectedLatency = TimeSpan.FromMilliseconds(900),
        };
        await TableClients.Create(connection, name, 0).CreateIfNotExistsAsync();
        var slow = TableClients.Service(options).GetTableClient(name);
        var batcher = new TransactionBatcher(slow);

        var single = batcher.SubmitAsync("p", [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("p", "one") { ["V"] = new byte[] { 1, 2, 3 } })]);
        var shared = Enumerable.Range(0, 5).Select(i => batcher.SubmitAsync("q", [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("q", $"r{i}") { ["V"] = new byte[] { 4, 5, (byte)i } })])).ToList();
        await Assert.ThrowsAsync<DirectoryService.Abstractions.Common.StorageUnavailableException>(() => single);
        foreach (var unit in shared)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => unit);
        }

        // Long enough for every abandoned request to reach storage.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var stored = await TableClients.Create(connection, name, 0).QueryAsync<TableEntity>().ToListAsync();
        Assert.NotEmpty(stored);
        Assert.All(stored, e => Assert.True(e.GetBinary("V") is { Length: 3 }, $"{e.PartitionKey}/{e.RowKey} was stored without its value: [{string.Join(",", e.Keys)}]"));
    }
}
