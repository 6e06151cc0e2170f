using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using DirectoryService.Storage.Tables;

namespace DirectoryService.Storage.Tests.Rewind;

/// <summary>
/// The marker check tells storage that went back in time from a marker write whose answer was lost
/// under load: the second used to read as the first, and made a busy silo drop everything it derived.
/// </summary>
public sealed class RewindWatchTests
{
    [Fact]
    public async Task AMarkerWriteWhoseAnswerWasLost_AndThatLanded_IsNotStorageGoingBackInTime()
    {
        var (watch, table, answers) = await NewAsync();
        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        Assert.Null(await watch.CheckAsync(CancellationToken.None));

        // Every attempt of the next rewrite lands, but no answer arrives: the check fails.
        answers.Lost = true;
        await Assert.ThrowsAnyAsync<Exception>(() => watch.CheckAsync(CancellationToken.None));
        answers.Lost = false;
        Assert.Equal(3, (await MarkerAsync(table)).GetInt64("N"));

        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        Assert.Equal(5, (await MarkerAsync(table)).GetInt64("N"));
    }

    [Fact]
    public async Task AMarkerOlderThanTheLastConfirmedWrite_OrGone_IsStorageGoingBackInTime()
    {
        var (watch, table, _) = await NewAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await watch.CheckAsync(CancellationToken.None));
        }

        // Restored from a point before the last confirmed write.
        var marker = await MarkerAsync(table);
        marker["N"] = 2L;
        await table.UpdateEntityAsync(marker, ETag.All, TableUpdateMode.Replace);
        Assert.Contains("holds its write 2, older than its last confirmed write 3", await watch.CheckAsync(CancellationToken.None), StringComparison.Ordinal);

        // It starts again from what storage holds; then the marker is lost altogether.
        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        await table.DeleteEntityAsync(RewindWatch.Partition, (await MarkerAsync(table)).RowKey, ETag.All);
        Assert.Contains("is gone", await watch.CheckAsync(CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASiloThatWroteNothingSinceItsLastCheck_ReadsItsMarker_AndStillNoticesOneThatWentBack()
    {
        // The silo's writes: its markers' (counted by the watched client) and others (counted here).
        var writes = 0L;
        var (watch, table, _) = await NewAsync(answers => () => answers.Writes + writes);
        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        var written = (await MarkerAsync(table)).ETag;

        // Nothing written since: the marker is read, not written (storage keeps the same row).
        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        Assert.Equal(written, (await MarkerAsync(table)).ETag);
        Assert.Equal(1, (await MarkerAsync(table)).GetInt64("N"));

        // A write of the silo's since (its own marker write counts once): the next check writes the marker again.
        writes++;
        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        Assert.Equal(2, (await MarkerAsync(table)).GetInt64("N"));
        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        Assert.Equal(2, (await MarkerAsync(table)).GetInt64("N"));

        // Restored from a point before the marker's last write: a read notices it, and the next check writes the marker anew.
        var marker = await MarkerAsync(table);
        marker["N"] = 1L;
        await table.UpdateEntityAsync(marker, ETag.All, TableUpdateMode.Replace);
        Assert.Contains("holds its write 1, older than its last confirmed write 2", await watch.CheckAsync(CancellationToken.None), StringComparison.Ordinal);
        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        Assert.Equal(3, (await MarkerAsync(table)).GetInt64("N"));
        Assert.Null(await watch.CheckAsync(CancellationToken.None));
        await table.DeleteEntityAsync(RewindWatch.Partition, (await MarkerAsync(table)).RowKey, ETag.All);
        Assert.Contains("is gone", await watch.CheckAsync(CancellationToken.None), StringComparison.Ordinal);
    }

    /// <summary>A watch over one table; with <paramref name="writes"/>, one that only reads its marker while the silo wrote nothing (else every check rewrites it).</summary>
    private static async Task<(RewindWatch Watch, TableClient Table, LoseAnswers Answers)> NewAsync(Func<LoseAnswers, Func<long>>? writes = null)
    {
        var options = await StorageTestServices.NewTablesAsync();
        var answers = new LoseAnswers();
        var watched = TableClients.Create(options.ConnectionString, options.GrainStateTable, 2, answers);
        var table = TableClients.Create(options.ConnectionString, options.GrainStateTable, 0);
        await table.CreateIfNotExistsAsync();
        return (new RewindWatch([watched], afterOutage: false, idleReads: writes is not null, writes?.Invoke(answers)), table, answers);
    }

    private static async Task<TableEntity> MarkerAsync(TableClient table)
    {
        await foreach (var marker in table.QueryAsync<TableEntity>(e => e.PartitionKey == RewindWatch.Partition))
        {
            return marker;
        }

        throw new InvalidOperationException("no marker row");
    }

    /// <summary>While <see cref="Lost"/>, every write lands and its answer is lost.</summary>
    private sealed class LoseAnswers : HttpPipelinePolicy
    {
        public volatile bool Lost;

        private long _writes;

        /// <summary>Tries that write (every request but reads).</summary>
        public long Writes => Interlocked.Read(ref _writes);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Method != RequestMethod.Get)
            {
                Interlocked.Increment(ref _writes);
            }

            await ProcessNextAsync(message, pipeline);
            if (Lost && message.Request.Method != RequestMethod.Get)
            {
                throw new IOException("injected: connection reset after the request landed");
            }
        }
    }
}
