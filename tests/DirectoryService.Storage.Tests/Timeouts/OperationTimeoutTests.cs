using System.Diagnostics;
using Azure.Data.Tables;
using DirectoryService.Abstractions.Common;
using DirectoryService.Storage.Tables;
using DirectoryService.Testing;

namespace DirectoryService.Storage.Tests.Timeouts;

/// <summary>
/// A write storage does not answer within the operation bound (a paused Azurite, as a stalled storage
/// service looks) fails with <see cref="StorageUnavailableException"/> at the bound, and is over when
/// its caller is told: it may still land once storage resumes, but only as it was sent. The first
/// version stopped waiting at the bound while the SDK's retries went on; the SDK then disposed the
/// request, and the next retry went out without its body, which Azurite stored as a row with no
/// properties — a user's state replaced by nothing, seen in the scale-1 import on disk.
/// </summary>
public sealed class OperationTimeoutTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task AnUpdateStorageDoesNotAnswer_FailsAtTheBound_AndLeavesTheRowWhole()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var table = await TableAsync(azurite);
        var rows = Enumerable.Range(0, 8).Select(i => $"r{i}").ToList();
        var etags = new Dictionary<string, Azure.ETag>();
        foreach (var row in rows)
        {
            etags[row] = (await table.UpsertEntityAsync(Entity(row, "before"))).Headers.ETag!.Value;
        }

        var outcomes = await WhilePausedAsync(azurite, rows.Select(row => (Func<Task>)(() =>
            table.UpdateEntityAsync(Entity(row, "after"), etags[row], TableUpdateMode.Replace))));

        foreach (var row in rows)
        {
            var stored = (await table.GetEntityAsync<TableEntity>("p", row)).Value;
            Assert.True(stored.ContainsKey("Data"), $"{row} stored with no properties but {string.Join(", ", stored.Keys)}");
            Assert.Contains(stored.GetString("Data"), new[] { "before", "after" });
            Assert.Equal(Payload, stored.GetBinary("Bytes"));
        }

        Assert.All(outcomes, o => Assert.IsType<StorageUnavailableException>(o.Error));
        Assert.All(outcomes, o => Assert.InRange(o.Took, Bound - TimeSpan.FromMilliseconds(50), Bound + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task AnInsertStorageDoesNotAnswer_FailsAtTheBound_AndLandsWholeIfAtAll()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var table = await TableAsync(azurite);
        var rows = Enumerable.Range(0, 8).Select(i => $"n{i}").ToList();

        var outcomes = await WhilePausedAsync(azurite, rows.Select(row => (Func<Task>)(() => table.AddEntityAsync(Entity(row, "new")))));

        foreach (var row in rows)
        {
            var stored = await table.GetEntityIfExistsAsync<TableEntity>("p", row);
            if (stored.HasValue)
            {
                Assert.Equal("new", stored.Value!.GetString("Data"));
                Assert.Equal(Payload, stored.Value.GetBinary("Bytes"));
            }
        }

        Assert.All(outcomes, o => Assert.IsType<StorageUnavailableException>(o.Error));
        Assert.All(outcomes, o => Assert.InRange(o.Took, Bound - TimeSpan.FromMilliseconds(50), Bound + TimeSpan.FromSeconds(1)));
    }

    private static readonly byte[] Payload = [.. Enumerable.Range(0, 300).Select(i => (byte)i)];

    private static TableEntity Entity(string row, string data) => new("p", row) { ["Data"] = data, ["Bytes"] = Payload };

    private static async Task<TableClient> TableAsync(AzuriteProcess azurite)
    {
        var options = new TableStorageOptions { ConnectionString = azurite.ConnectionString, OperationTimeout = Bound };
        var table = TableClients.Create(options, Azurite.NewTableName("bound"));
        await table.CreateIfNotExistsAsync();
        return table;
    }

    /// <summary>
    /// Runs the writes while storage is paused for several bounds (long enough for the retries of an
    /// abandoned write to go out), resumes it and lets it answer what reached it.
    /// </summary>
    private static async Task<List<(Exception? Error, TimeSpan Took)>> WhilePausedAsync(AzuriteProcess azurite, IEnumerable<Func<Task>> writes)
    {
        azurite.Pause();
        List<(Exception?, TimeSpan)> outcomes;
        try
        {
            outcomes = [.. await Task.WhenAll(writes.Select(async write =>
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    await write();
                    return ((Exception?)null, clock.Elapsed);
                }
                catch (Exception e)
                {
                    return (e, clock.Elapsed);
                }
            }))];
            await Task.Delay(Bound * 4);
        }
        finally
        {
            azurite.Resume();
        }

        // Whatever was sent is answered within moments of the resume.
        await Task.Delay(TimeSpan.FromSeconds(2));
        return outcomes;
    }
}
