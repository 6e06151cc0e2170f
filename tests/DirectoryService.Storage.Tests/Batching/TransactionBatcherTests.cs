using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using DirectoryService.Storage.Tables;
using DirectoryService.Testing;

namespace DirectoryService.Storage.Tests.Batching;

public sealed class TransactionBatcherTests
{
    [Fact]
    public async Task Concurrent_writes_to_one_partition_share_requests_and_all_land()
    {
        var requests = new RequestCounter();
        var table = await NewTableAsync(requests);
        var batcher = new TransactionBatcher(table);

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => batcher.SubmitAsync("p", [Add("p", $"r{i:D3}")])));

        var stored = await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p").ToListAsync();
        Assert.Equal(200, stored.Count);
        Assert.True(requests.Writes < 100, $"200 writes took {requests.Writes} requests");
    }

    [Fact]
    public async Task A_rejected_unit_fails_alone_and_the_others_in_its_transaction_still_land()
    {
        var table = await NewTableAsync();
        var batcher = new TransactionBatcher(table);
        await table.AddEntityAsync(new TableEntity("p", "taken"));

        var writes = Enumerable.Range(0, 30).Select(i => i == 15 ? Add("p", "taken") : Add("p", $"r{i:D2}")).ToList();
        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                await batcher.SubmitAsync("p", [w]);
                return 0;
            }
            catch (RequestFailedException e)
            {
                return e.Status;
            }
        }));

        Assert.Equal(409, outcomes[15]);
        Assert.Equal(29, outcomes.Count(o => o == 0));
        Assert.Equal(30, (await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p").ToListAsync()).Count);
    }

    [Fact]
    public async Task Units_touching_the_same_row_apply_in_order_never_in_one_transaction()
    {
        var table = await NewTableAsync();
        var batcher = new TransactionBatcher(table);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => batcher.SubmitAsync("p", [Upsert("p", "row", i), Upsert("p", $"other{i:D2}", i)])));

        Assert.Equal(19, (await table.GetEntityAsync<TableEntity>("p", "row")).Value.GetInt32("N"));
    }

    [Fact]
    public async Task A_unit_whose_transaction_outcome_is_unknown_is_never_reported_stored_unless_it_is()
    {
        var faults = new FaultInjection { LoseResponses = 3 };
        var table = await NewTableAsync(faults);
        var batcher = new TransactionBatcher(table);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            try
            {
                await batcher.SubmitAsync("p", [Add("p", $"r{i:D2}")]);
                return (Row: $"r{i:D2}", Acknowledged: true);
            }
            catch (Exception e) when (e is IOException or RequestFailedException or AggregateException)
            {
                return (Row: $"r{i:D2}", Acknowledged: false);
            }
        }));

        var stored = (await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p").ToListAsync()).Select(e => e.RowKey).ToHashSet();
        Assert.All(outcomes.Where(o => o.Acknowledged), o => Assert.Contains(o.Row, stored));
        Assert.Contains(outcomes, o => !o.Acknowledged);
    }

    [Fact]
    public async Task A_write_the_pipeline_cancels_by_itself_fails_as_storage_unavailable_alone_and_shared()
    {
        var table = await NewTableAsync(new CancelWrites());
        var batcher = new TransactionBatcher(table);

        var alone = batcher.SubmitAsync("p", [Add("p", "alone")]);
        await Assert.ThrowsAsync<DirectoryService.Abstractions.Common.StorageUnavailableException>(() => alone);
        Assert.True(alone.IsFaulted, "failed, not cancelled: the writer's own task must fail");

        var shared = Enumerable.Range(0, 20).Select(i => batcher.SubmitAsync("q", [Add("q", $"r{i:D2}")])).ToList();
        foreach (var unit in shared)
        {
            await Assert.ThrowsAsync<DirectoryService.Abstractions.Common.StorageUnavailableException>(() => unit);
        }
    }

    /// <summary>Cancels every write the way the SDK's own time limit does (no caller token is cancelled).</summary>
    private sealed class CancelWrites : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Method != RequestMethod.Get)
            {
                await Task.Yield();
                throw new TaskCanceledException("the operation exceeded the configured timeout");
            }

            await ProcessNextAsync(message, pipeline);
        }
    }

    private static TableTransactionAction Add(string pk, string rk) => new(TableTransactionActionType.Add, new TableEntity(pk, rk));

    private static TableTransactionAction Upsert(string pk, string rk, int n) => new(TableTransactionActionType.UpsertReplace, new TableEntity(pk, rk) { ["N"] = n });

    [Fact]
    public async Task Units_of_large_rows_are_split_below_the_payload_limit_and_all_land()
    {
        var requests = new RequestCounter();
        var table = await NewTableAsync(requests);
        var batcher = new TransactionBatcher(table);

        // Twelve units of one row each as large as the largest grain state (12 × 60 KiB): together ~11 MiB as JSON.
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => batcher.SubmitAsync("p", [Large("p", $"r{i:D2}")])));

        var stored = await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p").ToListAsync();
        Assert.Equal(12, stored.Count);
        Assert.All(stored, e => Assert.Equal(60 * 1024, e.GetBinary("Data11").Length));
        Assert.True(requests.LargestBody < TableLimits.MaxTransactionPayloadBytes, $"a request carried {requests.LargestBody} bytes");
        Assert.True(requests.Writes < 12, $"12 large writes took {requests.Writes} requests: nothing was shared");
    }

    private static TableTransactionAction Large(string partition, string row)
    {
        var entity = new TableEntity(partition, row);
        for (var i = 0; i < 12; i++)
        {
            var data = new byte[60 * 1024];
            Random.Shared.NextBytes(data);
            entity[$"Data{i}"] = data;
        }

        return new TableTransactionAction(TableTransactionActionType.Add, entity);
    }

    private static async Task<TableClient> NewTableAsync(HttpPipelinePolicy? policy = null)
    {
        var (connection, name) = (await Azurite.ConnectionStringAsync(), Azurite.NewTableName("batch"));
        await TableClients.Create(connection, name, 0).CreateIfNotExistsAsync();
        return TableClients.Create(connection, name, 0, policy);
    }
}
