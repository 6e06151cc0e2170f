using Microsoft.Extensions.Options;

namespace DirectoryService.Silo.Hosting;

/// <summary>
/// The first step of a graceful stop (SIGTERM): before any part of the silo stops, health reports
/// <c>NOT_SERVING</c> and the silo keeps serving for <see cref="SiloOptions.DrainPeriod"/>, so load
/// balancers that follow health move new calls away while nothing is refused yet. Then the host stops
/// as usual: the gRPC server finishes the calls in flight, and Orleans leaves the cluster, handing
/// its grains over (calls to them from other silos are retried there, every write being safe to repeat).
/// </summary>
public sealed partial class SiloDrain(IOptions<SiloOptions> options, ILogger<SiloDrain> logger) : IHostedLifecycleService
{
    private volatile bool _draining;

    /// <summary>Whether the silo is stopping: health says so from the first moment.</summary>
    public bool IsDraining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var period = options.Value.DrainPeriod;
        LogDraining(logger, period.TotalSeconds);
        try
        {
            await Task.Delay(period, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: stop now.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping: health reports NOT_SERVING; serving on for {Seconds} s so load balancers move away, then finishing calls in flight and leaving the cluster")]
    private static partial void LogDraining(ILogger logger, double seconds);
}
