using System.Collections.Concurrent;
using System.Diagnostics;
using DirectoryService.Abstractions.Rows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace DirectoryService.Grains.Membership;

/// <summary>
/// Whether this silo may answer from its caches: only while its read lease is fresh. The lease is
/// renewed every <see cref="ReadLeaseOptions.RenewEvery"/> by two reads from storage — this silo's
/// row in the membership table, and its revocation row — and lasts
/// <see cref="ReadLeaseOptions.Duration"/> from when those reads <em>began</em>, on this silo's
/// monotonic clock. A renewal that finds the silo declared dead ends trust for good; one that finds a
/// new revocation drops every cache first.
/// <para>
/// A change that cannot reach this silo's caches within <see cref="ReadLeaseOptions.ReachTimeout"/>
/// writes a new revocation into the row (<see cref="RevokeAsync"/>) and waits
/// <see cref="ReadLeaseOptions.WaitOut"/>: by then every renewal that began before the write has
/// run out here, and every later one has seen the revocation. So a frozen, slow or cut-off silo
/// costs a change at most <see cref="ReadLeaseOptions.Bound"/>, and never answers from a cache the
/// change skipped. While the lease is not fresh the sign-in reads go to the grains instead
/// (<see cref="SignInReads"/>): slower, still exact. Coming back from a lapse, and after a peer died
/// without leaving gracefully (it may have stored a change it never told us of), every cache is
/// dropped.
/// </para>
/// </summary>
public sealed partial class ReadLease : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>Where the revocation rows live: one set per reader silo, outside every tenant.</summary>
    public const string Tenant = "~cluster";

    public const string Kind = "read-lease";

    private const string RevokedKey = "revoked";

    private readonly IRowStore _rows;
    private readonly IMembershipTable _table;
    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _local;
    private readonly UserCache _users;
    private readonly ClosureCache _closures;
    private readonly SignInMetrics _metrics;
    private readonly ReadLeaseOptions _options;
    private readonly ILogger<ReadLease> _logger;
    private readonly long _duration;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private readonly ConcurrentDictionary<SiloAddress, long> _seenDead = new();
    private long _until;
    private bool _renewed;
    private bool _lapsed;
    private bool _condemned;
    private string? _lastRevocation;

    public ReadLease(IRowStore rows, IMembershipTable table, IClusterMembershipService membership, ILocalSiloDetails local, UserCache users, ClosureCache closures,
        SignInMetrics metrics, IOptions<ReadLeaseOptions> options, ILogger<ReadLease> logger)
    {
        (_rows, _table, _membership, _local, _users, _closures, _metrics, _options, _logger) = (rows, table, membership, local, users, closures, metrics, options.Value, logger);
        _duration = (long)(_options.Duration.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Whether the caches may answer now. Checked once per read, at its start.</summary>
    public bool Trusted
    {
        get
        {
            if (!_options.Enabled || Stopwatch.GetTimestamp() < Volatile.Read(ref _until))
            {
                return true;
            }

            Lapse();
            return false;
        }
    }

    /// <summary>Whether a renewal found this silo declared dead: it answers nothing more (<see cref="SiloVouch"/>).</summary>
    public bool Condemned => Volatile.Read(ref _condemned);

    private static RowSet Set(SiloAddress reader) => new(Tenant, Kind, reader.ToParsableString());

    /// <summary>
    /// Revokes <paramref name="reader"/>'s lease: once this returns, every renewal it begins sees the
    /// revocation (and drops its caches), and those begun before end within <see cref="ReadLeaseOptions.WaitOut"/>.
    /// </summary>
    public Task RevokeAsync(SiloAddress reader)
    {
        _metrics.LeaseEvent("revoking");
        return _rows.WriteAsync(Set(reader), [RowWrite.Upsert(RevokedKey, Guid.NewGuid().ToByteArray())]);
    }

    /// <summary>
    /// How much longer a silo the cluster declared dead may still trust its caches: it learns it is
    /// dead at its next renewal, so at most one lease after this silo first saw it dead.
    /// </summary>
    public TimeSpan DeadSilosLeaseLeft(SiloAddress silo)
    {
        var seen = _seenDead.GetOrAdd(silo, _ => Stopwatch.GetTimestamp());
        var left = _options.WaitOut - Stopwatch.GetElapsedTime(seen);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ReadLease), ServiceLifecycleStage.Active, started =>
        {
            if (_options.Enabled)
            {
                _ = Task.Run(RenewLoopAsync);
                _ = Task.Run(FollowMembershipAsync);
            }

            return Task.CompletedTask;
        });

    private void Lapse()
    {
        lock (_lock)
        {
            if (_renewed && !_lapsed)
            {
                _lapsed = true;
                _metrics.LeaseEvent("lapsed");
                LogLapsed(_logger);
            }
        }
    }

    private async Task RenewLoopAsync()
    {
        var self = _local.SiloAddress;
        while (!_stop.IsCancellationRequested)
        {
            var began = Stopwatch.GetTimestamp();
            try
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                bounded.CancelAfter(_options.Duration);
                var row = _rows.GetAsync(Set(self), RevokedKey).WaitAsync(bounded.Token);
                var entry = await _table.ReadRowAsync(self, bounded.Token);
                var revocation = (await row) is { } r ? Convert.ToHexString(r.Value) : null;
                var status = entry.Members.Select(m => m.Item1).FirstOrDefault(m => m.SiloAddress.Equals(self))?.Status ?? SiloStatus.None;
                Renewed(began, status, revocation);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Not renewed: the lease runs out by itself.
                LogRenewFailed(_logger, e);
            }

            var wait = _options.RenewEvery - Stopwatch.GetElapsedTime(began);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Renewed(long began, SiloStatus status, string? revocation)
    {
        lock (_lock)
        {
            if (_condemned)
            {
                return;
            }

            if (status is not (SiloStatus.Active or SiloStatus.Joining or SiloStatus.ShuttingDown or SiloStatus.Stopping))
            {
                // Declared dead (or gone from the table): nothing cached is trusted again; the runtime stops this silo.
                Volatile.Write(ref _condemned, true);
                Volatile.Write(ref _until, 0);
                LogCondemned(_logger, status.ToString());
                return;
            }

            var lapsed = _lapsed || (_renewed && Volatile.Read(ref _until) <= Stopwatch.GetTimestamp());
            var revoked = revocation is not null && revocation != _lastRevocation;
            if (revoked)
            {
                _metrics.LeaseEvent("revoked");
            }

            if (lapsed || revoked)
            {
                // A change may have been acknowledged without reaching this silo.
                DropCaches(revoked ? "its read lease was revoked" : "its read lease had lapsed");
            }

            _lastRevocation = revocation;
            _lapsed = false;
            _renewed = true;
            Volatile.Write(ref _until, Math.Max(Volatile.Read(ref _until), began + _duration));
        }
    }

    /// <summary>Notes when peers were first seen dead, and drops the caches when one died without leaving gracefully.</summary>
    private async Task FollowMembershipAsync()
    {
        var known = new HashSet<SiloAddress>();
        var leaving = new HashSet<SiloAddress>();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var snapshot = _membership.CurrentSnapshot;
                foreach (var (silo, member) in snapshot.Members)
                {
                    if (member.Status is SiloStatus.ShuttingDown or SiloStatus.Stopping)
                    {
                        leaving.Add(silo);
                    }
                    else if (member.Status == SiloStatus.Active)
                    {
                        known.Add(silo);
                    }
                    else if (member.Status == SiloStatus.Dead)
                    {
                        _seenDead.TryAdd(silo, Stopwatch.GetTimestamp());
                        if (known.Remove(silo) && !leaving.Contains(silo) && !silo.Equals(_local.SiloAddress))
                        {
                            DropCaches($"silo {silo} died without leaving");
                        }
                    }
                }

                await Task.Delay(_options.RenewEvery, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFollowFailed(_logger, e);
                await Task.Delay(_options.RenewEvery);
            }
        }
    }

    private void DropCaches(string reason)
    {
        _users.InvalidateAll();
        _closures.InvalidateAll();
        LogDropped(_logger, reason);
    }

    public void Dispose() => _stop.Cancel();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Read lease ran out (storage did not answer in time): sign-in reads go to the grains until it is renewed")]
    private static partial void LogLapsed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Caches dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The membership table lists this silo as {Status}: its caches are never trusted again")]
    private static partial void LogCondemned(ILogger logger, string status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Read lease renewal failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Following the cluster's membership for read leases failed; retrying")]
    private static partial void LogFollowFailed(ILogger logger, Exception exception);
}
