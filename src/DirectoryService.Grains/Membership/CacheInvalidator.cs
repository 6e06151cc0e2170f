using DirectoryService.Abstractions.Membership;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Services;

namespace DirectoryService.Grains.Membership;

/// <summary>Holds this silo's membership caches and drops entries when a change elsewhere says so.</summary>
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
/// Calls the <see cref="MembershipCacheService"/> of the target silos: every silo not known dead
/// (and again any that joined meanwhile), or the given readers. A silo that cannot be reached is
/// retried until it answers or the cluster declares it dead (a dead silo serves no requests): the
/// change is not acknowledged before then.
/// </summary>
public sealed partial class CacheInvalidator(IServiceProvider services, IClusterMembershipService membership, SignInMetrics metrics, ILogger<CacheInvalidator> logger)
    : GrainServiceClient<IMembershipCacheService>(services), ICacheInvalidator
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

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
            var pending = targets
                .Where(s => !done.Contains(s) && !(snapshot.Members.TryGetValue(s, out var m) && m.Status == SiloStatus.Dead))
                .ToList();
            if (pending.Count == 0)
            {
                return;
            }

            var reached = await Task.WhenAll(pending.Select(async silo =>
            {
                try
                {
                    await call(GetGrainService(silo));
                    return true;
                }
                catch (Exception e)
                {
                    LogUnreached(logger, e, silo);
                    return false;
                }
            }));
            done.UnionWith(pending.Where((_, i) => reached[i]));
            if (reached.Contains(false))
            {
                await Task.Delay(RetryDelay);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Membership cache of silo {Silo} not reached; retrying until it answers or is declared dead")]
    private static partial void LogUnreached(ILogger logger, Exception exception, SiloAddress silo);
}
