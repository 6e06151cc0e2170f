using System.Diagnostics;
using DirectoryService.Abstractions.Membership;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Grains.Membership;

/// <summary>
/// Notices when this silo process was frozen and makes it confirm its membership before it answers
/// again. A ticker thread of its own records the time every 100 ms; a gap of more than
/// <see cref="PauseThreshold"/> — seen by the ticker, or by a caller before the ticker ran again —
/// means the process did not run for a while (monotonic clock). Until the silo has read the
/// membership table again and found itself active, and has dropped its caches (invalidations may
/// have skipped it as dead meanwhile), callers wait and health says NOT_SERVING; a silo the cluster
/// declared dead never answers again (the runtime stops it), nor does one whose read lease found it
/// declared dead (<see cref="ReadLease.Condemned"/>) before it noticed by itself.
/// <para>
/// Likewise after storage went back in time (<see cref="ResetAfterRewind"/>): until every activation
/// on this silo has been dropped — each reads its state again on its next call — and the caches with
/// them, callers wait and health says NOT_SERVING. Activations and caches are dropped again after
/// each of <see cref="RewindDropsAgain"/>: the drop skips an activation busy at that moment, and by
/// the last every other silo has noticed the rewind too and dropped the activations that may have
/// fed this silo's caches meanwhile.
/// </para>
/// </summary>
public sealed partial class SiloVouch : ISiloVouch, IDisposable
{
    /// <summary>A freeze longer than this makes the silo re-confirm its membership before answering.</summary>
    public static readonly TimeSpan PauseThreshold = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private const string Condemned = "the membership table lists this silo as dead: it answers nothing more";

    /// <summary>After a rewind, when activations and caches are dropped again; the last is past every silo's next storage check (each checks every second).</summary>
    public static readonly TimeSpan[] RewindDropsAgain = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    private readonly IClusterMembershipService _membership;
    private readonly IGrainFactory _grains;
    private readonly ILocalSiloDetails _local;
    private readonly UserCache _users;
    private readonly ClosureCache _closures;
    private readonly ReadLease _lease;
    private readonly ILogger<SiloVouch> _logger;
    private readonly Thread _ticker;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private long _lastTick = Stopwatch.GetTimestamp();
    private Task? _confirming;
    private Task? _resetting;
    private volatile string _problem = "";

    public SiloVouch(IClusterMembershipService membership, IGrainFactory grains, ILocalSiloDetails local, UserCache users, ClosureCache closures, ReadLease lease, ILogger<SiloVouch> logger)
    {
        (_membership, _grains, _local, _users, _closures, _lease, _logger) = (membership, grains, local, users, closures, lease, logger);
        _ticker = new Thread(TickLoop) { IsBackground = true, Name = "silo-vouch" };
        _ticker.Start();
    }

    public bool IsTrusted => Volatile.Read(ref _confirming) is null && Volatile.Read(ref _resetting) is null && !Frozen() && !_lease.Condemned;

    public string Problem => IsTrusted ? "" : _lease.Condemned ? Condemned : _problem;

    public ValueTask<bool> WaitTrustedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_lease.Condemned)
        {
            return ValueTask.FromResult(false);
        }

        if (Volatile.Read(ref _confirming) is null && !Frozen())
        {
            return Volatile.Read(ref _resetting) is { } resetting ? WaitAsync(resetting, timeout, cancellationToken) : ValueTask.FromResult(true);
        }

        return WaitAsync(Confirm(), timeout, cancellationToken);
    }

    /// <summary>
    /// Storage went back in time (<paramref name="reason"/>): drops every activation on this silo and
    /// every cache, callers waiting meanwhile; and both again after each of <see cref="RewindDropsAgain"/>.
    /// </summary>
    public Task ResetAfterRewind(string reason)
    {
        lock (_lock)
        {
            return _resetting ??= ResetAsync(reason);
        }
    }

    private async Task ResetAsync(string reason)
    {
        _problem = $"storage went back in time ({reason}): dropping what this silo derived from it";
        LogRewound(_logger, reason);
        await Task.Yield();
        var watch = Stopwatch.StartNew();
        await DropAsync();
        await RevokePeersAsync();
        lock (_lock)
        {
            _resetting = null;
        }

        LogReset(_logger, watch.Elapsed.TotalSeconds);
        _ = DropAgainAsync();
    }

    private async Task DropAgainAsync()
    {
        var since = TimeSpan.Zero;
        foreach (var at in RewindDropsAgain)
        {
            await Task.Delay(at - since);
            since = at;
            await DropAsync();
        }
    }

    /// <summary>
    /// Revokes every active peer's read lease, so each drops its caches at its next renewal: a peer
    /// that wrote nothing since its last storage check does not notice the rewind by its markers
    /// (<c>RewindWatch</c>), and its caches may hold what this silo's lost writes said.
    /// </summary>
    private async Task RevokePeersAsync()
    {
        var peers = _membership.CurrentSnapshot.Members
            .Where(m => m.Value.Status == SiloStatus.Active && !m.Key.Equals(_local.SiloAddress))
            .Select(m => m.Key);
        foreach (var peer in peers)
        {
            try
            {
                await _lease.RevokeAsync(peer);
            }
            catch (Exception e)
            {
                // Its lease then runs out by itself unless renewed: a renewal reads the revocation row, which the next reset writes again.
                LogRevokeFailed(_logger, e, peer);
            }
        }
    }

    /// <summary>Deactivates every activation on this silo that is not busy, then drops the caches.</summary>
    private async Task DropAsync()
    {
        try
        {
            await _grains.GetGrain<IManagementGrain>(0).ForceActivationCollection([_local.SiloAddress], TimeSpan.Zero);
        }
        catch (Exception e)
        {
            // The caches are dropped anyway; an activation left behind reloads on its first write (its etag no longer matches).
            LogDropFailed(_logger, e);
        }

        _users.InvalidateAll();
        _closures.InvalidateAll();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage went back in time, and the read lease of {Peer} could not be revoked: its caches stay until its next change or lapse")]
    private static partial void LogRevokeFailed(ILogger logger, Exception exception, SiloAddress peer);

    private static async ValueTask<bool> WaitAsync(Task confirming, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await confirming.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private bool Frozen() => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastTick)) > PauseThreshold;

    private void TickLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Thread.Sleep(Tick);
            var gap = Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastTick));
            if (gap > PauseThreshold)
            {
                LogFrozen(_logger, gap.TotalSeconds);
                _ = Confirm();
            }

            if (Volatile.Read(ref _confirming) is null)
            {
                Interlocked.Exchange(ref _lastTick, Stopwatch.GetTimestamp());
            }
        }
    }

    /// <summary>The confirmation in progress, starting one if none is.</summary>
    private Task Confirm()
    {
        lock (_lock)
        {
            return _confirming ??= ConfirmAsync();
        }
    }

    private async Task ConfirmAsync()
    {
        _problem = "resuming after the process was frozen: confirming cluster membership";
        await Task.Yield();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                bounded.CancelAfter(TimeSpan.FromSeconds(5));
                await _membership.Refresh(default, bounded.Token);
                var status = _membership.CurrentSnapshot.GetSiloStatus(_local.SiloAddress);
                if (status == SiloStatus.Active)
                {
                    _users.InvalidateAll();
                    _closures.InvalidateAll();
                    lock (_lock)
                    {
                        Interlocked.Exchange(ref _lastTick, Stopwatch.GetTimestamp());
                        _confirming = null;
                    }

                    LogConfirmed(_logger);
                    return;
                }

                // Declared dead (or leaving): never trusted again; the runtime stops this silo.
                _problem = $"the cluster sees this silo as {status}: it answers nothing more";
                LogCondemned(_logger, status.ToString());
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                LogConfirmFailed(_logger, e);
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }

    public void Dispose() => _stop.Cancel();

    [LoggerMessage(Level = LogLevel.Warning, Message = "This silo did not run for {Seconds:0.0} s (frozen): confirming its cluster membership before it answers again")]
    private static partial void LogFrozen(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Membership confirmed after a freeze: caches dropped, answering again")]
    private static partial void LogConfirmed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "After a freeze the cluster sees this silo as {Status}: it answers nothing more")]
    private static partial void LogCondemned(ILogger logger, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage went back in time ({Reason}): dropping every activation and cache of this silo")]
    private static partial void LogRewound(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Activations and caches dropped after storage went back in time ({Seconds:0.0} s): answering again")]
    private static partial void LogReset(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropping the activations after storage went back in time failed")]
    private static partial void LogDropFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Confirming membership after a freeze failed; retrying")]
    private static partial void LogConfirmFailed(ILogger logger, Exception exception);
}
