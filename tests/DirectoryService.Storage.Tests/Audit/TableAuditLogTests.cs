using Azure.Data.Tables;
using DirectoryService.Abstractions.Audit;
using DirectoryService.Storage.Audit;
using DirectoryService.Storage.Tables;
using DirectoryService.Testing;

namespace DirectoryService.Storage.Tests.Audit;

/// <summary>The table audit log against Azurite: records partitioned by second list in time order, per tenant, in ranges and pages.</summary>
public sealed class TableAuditLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Records_list_in_time_order_per_tenant_within_and_across_partitions_in_a_range_and_paged()
    {
        var connection = await Azurite.ConnectionStringAsync();
        var log = new TableAuditLog(TableShards.Create(Azurite.NewTableName("audit"), 2, n => TableClients.Create(connection, n, 2)), "storage-tests");
        await log.InitializeAsync(CancellationToken.None);
        // Four records a second: fifteen partitions of four, appended out of order.
        var steps = Enumerable.Range(0, 60).OrderBy(m => (m * 37) % 60).ToList();
        await Task.WhenAll(steps.Select(m => log.AppendAsync(new AuditRecord("", T0.AddMilliseconds(250 * m), "a", "s", "app", $"op{m:D2}", [], [], "OK", "c"))));
        await log.AppendAsync(new AuditRecord("", T0.AddSeconds(1), "b", "s", "app", "other", [], [], "OK", "c"));

        var expected = Enumerable.Range(0, 60).Select(m => $"op{m:D2}").ToList();
        var all = await log.ListAsync("a", null, null, null, 100);
        Assert.Equal(expected, all.Items.Select(r => r.Operation));
        Assert.Null(all.Next);

        var window = await log.ListAsync("a", T0.AddMilliseconds(2500), T0.AddSeconds(5), null, 100);
        Assert.Equal(expected[10..20], window.Items.Select(r => r.Operation));

        var paged = new List<string>();
        string? next = null;
        do
        {
            var page = await log.ListAsync("a", null, null, next, 7);
            Assert.InRange(page.Items.Count, 1, 7);
            paged.AddRange(page.Items.Select(r => r.Operation));
            next = page.Next;
        }
        while (next is not null);

        Assert.Equal(expected, paged);
        Assert.Equal(["other"], (await log.ListAsync("b", null, null, null, 10)).Items.Select(r => r.Operation));
    }

    [Fact]
    public async Task Targets_that_are_minted_ids_are_stored_packed_others_as_text_and_a_settle_switches_between_them()
    {
        var connection = await Azurite.ConnectionStringAsync();
        var name = Azurite.NewTableName("audit");
        var log = new TableAuditLog(TableShards.Create(name, 1, n => TableClients.Create(connection, n, 1)), "storage-tests");
        await log.InitializeAsync(CancellationToken.None);
        var ids = Enumerable.Range(0, 400).Select(i => Guid.CreateVersion7().ToString("D")).ToArray();
        string[] mixed = [ids[0], "bench", ids[1].ToUpperInvariant()];

        var packed = await log.AppendAsync(new AuditRecord("", T0, "a", "s", "app", "packed", ids, [], "PENDING", "c"));
        var text = await log.AppendAsync(new AuditRecord("", T0.AddMilliseconds(1), "a", "s", "app", "text", mixed, [], "PENDING", "c"));
        var stored = await Entities();
        Assert.Equal(ids.Length * 16, stored["packed"].GetBinary("TargetIds").Length);
        Assert.Null(stored["packed"].GetString("Targets"));
        Assert.Equal(string.Join(',', mixed), stored["text"].GetString("Targets"));
        Assert.Null(stored["text"].GetBinary("TargetIds"));
        Assert.Equal([ids, mixed], (await log.ListAsync("a", null, null, null, 10)).Items.Select(r => r.Targets));

        // Settling names the targets again, in the other form: the first form must not survive.
        await log.SettleAsync(packed, "OK", mixed);
        await log.SettleAsync(text, "OK", ids[..3]);
        var settled = (await log.ListAsync("a", null, null, null, 10)).Items;
        Assert.Equal([mixed, ids[..3]], settled.Select(r => r.Targets));
        Assert.Equal(["OK", "OK"], settled.Select(r => r.Result));
        stored = await Entities();
        Assert.Empty(stored["packed"].GetBinary("TargetIds"));
        Assert.Equal("", stored["text"].GetString("Targets"));

        async Task<Dictionary<string, TableEntity>> Entities() =>
            (await TableClients.Create(connection, TableShards.Names(name, 1)[0], 1).QueryAsync<TableEntity>().ToListAsync())
                .Where(e => e.GetString("Operation") is "packed" or "text").ToDictionary(e => e.GetString("Operation"));
    }
}
