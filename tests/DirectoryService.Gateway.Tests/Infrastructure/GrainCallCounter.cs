using System.Collections.Concurrent;

namespace DirectoryService.Gateway.Tests.Infrastructure;

/// <summary>
/// Counts grain calls the silo receives, in all and by grain type, so tests can show a refused
/// request touched no grain, or a warm read touched no group; how many calls of a method were
/// in flight at once; and which grains a watched method was called on. Fails chosen calls on demand
/// (<see cref="FailNext"/>), as a call that timed out would.
/// </summary>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, long> _byType = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<GrainId>> _watched = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Failures> _failing = new(StringComparer.Ordinal);
    private long _calls;

    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Calls to grains of the type (e.g. <c>group</c>, <c>user</c>).</summary>
    public long CallsTo(string grainType) => _byType.GetValueOrDefault(grainType);

    /// <summary>The most calls of the method (by name, e.g. <c>AddMemberOfAsync</c>) in flight at once since <see cref="ResetInFlight"/>.</summary>
    public int MostInFlight(string method) => _inFlight.TryGetValue(method, out var flight) ? flight.Most : 0;

    public void ResetInFlight(string method) => _inFlight.TryRemove(method, out _);

    /// <summary>From now on, notes the grain each call of the method (by name) goes to, for <see cref="TargetsOf"/>.</summary>
    public void Watch(string method) => _watched[method] = new ConcurrentQueue<GrainId>();

    /// <summary>The grains the watched method was called on since <see cref="Watch"/>, one entry per call.</summary>
    public IReadOnlyList<GrainId> TargetsOf(string method) => _watched.TryGetValue(method, out var calls) ? [.. calls] : [];

    /// <summary>Fails the next <paramref name="count"/> calls of the method (by name) with what <paramref name="failure"/> makes, before they run.</summary>
    public void FailNext(string method, int count, Func<Exception> failure) => _failing[method] = new Failures(count, failure);

    /// <summary>How many of the calls <see cref="FailNext"/> asked to fail have not come yet.</summary>
    public int FailuresLeft(string method) => _failing.TryGetValue(method, out var failures) ? Math.Max(0, Volatile.Read(ref failures.Left)) : 0;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!context.InterfaceName.StartsWith("DirectoryService", StringComparison.Ordinal))
        {
            await context.Invoke();
            return;
        }

        Interlocked.Increment(ref _calls);
        _byType.AddOrUpdate(context.TargetId.Type.ToString()!, 1, (_, n) => n + 1);
        var method = context.InterfaceMethod?.Name ?? "";
        if (_watched.TryGetValue(method, out var targets))
        {
            targets.Enqueue(context.TargetId);
        }

        if (_failing.TryGetValue(method, out var failing) && Interlocked.Decrement(ref failing.Left) >= 0)
        {
            throw failing.Make();
        }

        var flight = _inFlight.GetOrAdd(method, _ => new InFlight());
        flight.Enter();
        try
        {
            await context.Invoke();
        }
        finally
        {
            flight.Leave();
        }
    }

    private sealed class InFlight
    {
        private int _now;
        private int _most;

        public int Most => Volatile.Read(ref _most);

        public void Enter()
        {
            var now = Interlocked.Increment(ref _now);
            for (var most = Most; now > most && Interlocked.CompareExchange(ref _most, now, most) != most; most = Most)
            {
            }
        }

        public void Leave() => Interlocked.Decrement(ref _now);
    }

    private sealed class Failures(int count, Func<Exception> make)
    {
        public int Left = count;

        public Exception Make() => make();
    }
}
