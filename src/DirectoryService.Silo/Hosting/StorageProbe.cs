using DirectoryService.Grains.Membership;
using DirectoryService.Storage.Tables;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace DirectoryService.Silo.Hosting;

/// <summary>
/// Checks storage every <see cref="Period"/> (bounded by <see cref="Timeout"/>), so health can tell
/// within seconds that writes cannot be served — while storage is paused or unreachable — and that
/// they can again once it answers. The check rewrites this silo's marker rows, or with read leases
/// on only reads them while the silo wrote nothing since (<see cref="RewindWatch"/>):
/// when storage went back in time behind the silo, every activation and cache of the silo is dropped
/// (<see cref="SiloVouch.ResetAfterRewind"/>), so that what it answers agrees with storage again.
/// </summary>
public sealed partial class StorageProbe(IOptions<TableStorageOptions> options, IOptions<ReadLeaseOptions> leases, TableLayout layout, SiloVouch vouch, TimeProvider time, ILogger<StorageProbe> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private DateTimeOffset _lastAnswer = DateTimeOffset.MinValue;
    private string _problem = "storage not probed yet";
    private bool _failing;

    /// <summary>Whether storage answered the last probe, within the last few seconds.</summary>
    public (bool Answers, string Problem) State =>
        !_failing && time.GetUtcNow() - _lastAnswer < Period + Timeout + Timeout ? (true, "") : (false, _problem);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var storage = options.Value;
        RewindWatch? watch = null;
        var cleaned = false;
        using var timer = new PeriodicTimer(Period, time);
        do
        {
            try
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                bounded.CancelAfter(Timeout);
                // Made at the first probe that reaches storage: which tables it watches depends on the deployment's layout, read from storage.
                watch ??= RewindWatch.For(storage, layout, afterOutage: storage.RewindAfterOutage ?? storage.IsEmulator, idleReads: leases.Value.Enabled);
                if (await watch.CheckAsync(bounded.Token) is { } rewound)
                {
                    _ = vouch.ResetAfterRewind(rewound);
                }

                if (!cleaned)
                {
                    cleaned = true;
                    _ = watch.RemoveStaleAsync(stoppingToken).ContinueWith(t => t.Exception, TaskScheduler.Default);
                }

                if (_failing)
                {
                    LogRecovered(logger);
                }

                (_lastAnswer, _failing) = (time.GetUtcNow(), false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (!_failing)
                {
                    LogFailing(logger, e);
                }

                (_failing, _problem) = (true, "storage does not answer: writes cannot be served");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage does not answer: health reports writes NOT_SERVING until it does")]
    private static partial void LogFailing(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage answers again: writes SERVING")]
    private static partial void LogRecovered(ILogger logger);
}

/// <summary>The health of writes: NOT_SERVING while storage does not answer its probe (always serving on in-memory storage, which has none).</summary>
public sealed class StorageHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(services.GetService<StorageProbe>()?.State is (false, var problem) ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy());
}
