using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DirectoryService.Grains.Membership;

/// <summary>
/// The metrics that explain the sign-in path (meter <see cref="MeterName"/>): how often a silo's
/// caches answered, how long sign-ins took by path (warm: answered from the caches; cold: grains or
/// storage were asked), and how long a change took to drop every cached copy it invalidates.
/// </summary>
public sealed class SignInMetrics
{
    public const string MeterName = "DirectoryService.SignIn";

    private readonly Counter<long> _userLookups;
    private readonly Counter<long> _closureLookups;
    private readonly Histogram<double> _signIns;
    private readonly Histogram<double> _invalidations;
    private readonly Counter<long> _leaseEvents;

    public SignInMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _userLookups = meter.CreateCounter<long>("directory.signin.user_cache.lookups", description: "User lookups of sign-in reads, by result (hit: answered from this silo's user cache)");
        _closureLookups = meter.CreateCounter<long>("directory.signin.closure_cache.lookups", description: "Closure lookups of a principal's direct groups, by result (hit: cached on this silo)");
        _signIns = meter.CreateHistogram<double>("directory.signin.duration", unit: "ms", description: "ResolveSignIn on this silo, by path (warm: from the caches alone; cold: grains were asked)");
        _leaseEvents = meter.CreateCounter<long>("directory.read_lease.events", description: "Read-lease events on this silo, by kind (lapsed: caches not trusted until renewed; revoked: a change gave up reaching this silo; revoking: a change on this silo revoked another's lease)");
        _invalidations = meter.CreateHistogram<double>("directory.cache.invalidation.duration", unit: "ms", description: "From a stored change to every cached copy it invalidates dropped, by scope (tenant: group closures; user)");
    }

    public void UserLookup(bool hit) => _userLookups.Add(1, Result(hit));

    public void ClosureLookup(bool hit) => _closureLookups.Add(1, Result(hit));

    public void SignIn(bool warm, long startedAt) =>
        _signIns.Record(Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds, new KeyValuePair<string, object?>("path", warm ? "warm" : "cold"));

    public void Invalidation(string scope, long startedAt) =>
        _invalidations.Record(Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds, new KeyValuePair<string, object?>("scope", scope));

    public void LeaseEvent(string kind) => _leaseEvents.Add(1, new KeyValuePair<string, object?>("kind", kind));

    private static KeyValuePair<string, object?> Result(bool hit) => new("result", hit ? "hit" : "miss");
}
