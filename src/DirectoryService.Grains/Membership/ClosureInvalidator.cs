using DirectoryService.Abstractions.Membership;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Services;

namespace DirectoryService.Grains.Membership;

/// <summary>Holds this silo's <see cref="ClosureCache"/> and drops a tenant's entries when told to.</summary>
public sealed class ClosureCacheService(GrainId grainId, Silo silo, ILoggerFactory loggerFactory, ClosureCache cache)
    : GrainService(grainId, silo, loggerFactory), IClosureCacheService
{
    public Task InvalidateAsync(string tenantId)
    {
        cache.Invalidate(tenantId);
        return Task.CompletedTask;
    }
}

/// <summary>Tells every silo's closure cache that a group of the tenant changed.</summary>
public interface IClosureInvalidator
{
    /// <summary>Returns once every silo that may serve requests has dropped the tenant's cached closures.</summary>
    Task InvalidateEverywhereAsync(string tenantId);
}

/// <summary>
/// Calls the <see cref="ClosureCacheService"/> of every silo not known dead, and again of any that
/// joined meanwhile. A silo that cannot be reached is retried until it answers or the cluster
/// declares it dead (a dead silo serves no requests): the change is not acknowledged before then.
/// </summary>
public sealed partial class ClosureInvalidator(IServiceProvider services, IClusterMembershipService membership, ILogger<ClosureInvalidator> logger)
    : GrainServiceClient<IClosureCacheService>(services), IClosureInvalidator
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    public async Task InvalidateEverywhereAsync(string tenantId)
    {
        var done = new HashSet<SiloAddress>();
        while (true)
        {
            var pending = membership.CurrentSnapshot.Members.Values
                .Where(m => m.Status != SiloStatus.Dead && !done.Contains(m.SiloAddress))
                .Select(m => m.SiloAddress)
                .ToList();
            if (pending.Count == 0)
            {
                return;
            }

            var reached = await Task.WhenAll(pending.Select(async silo =>
            {
                try
                {
                    await GetGrainService(silo).InvalidateAsync(tenantId);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closure cache of silo {Silo} not reached; retrying until it answers or is declared dead")]
    private static partial void LogUnreached(ILogger logger, Exception exception, SiloAddress silo);
}
