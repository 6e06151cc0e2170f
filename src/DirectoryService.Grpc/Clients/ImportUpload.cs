using DirectoryService.Grpc.V1;
using Google.Rpc;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace DirectoryService.Grpc.Clients;

/// <summary>
/// The client side of <c>Import/ImportRecords</c>: streams records in batches while a reader takes
/// the answers as they come (each batch's rejections and the running counts), so neither side ever
/// holds more than a batch or two; flow control slows the sender down to the service's pace.
/// <para>
/// When the service is unavailable — storage stalled past its time limit, the silo stopped or
/// killed, the connection lost — or a grain reloaded newer state (<c>ABORTED</c>, <c>STALE_STATE</c>), the import is run again from its first record after a delay
/// (a doubling backoff, or the service's <c>RetryInfo</c> if longer): imports are idempotent, what an earlier
/// attempt applied comes back unchanged, and only a complete attempt's <c>done</c> answer means
/// that every read sees the import. A resumed attempt could not promise that: "member of" updates
/// the broken attempt's groups still owed are delivered by the groups' next import call, so every
/// group has to be called again.
/// </para>
/// </summary>
public static class ImportUpload
{
    /// <summary>Records per request: the most the service takes in one.</summary>
    public const int BatchSize = 1000;

    /// <summary>
    /// Imports the records and returns the summary's counts, over every attempt: created and updated
    /// add up what each attempt's answered batches changed, unchanged is the rest of the records.
    /// <paramref name="records"/> is enumerated again on each attempt. <paramref name="answered"/>
    /// sees every batch's answer once, in order, its counts over the whole import (an attempt's
    /// answers to batches an earlier one answered are not passed on). A failed call throws its status.
    /// </summary>
    public static async Task<ImportCounts> RunAsync(
        V1.Import.ImportClient client, IEnumerable<ImportRecord> records, Action<ImportRecordsResponse>? answered = null,
        CancellationToken cancellationToken = default, int batchSize = BatchSize, ImportRetry? retry = null)
    {
        retry ??= ImportRetry.Default;
        var carried = new ImportCounts();
        var answeredBefore = 0L;
        for (var attempt = 1; ; attempt++)
        {
            var seen = 0L;
            ImportCounts? acknowledged = null;
            try
            {
                await AttemptAsync(client, records, answer =>
                {
                    acknowledged = answer.Counts;
                    if (++seen > answeredBefore || answer.Done)
                    {
                        answer.Counts = Combined(answer.Counts, carried);
                        answered?.Invoke(answer);
                    }
                }, cancellationToken, batchSize);
                return Combined(acknowledged!, carried);
            }
            catch (RpcException e) when (Retryable(e) && attempt < retry.Attempts && !cancellationToken.IsCancellationRequested)
            {
                // What this attempt's answered batches created or updated reads as unchanged in the next.
                carried = new ImportCounts
                {
                    Created = carried.Created + (acknowledged?.Created ?? 0),
                    Updated = carried.Updated + (acknowledged?.Updated ?? 0),
                };
                answeredBefore = Math.Max(answeredBefore, seen);
                var delay = retry.Delay(attempt, e);
                retry.Retrying?.Invoke(e, attempt, delay);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Unavailable, or aborted because a grain found newer state than it knew (<c>STALE_STATE</c>:
    /// it reloaded and changed nothing; reading again is what the service asks for, and an import
    /// run again reads everything again).
    /// </summary>
    private static bool Retryable(RpcException e) =>
        e.StatusCode == StatusCode.Unavailable
        || (e.StatusCode == StatusCode.Aborted && e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason == StaleState);

    private const string StaleState = "STALE_STATE";

    private static ImportCounts Combined(ImportCounts counts, ImportCounts carried)
    {
        var created = counts.Created + carried.Created;
        var updated = counts.Updated + carried.Updated;
        return new ImportCounts
        {
            Records = counts.Records,
            Created = created,
            Updated = updated,
            Rejected = counts.Rejected,
            Unchanged = Math.Max(0, counts.Records - created - updated - counts.Rejected),
        };
    }

    /// <summary>One attempt: the whole import in one stream, until its summary (<paramref name="answered"/> sees it last).</summary>
    private static async Task AttemptAsync(
        V1.Import.ImportClient client, IEnumerable<ImportRecord> records, Action<ImportRecordsResponse> answered,
        CancellationToken cancellationToken, int batchSize)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = client.ImportRecords(cancellationToken: stop.Token);
        var reading = Task.Run(async () =>
        {
            ImportRecordsResponse? last = null;
            try
            {
                while (await call.ResponseStream.MoveNext(stop.Token))
                {
                    last = call.ResponseStream.Current;
                    answered(last);
                }
            }
            catch (Exception e) when (Lost(e) && !cancellationToken.IsCancellationRequested)
            {
                throw ConnectionLost(e);
            }

            return last;
        }, CancellationToken.None);

        try
        {
            foreach (var batch in records.Chunk(batchSize))
            {
                await SendAsync(call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { batch } }, cancellationToken), reading, cancellationToken);
            }

            await SendAsync(call.RequestStream.CompleteAsync(), reading, cancellationToken);
        }
        catch (RpcException) when (!cancellationToken.IsCancellationRequested)
        {
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

        if (await reading is not { Done: true })
        {
            throw new RpcException(new Status(StatusCode.Unknown, "the import ended without its summary; run it again (imports are idempotent)"));
        }
    }

    /// <summary>
    /// One write to the request stream. If the service ended the call early, its status (which the
    /// reader gets) says why; if the connection went (the silo killed), that is an unavailable service.
    /// </summary>
    private static async Task SendAsync(Task sending, Task<ImportRecordsResponse?> reading, CancellationToken cancellationToken)
    {
        try
        {
            await sending;
        }
        catch (Exception e) when ((e is RpcException || Lost(e)) && !cancellationToken.IsCancellationRequested)
        {
            await reading;
            throw e as RpcException ?? ConnectionLost(e);
        }
    }

    /// <summary>The transport failed under the call: the connection reset or the response cut short.</summary>
    private static bool Lost(Exception e) => e is IOException or HttpRequestException || e.InnerException is IOException or HttpRequestException;

    private static RpcException ConnectionLost(Exception e) =>
        new(new Status(StatusCode.Unavailable, "the connection to the service was lost: " + e.Message, e));
}

/// <summary>
/// How <see cref="ImportUpload"/> retries an unavailable service: at most <see cref="Attempts"/>
/// attempts in all, waiting from <see cref="FirstDelay"/> doubling up to <see cref="MaxDelay"/>, or
/// longer when the service's <c>RetryInfo</c> asks for it (a service that keeps failing still gets
/// more time each attempt). <see cref="Retrying"/> hears of
/// each retry (the error, the attempt that failed, the delay).
/// </summary>
public sealed record ImportRetry(int Attempts, TimeSpan FirstDelay, TimeSpan MaxDelay, Action<RpcException, int, TimeSpan>? Retrying = null)
{
    /// <summary>Six attempts, 1 s doubling to 30 s: about a minute of an unavailable service.</summary>
    public static readonly ImportRetry Default = new(6, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>No retry: the first failure is the answer.</summary>
    public static readonly ImportRetry None = new(1, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>The wait after failed attempt <paramref name="attempt"/>: the doubling backoff, or longer if the service asks (never above <see cref="MaxDelay"/>).</summary>
    public TimeSpan Delay(int attempt, RpcException error)
    {
        var backoff = FirstDelay.Ticks * (1L << Math.Min(attempt - 1, 20));
        var told = error.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay?.ToTimeSpan().Ticks ?? 0;
        return TimeSpan.FromTicks(Math.Min(Math.Max(backoff, told), MaxDelay.Ticks));
    }
}
