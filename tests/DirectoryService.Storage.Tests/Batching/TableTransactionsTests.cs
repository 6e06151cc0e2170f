using Azure;
using Azure.Data.Tables;
using DirectoryService.Storage.Tables;
using DirectoryService.Testing;

namespace DirectoryService.Storage.Tests.Batching;

/// <summary>
/// The service's own writer of entity group transactions against Azurite: what it writes reads back
/// through the SDK exactly as the SDK's own transactions would have written it, its etags are the
/// stored ones, and a refused transaction applies nothing and fails as the SDK's does.
/// </summary>
public sealed class TableTransactionsTests
{
    [Fact]
    public async Task EveryKindOfChange_AndEveryPropertyType_ReadsBack_AsWritten_WithTheStoredEtags()
    {
        var (table, own) = await TableAsync();
        const string pk = "p~a b%2F'q'é";
        await table.AddEntityAsync(new TableEntity(pk, "replaced") { ["Old"] = "x" });
        await table.AddEntityAsync(new TableEntity(pk, "merged") { ["Kept"] = "k" });
        await table.AddEntityAsync(new TableEntity(pk, "deleted"));
        var replaced = (await table.GetEntityAsync<TableEntity>(pk, "replaced")).Value.ETag;
        var merged = (await table.GetEntityAsync<TableEntity>(pk, "merged")).Value.ETag;
        var at = new DateTimeOffset(2026, 12, 8, 1, 2, 3, TimeSpan.Zero).AddTicks(1234567);
        var guid = Guid.NewGuid();
        var added = new TableEntity(pk, "added 'quoted' ~%2F é+&=")
        {
            ["Text"] = "hello \"world\"\n",
            ["Bytes"] = new byte[] { 0, 1, 2, 250, 255 },
            ["Int"] = 42,
            ["Long"] = long.MaxValue,
            ["Flag"] = true,
            ["Real"] = 2.0,
            ["At"] = at,
            ["Id"] = guid,
        };

        var etags = await own.SubmitAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, added),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity(pk, "replaced") { ["New"] = 1 }, replaced),
            new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(pk, "merged") { ["Added"] = "a" }, merged),
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(pk, "upserted") { ["U"] = "u" }),
            new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pk, "deleted"), ETag.All),
        ]);

        var read = (await table.GetEntityAsync<TableEntity>(pk, added.RowKey)).Value;
        Assert.Equal("hello \"world\"\n", read.GetString("Text"));
        Assert.Equal(new byte[] { 0, 1, 2, 250, 255 }, read.GetBinary("Bytes"));
        Assert.Equal(42, read.GetInt32("Int"));
        Assert.Equal(long.MaxValue, read.GetInt64("Long"));
        Assert.True(read.GetBoolean("Flag"));
        Assert.Equal(2.0, read.GetDouble("Real"));
        Assert.Equal(at, read.GetDateTimeOffset("At"));
        Assert.Equal(guid, read.GetGuid("Id"));
        Assert.Equal(read.ETag, etags[0]);

        var replacedNow = (await table.GetEntityAsync<TableEntity>(pk, "replaced")).Value;
        Assert.False(replacedNow.ContainsKey("Old"));
        Assert.Equal(1, replacedNow.GetInt32("New"));
        Assert.Equal(replacedNow.ETag, etags[1]);
        var mergedNow = (await table.GetEntityAsync<TableEntity>(pk, "merged")).Value;
        Assert.Equal(("k", "a"), (mergedNow.GetString("Kept"), mergedNow.GetString("Added")));
        Assert.Equal(mergedNow.ETag, etags[2]);
        Assert.Equal((await table.GetEntityAsync<TableEntity>(pk, "upserted")).Value.ETag, etags[3]);
        Assert.Null(etags[4]);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>(pk, "deleted")).HasValue);
    }

    [Fact]
    public async Task ARefusedChange_FailsTheTransaction_AsTheSdkDoes_AndNothingOfItIsApplied()
    {
        var (table, own) = await TableAsync();
        await table.AddEntityAsync(new TableEntity("p", "taken"));
        var stale = (await table.UpsertEntityAsync(new TableEntity("p", "changed"))).Headers.ETag!.Value;
        await table.UpsertEntityAsync(new TableEntity("p", "changed") { ["V"] = 2 });

        var exists = await Assert.ThrowsAsync<TableTransactionFailedException>(() => own.SubmitAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "new")),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "taken")),
        ]));
        Assert.Equal(409, exists.Status);
        Assert.True(TableErrors.IsLostRace(exists));

        var lost = await Assert.ThrowsAsync<TableTransactionFailedException>(() => own.SubmitAsync(
        [
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("p", "other")),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("p", "changed") { ["V"] = 3 }, stale),
        ]));
        Assert.Equal(412, lost.Status);

        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "new")).HasValue);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "other")).HasValue);
        Assert.Equal(2, (await table.GetEntityAsync<TableEntity>("p", "changed")).Value.GetInt32("V"));
    }

    [Fact]
    public async Task ABatcherWithTheWriter_SharesTransactions_AndEachCallerGetsItsOwnEtags()
    {
        var connection = await Azurite.ConnectionStringAsync();
        var name = Azurite.NewTableName("owntx");
        var shards = TableShards.Create(name, 1, n => TableClients.Create(connection, n, 2), t => TableClients.Transactions(connection, t, 2));
        await shards.CreateIfNotExistsAsync(CancellationToken.None);
        Assert.NotNull(shards.TransactionsFor("p"));
        var batcher = new TransactionBatcher(shards);

        var writes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => batcher.SubmitAsync("p",
        [
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"a{i:D2}") { ["V"] = new byte[] { (byte)i } }),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"b{i:D2}") { ["V"] = i }),
        ])));

        var table = shards.For("p");
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal((await table.GetEntityAsync<TableEntity>("p", $"a{i:D2}")).Value.ETag, writes[i][0]);
            Assert.Equal((await table.GetEntityAsync<TableEntity>("p", $"b{i:D2}")).Value.ETag, writes[i][1]);
        }
    }

    [Theory]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=a;SharedAccessSignature=sv=2020&sig=x;TableEndpoint=https://a.table.core.windows.net", false)]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=a2V5;EndpointSuffix=core.windows.net", true)]
    [InlineData("UseDevelopmentStorage=true", true)]
    public void OnlyWhatCanBeSignedHere_GetsTheWriter(string connectionString, bool signed) =>
        Assert.Equal(signed, SharedKeyLitePolicy.FromConnectionString(connectionString) is not null);

    private static async Task<(TableClient Table, TableTransactions Own)> TableAsync()
    {
        var connection = await Azurite.ConnectionStringAsync();
        var name = Azurite.NewTableName("owntx");
        var table = TableClients.Create(connection, name, 2);
        await table.CreateIfNotExistsAsync();
        return (table, TableClients.Transactions(connection, table, 2) ?? throw new InvalidOperationException("Azurite's connection string has an account key"));
    }
}
