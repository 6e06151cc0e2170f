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
}
