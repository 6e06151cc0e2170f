using System.Collections.Concurrent;

namespace DirectoryService.Gateway.Tests.Infrastructure;

/// <summary>
/// Counts grain calls the silo receives, in all and by grain type, so tests can show a refused
/// request touched no grain, or a warm read touched no group.
/// </summary>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, long> _byType = new(StringComparer.Ordinal);
    private long _calls;

    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Calls to grains of the type (e.g. <c>group</c>, <c>user</c>).</summary>
    public long CallsTo(string grainType) => _byType.GetValueOrDefault(grainType);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceName.StartsWith("DirectoryService", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _calls);
            _byType.AddOrUpdate(context.TargetId.Type.ToString()!, 1, (_, n) => n + 1);
        }

        return context.Invoke();
    }
}
