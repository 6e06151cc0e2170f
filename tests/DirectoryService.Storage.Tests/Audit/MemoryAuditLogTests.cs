using DirectoryService.Abstractions.Audit;
using DirectoryService.Storage.Audit;

namespace DirectoryService.Storage.Tests.Audit;

/// <summary>The in-memory audit log keeps the same order, paging and time-range rules as the table one.</summary>
public sealed class MemoryAuditLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static AuditRecord At(string tenant, int minute) =>
        new("", T0.AddMinutes(minute), tenant, "s", "a", "op" + minute, [], [], "OK", "c");

    [Fact]
    public async Task Lists_InTimeOrder_PerTenant_WithinARange_AndPaged()
    {
        var log = new MemoryAuditLog();
        foreach (var minute in new[] { 3, 1, 2, 4 })
        {
            await log.AppendAsync(At("a", minute));
        }

        await log.AppendAsync(At("b", 2));

        var all = await log.ListAsync("a", null, null, null, 10);
        Assert.Equal(["op1", "op2", "op3", "op4"], all.Items.Select(r => r.Operation));

        var window = await log.ListAsync("a", T0.AddMinutes(2), T0.AddMinutes(4), null, 10);
        Assert.Equal(["op2", "op3"], window.Items.Select(r => r.Operation));

        var first = await log.ListAsync("a", null, null, null, 2);
        var second = await log.ListAsync("a", null, null, first.Next, 2);
        Assert.Equal(["op1", "op2", "op3", "op4"], first.Items.Concat(second.Items).Select(r => r.Operation));
        Assert.Null(second.Next);
    }
}
