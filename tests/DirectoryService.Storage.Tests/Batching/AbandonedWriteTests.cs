using Azure.Data.Tables;
using DirectoryService.Storage.Tables;
using DirectoryService.Testing;

namespace DirectoryService.Storage.Tests.Batching;

/// <summary>
/// A write past the operation time limit (storage paused) may still land once storage resumes; if
/// it does, it lands whole — single rows and shared transactions alike (see <c>OperationTimeoutTests</c>
/// for how the first version lost a row's values).
/// </summary>
public sealed class AbandonedWriteTests
{
    [Fact]
    public async Task A_write_past_the_operation_time_limit_never_lands_without_its_values()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var connection = azurite.ConnectionString;
        var name = Azurite.NewTableName("abandon");
        var options = new TableStorageOptions { ConnectionString = connection, OperationTimeout = TimeSpan.FromMilliseconds(500) };
        await TableClients.Create(connection, name, 0).CreateIfNotExistsAsync();
        var batcher = new TransactionBatcher(TableClients.Service(options).GetTableClient(name));

        azurite.Pause();
        var single = batcher.SubmitAsync("p", [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("p", "one") { ["V"] = new byte[] { 1, 2, 3 } })]);
        var shared = Enumerable.Range(0, 5).Select(i => batcher.SubmitAsync("q", [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("q", $"r{i}") { ["V"] = new byte[] { 4, 5, (byte)i } })])).ToList();
        await Assert.ThrowsAsync<DirectoryService.Abstractions.Common.StorageUnavailableException>(() => single);
        foreach (var unit in shared)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => unit);
        }

        // Long enough for the retries of an abandoned write to go out, then for storage to answer them.
        await Task.Delay(TimeSpan.FromSeconds(2));
        azurite.Resume();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var stored = await TableClients.Create(connection, name, 0).QueryAsync<TableEntity>().ToListAsync();
        Assert.NotEmpty(stored);
        Assert.All(stored, e => Assert.True(e.GetBinary("V") is { Length: 3 }, $"{e.PartitionKey}/{e.RowKey} was stored without its value: [{string.Join(",", e.Keys)}]"));
    }
}
