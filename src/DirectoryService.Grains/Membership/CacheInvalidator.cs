using System.Collections.Concurrent;
using DirectoryService.Abstractions.Membership;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Runtime.Services;

namespace DirectoryService.Grains.Membership;

/// <summary>Holds this silo's membership caches, drops entries when a change elsewhere says so.</summary>
public sealed class MembershipCacheService(GrainId grainId, Silo silo, ILoggerFactory loggerFactory, ClosureCache closures, UserCache users)
    : GrainService(grainId, silo, loggerFactory), IMembershipCacheService
{
    public Task InvalidateTenantAsync(string tenantId)
    {
        closures.Invalidate(tenantId);
        return Task.CompletedTask;
    }

    public Task InvalidateUserAsync(string tenantId, string userId)
    {
        users.Invalidate(tenantId, userId);
        return Task.CompletedTask;
    }
}

/// <summary>Tells the silos' membership caches that something they may hold changed.</summary>
public interface ICacheInvalidator
{
    /// <summary>Returns once every silo that may serve requests has dropped the tenant's cached closures.</summary>
    Task InvalidateTenantAsync(string tenantId);

    /// <summary>
    /// Returns once each of <paramref name="readers"/> (every silo when null) has dropped what it
    /// cached of the user.
    /// </summary>
    Task InvalidateUserAsync(string tenantId, string userId, IReadOnlyCollection<SiloAddress>? readers);
}

/// <summary>
/// Calls the <see cref="MembershipCacheService"/> of the target silos: every silo the membership
/// lists (and again any that joined meanwhile), or the given readers. A silo that does not answer
/// within <see cref="ReadLeaseOptions.ReachTimeout"/> (at once, if it left the last change
/// unanswered too) has its read lease revoked, and the change waits
/// <see cref="ReadLeaseOptions.WaitOut"/> after that (<see cref="ReadLease"/>): from then on the
/// silo answers nothing from its caches until it has dropped them. A silo declared dead is skipped
/// once it has surely learned it is dead (one lease after this silo first saw it dead). With leases
/// off, or when the revocation cannot be stored, an unresponsive silo is retried until it answers or
/// the cluster declares it dead. The change is not acknowledged before then.
/// </summary>
public sealed partial class CacheInvalidator(
    IServiceProvider services, IClusterMembershipService membership, ReadLease lease, IOptions<ReadLeaseOptions> options, SignInMetrics metrics, ILogger<CacheInvalidator> logger)
    : GrainServiceClient<IMembershipCacheService>(services), ICacheInvalidator
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>Silos that left an invalidation unanswered past the reach timeout and have not answered one since.</summary>
    private readonly ConcurrentDictionary<SiloAddress, bool> _unresponsive = new();

    public async Task InvalidateTenantAsync(string tenantId)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await ReachAsync(readers: null, cache => cache.InvalidateTenantAsync(tenantId));
        metrics.Invalidation("tenant", started);
    }

    public async Task InvalidateUserAsync(string tenantId, string userId, IReadOnlyCollection<SiloAddress>? readers)
    {
        if (readers is { Count: 0 })
        {
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await ReachAsync(readers, cache => cache.InvalidateUserAsync(tenantId, userId));
        metrics.Invalidation("user", started);
    }

    private async Task ReachAsync(IReadOnlyCollection<SiloAddress>? readers, Func<IMembershipCacheService, Task> call)
    {
        var done = new HashSet<SiloAddress>();
        while (true)
        {
            var snapshot = membership.CurrentSnapshot;
            var targets = readers ?? [.. snapshot.Members.Keys];

            // A reader the snapshot does not know yet (it joined after our last refresh) is still tried.
            var pending = targets.Where(s => !done.Contains(s)).ToList();
            if (pending.Count == 0)
            {
                return;
            }

            await Task.WhenAll(pending.Select(silo => snapshot.GetSiloStatus(silo) == SiloStatus.Dead ? OutlastAsync(silo) : ReachOneAsync(silo, call)));
            done.UnionWith(pending);
        }
    }

    /// <summary>Returns once the silo dropped what it cached, or can no longer answer from it (its lease revoked and waited out, or it was declared dead).</summary>
    private async Task ReachOneAsync(SiloAddress silo, Func<IMembershipCacheService, Task> call)
    {
        var reached = UntilReachedAsync(silo, call);
        var settings = options.Value;
        if (!settings.Enabled || (!_unresponsive.ContainsKey(silo) && await Within(reached, settings.ReachTimeout)))
        {
            await reached;
            return;
        }

        _unresponsive[silo] = true;
        try
        {
            await lease.RevokeAsync(silo);
        }
        catch (Exception e)
        {
            LogRevokeFailed(logger, e, silo);
            await reached;
            return;
        }

        LogWaitingOut(logger, silo, settings.WaitOut.TotalSeconds);
        await Within(reached, settings.WaitOut);
    }

    /// <summary>A silo declared dead: waits until it has surely learned so, in case it is still running.</summary>
    private Task OutlastAsync(SiloAddress silo) =>
        options.Value.Enabled && lease.DeadSilosLeaseLeft(silo) is var left && left > TimeSpan.Zero ? Task.Delay(left) : Task.CompletedTask;

    /// <summary>Whether the task ended within the time (its timer is released as soon as it does).</summary>
    private static async Task<bool> Within(Task task, TimeSpan time)
    {
        try
        {
            await task.WaitAsync(time);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Calls the silo until it answers or the cluster declares it dead.</summary>
    private async Task UntilReachedAsync(SiloAddress silo, Func<IMembershipCacheService, Task> call)
    {
        while (membership.CurrentSnapshot.GetSiloStatus(silo) != SiloStatus.Dead)
        {
            try
            {
                await call(GetGrainService(silo));
                _unresponsive.TryRemove(silo, out _);
                return;
            }
            catch (Exception e)
            {
                LogUnreached(logger, e, silo);
                await Task.Delay(RetryDelay);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Membership cache of silo {Silo} not reached; retrying until it answers or is declared dead")]
    private static partial void LogUnreached(ILogger logger, Exception exception, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Membership cache of silo {Silo} not reached in time: its read lease is revoked, the change waits {Seconds:0.00} s for it to end")]
    private static partial void LogWaitingOut(ILogger logger, SiloAddress silo, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revoking the read lease of silo {Silo} failed; the change waits for it to answer or be declared dead")]
    private static partial void LogRevokeFailed(ILogger logger, Exception exception, SiloAddress silo);
}
