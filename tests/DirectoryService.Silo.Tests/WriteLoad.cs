using System.Collections.Concurrent;
using System.Diagnostics;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// Concurrent writers creating users and adding each to one group, spread over the silos a load
/// balancer would currently route to. Records what was acknowledged and when calls failed.
/// </summary>
public sealed class WriteLoad(string tenantId, string domain, string groupId)
{
    private readonly ConcurrentBag<string> _users = [];
    private readonly ConcurrentBag<string> _memberships = [];
    private readonly ConcurrentBag<string> _removed = [];
    private readonly ConcurrentQueue<(TimeSpan Started, TimeSpan Acknowledged)> _membershipTimes = [];
    private readonly ConcurrentQueue<(TimeSpan At, string Error)> _failures = [];
    private readonly ConcurrentQueue<(TimeSpan Started, TimeSpan Ended, bool Ok)> _callTimes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private volatile DirectoryClient[] _targets = [];
    private int _sequence;
    private int _calls;

    public string TenantId => tenantId;

    public IReadOnlyCollection<string> AcknowledgedUsers => _users;

    public IReadOnlyCollection<string> AcknowledgedMemberships => _memberships;

    /// <summary>Users whose membership was removed again, acknowledged.</summary>
    public IReadOnlyCollection<string> AcknowledgedRemovals => _removed;

    public IReadOnlyCollection<(TimeSpan At, string Error)> Failures => _failures;

    public int Calls => _calls;

    /// <summary>Whether each writer also updates the user it added (with its etag as the precondition), then removes it from the group again every tenth time.</summary>
    public bool UpdatesAndRemoves { get; init; }

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Routes new calls to these silos only (what a health-checking load balancer does).</summary>
    public void RouteTo(IEnumerable<DirectoryClient> targets) => _targets = [.. targets];

    public Task RunAsync(int writers, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(() => WriterAsync(stop))));

    /// <summary>The longest time a membership write that was in flight at or started after <paramref name="since"/> took to be acknowledged.</summary>
    public TimeSpan LongestWriteSince(TimeSpan since) =>
        _membershipTimes.Where(t => t.Acknowledged >= since).Select(t => t.Acknowledged - t.Started).DefaultIfEmpty(TimeSpan.Zero).Max();

    /// <summary>
    /// How long callers stalled after <paramref name="since"/> (a kill): the longest any call waited
    /// after it (a call in flight then counts from then), or, if calls kept failing, until the last
    /// failure — whichever is longer.
    /// </summary>
    public TimeSpan StalledAfter(TimeSpan since)
    {
        var calls = _callTimes.Where(c => c.Ended >= since).ToList();
        var longest = calls.Select(c => c.Ended - (c.Started > since ? c.Started : since)).DefaultIfEmpty(TimeSpan.Zero).Max();
        var failing = calls.Where(c => !c.Ok).Select(c => c.Ended - since).DefaultIfEmpty(TimeSpan.Zero).Max();
        return longest > failing ? longest : failing;
    }

    /// <summary>Calls made after <paramref name="since"/> that failed.</summary>
    public int FailuresSince(TimeSpan since) => _failures.Count(f => f.At >= since);

    private async Task WriterAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var n = Interlocked.Increment(ref _sequence);
            var targets = _targets;
            var target = targets[n % targets.Length];
            var user = await TryAsync(async () => await target.Users.CreateUserAsync(
                new CreateUserRequest { User = new User { UserPrincipalName = $"load{n}@{domain}", DisplayName = "Load " + n } },
                deadline: DateTime.UtcNow.AddSeconds(15)));
            if (user is null)
            {
                continue;
            }

            _users.Add(user.Id);
            targets = _targets;
            var adder = targets[(n + 1) % targets.Length];
            var started = _clock.Elapsed;
            var added = await TryAsync(async () => await adder.Members.AddMembersAsync(
                new AddMembersRequest { GroupId = groupId, Members = { new DirectoryObjectRef { Id = user.Id, Type = ObjectType.User } } },
                deadline: DateTime.UtcNow.AddSeconds(15)));
            if (added is not null)
            {
                _memberships.Add(user.Id);
                _membershipTimes.Enqueue((started, _clock.Elapsed));
            }

            if (UpdatesAndRemoves && added is not null)
            {
                targets = _targets;
                var updater = targets[(n + 2) % targets.Length];
                await TryAsync(async () => await updater.Users.UpdateUserAsync(
                    new UpdateUserRequest { User = new User { Id = user.Id, Etag = user.Etag, Department = "d" + n }, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "department" } } },
                    deadline: DateTime.UtcNow.AddSeconds(15)));
                if (n % 10 == 0 && await TryAsync(async () => await updater.Members.RemoveMemberAsync(
                    new RemoveMemberRequest { GroupId = groupId, Member = new DirectoryObjectRef { Id = user.Id, Type = ObjectType.User } },
                    deadline: DateTime.UtcNow.AddSeconds(15))) is not null)
                {
                    _removed.Add(user.Id);
                }
            }
        }
    }

    private async Task<T?> TryAsync<T>(Func<Task<T>> call) where T : class
    {
        Interlocked.Increment(ref _calls);
        var started = _clock.Elapsed;
        try
        {
            var result = await call();
            _callTimes.Enqueue((started, _clock.Elapsed, true));
            return result;
        }
        catch (RpcException e)
        {
            _callTimes.Enqueue((started, _clock.Elapsed, false));
            _failures.Enqueue((_clock.Elapsed, $"{e.StatusCode}: {e.Status.Detail}"));
            return null;
        }
    }

    public override string ToString() => $"tenant {tenantId}: {_calls} calls, {_users.Count} users and {_memberships.Count} memberships acknowledged, {_failures.Count} failures";
}
