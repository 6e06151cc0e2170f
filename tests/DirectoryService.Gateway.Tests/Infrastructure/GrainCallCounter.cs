namespace DirectoryService.Gateway.Tests.Infrastructure;

/// <summary>Counts grain calls the silo receives, so tests can show a refused request touched no grain.</summary>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private long _calls;

    public long Calls => Interlocked.Read(ref _calls);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceName.StartsWith("DirectoryService", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _calls);
        }

        return context.Invoke();
    }
}
