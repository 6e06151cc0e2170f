using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Grpc.Clients;

/// <summary>
/// The client side of <c>Import/ImportRecords</c>: streams records in batches while a reader takes
/// the answers as they come (each batch's rejections and the running counts), so neither side ever
/// holds more than a batch or two; flow control slows the sender down to the service's pace.
/// </summary>
public static class ImportUpload
{
    /// <summary>Records per request: the most the service takes in one.</summary>
    public const int BatchSize = 1000;

    /// <summary>
    /// Imports the records in one stream and returns the summary's counts. <paramref name="answered"/>
    /// sees every answer, in order (rejections, progress). A failed call throws its status.
    /// </summary>
    public static async Task<ImportCounts> RunAsync(
        V1.Import.ImportClient client, IEnumerable<ImportRecord> records, Action<ImportRecordsResponse>? answered = null,
        CancellationToken cancellationToken = default, int batchSize = BatchSize)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = client.ImportRecords(cancellationToken: stop.Token);
        var reading = Task.Run(async () =>
        {
            ImportRecordsResponse? last = null;
            while (await call.ResponseStream.MoveNext(stop.Token))
            {
                last = call.ResponseStream.Current;
                answered?.Invoke(last);
            }

            return last;
        }, CancellationToken.None);

        try
        {
            foreach (var batch in records.Chunk(batchSize))
            {
                await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { batch } }, cancellationToken);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException) when (!cancellationToken.IsCancellationRequested)
        {
            // The service ended the call early: its status, which the reader gets, says why.
            await reading;
            throw;
        }
        catch (Exception)
        {
            // The records could not be read (a bad input file): abandon the call, so that the
            // service sees a cancelled stream and the reader stops.
            await stop.CancelAsync();
            await Task.WhenAny(reading);
            throw;
        }

        var summary = await reading;
        return summary is { Done: true }
            ? summary.Counts
            : throw new RpcException(new Status(StatusCode.Unknown, "the import ended without its summary; run it again (imports are idempotent)"));
    }
}
