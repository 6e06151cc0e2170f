using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Grains.Common;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// The "member of" updates a group owes its members: the derived direction of the relation, brought
/// up to date before a change of members is acknowledged. Each change stores what it owes in an owed
/// row of its own, in the same atomic write as the members themselves (<see cref="GroupMemberRows"/>);
/// this class delivers those updates — in order for each member, concurrently across members — and,
/// when a delivery fails, keeps retrying on a timer, so the two directions converge even if no
/// further call arrives. Every update is idempotent, so replaying one that had landed is harmless.
/// A bulk import's changes are handed over instead (<see cref="HandOver"/>): the import has the
/// members apply them in bulk and confirms. Once everything is delivered and the group has been idle
/// a while, the owed rows are cleared so that a later activation has nothing to replay. Only from
/// the group's calls that do not interleave, except <see cref="OwesAsync"/>.
/// </summary>
/// <remarks>
/// Owed rows read back from storage are what an earlier activation left: changes whose rows are
/// stored but which were never acknowledged (or whose rows were not cleared yet). Before anything is
/// done with them, the group appends their changes' notice to its change feed again
/// (<paramref name="noticeAgain"/>), since the first one may never have been written; then it
/// delivers them in key order, which is the changes' order, so each member ends as its last change says.
/// </remarks>
public sealed partial class MemberOfOutbox(
    IGrainBase group, string groupId, GroupMemberRows rows, Func<ObjectRef, IPrincipalGrain> member, Func<DateTimeOffset> now,
    Func<IReadOnlyList<ObjectRef>, Task> noticeAgain, ILogger logger)
{
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);

    /// <summary>How many members a delivery updates at once.</summary>
    private const int MembersAtOnce = 256;

    /// <summary>
    /// How many member updates all deliveries of this process (one silo) have in flight at once:
    /// when storage stalls, thousands of groups may be delivering at the same time (each change
    /// that failed leaves its group to deliver what it owes), and unbounded they filled the silo's
    /// memory with waiting calls until it stopped (an on-disk scale-1 import, "Out of memory.").
    /// </summary>
    private static readonly SemaphoreSlim InFlight = new(4 * MembersAtOnce);

    /// <summary>Over how long after activation the first replay of owed updates is spread.</summary>
    private static readonly TimeSpan FirstReplaySpread = TimeSpan.FromSeconds(60);

    /// <summary>How long a group must be idle before the rows of applied updates are cleared.</summary>
    private static readonly TimeSpan ClearOwedAfter = TimeSpan.FromSeconds(30);

    /// <summary>How long an import may take to deliver updates handed over to it before the group delivers them itself.</summary>
    /// <remarks>Well above how long an import holds updates (<c>MembershipImports.FlushAfter</c>): it is the safety net, not the path.</remarks>
    private static readonly TimeSpan HandoverTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Owed updates, one parcel per stored change, in the changes' order; null until the owed rows are read (once per activation).</summary>
    private List<Parcel>? _pending;

    /// <summary>Per member, its last owed update and the parcel's handover; built on demand, dropped when the parcels change.</summary>
    private Dictionary<string, (bool Added, long Handover)>? _last;

    /// <summary>The owed rows storage may hold (owed or already delivered), in key order.</summary>
    private readonly SortedSet<string> _stored = new(StringComparer.Ordinal);

    /// <summary>The number of the next change's owed row: above every row read or written by this activation.</summary>
    private long _nextRow = 1;

    /// <summary>When this activation last stored a change of members (the owed rows are cleared only once idle).</summary>
    private DateTimeOffset _lastChange;

    private long _handovers;

    /// <summary>
    /// The read of the owed rows, one at a time: a flush of an import asks a group thousands of
    /// <see cref="OwesAsync"/> questions at once, and each used to read the rows (and append their
    /// notices again) by itself, so a group that owed 90,000 updates answered none within its time.
    /// </summary>
    private readonly SharedRead<List<(string Row, List<MemberOfChange> Changes)>> _owedRead = new();

    private IGrainTimer? _retry;
    private IGrainTimer? _clear;

    /// <summary>
    /// Schedules the replay of what an earlier activation may have left owed: updates of changes that
    /// were never acknowledged (their caller saw an error or went away). Nothing acknowledged waits on
    /// them — every acknowledged change was delivered first — so the replay runs within a minute,
    /// spread so that the groups a restarted silo activates together do not all read their owed rows
    /// at once while first sign-ins wait on storage. Any change or listing replays first anyway.
    /// </summary>
    public void Activated()
    {
        var due = RetryPeriod + (FirstReplaySpread * Random.Shared.NextDouble());
        _retry = group.RegisterGrainTimer(_ => DeliverAsync(rethrow: false), new GrainTimerCreationOptions(due, RetryPeriod));
    }

    /// <summary>A new group owes nothing.</summary>
    public void Created() => _pending = [];

    /// <summary>
    /// The key of the owed row the next change stores with its members. Each change has its own, so
    /// that updates handed over to an import stay stored while later changes are made; after a crash
    /// the rows are replayed in key order, which is the changes' order.
    /// </summary>
    public string NextRow() => MemberRows.OwedRow(_nextRow++);

    /// <summary>Notes what a stored change owes (its owed row is stored with it), then delivers everything owed.</summary>
    public async Task OweAndDeliverAsync(string row, IReadOnlyList<MemberOfChange> owed)
    {
        Owe(new Parcel(row, owed.ToList(), Handover: 0, Importer: null));
        await DeliverAsync(rethrow: true);
    }

    /// <summary>The number under which one call of an import hands over its changes' updates (<see cref="HandOver"/>).</summary>
    public long NewHandover() => ++_handovers;

    /// <summary>
    /// Notes what a stored change owes and hands its delivery over to the bulk import that made it
    /// (<paramref name="importer"/>), under <paramref name="handover"/>: the import has each member
    /// apply, in one write, the joinings its groups still owe it — each member asks the group first
    /// (<see cref="OwesAsync"/>), inside its own turn — and then confirms (<see cref="Delivered"/>).
    /// Until then nothing changes for the group: the updates stay owed and stored, its next change or
    /// listing (or a call of another import) delivers them first, a later activation replays them,
    /// and if the import has not confirmed within <see cref="HandoverTimeout"/> a timer delivers them.
    /// An import's own later calls leave its handovers alone: they only add members that are not in.
    /// </summary>
    public void HandOver(string row, IReadOnlyList<MemberOfChange> owed, long handover, string importer)
    {
        Owe(new Parcel(row, owed.ToList(), handover, importer));
        _retry ??= group.RegisterGrainTimer(_ => DeliverAsync(rethrow: false), new GrainTimerCreationOptions(HandoverTimeout, RetryPeriod));
    }

    private void Owe(Parcel parcel)
    {
        _lastChange = now();
        _stored.Add(parcel.Row);
        _pending!.Add(parcel);
        _last = null;
    }

    /// <summary>
    /// Whether the group still owes the member its joining, and under which handover (0: owed by a
    /// change the group delivers itself); null when it owes none — delivered already, or the member
    /// left since. Answers between the group's own steps: a member asks while it applies the update.
    /// </summary>
    public async Task<long?> OwesAsync(string memberId)
    {
        await LoadAsync();
        _last ??= LastPerMember(_pending!);
        return _last.TryGetValue(memberId, out var last) && last.Added ? last.Handover : null;
    }

    private static Dictionary<string, (bool Added, long Handover)> LastPerMember(List<Parcel> parcels)
    {
        var last = new Dictionary<string, (bool, long)>(StringComparer.Ordinal);
        foreach (var parcel in parcels)
        {
            foreach (var change in parcel.Changes)
            {
                last[change.Member.Id] = (change.Added, parcel.Handover);
            }
        }

        return last;
    }

    /// <summary>The members that applied the joinings of these handovers: they are owed nothing more by them. Handovers the group delivered itself since are ignored.</summary>
    public void Delivered(IReadOnlyCollection<long> handovers, IReadOnlyCollection<string> memberIds)
    {
        if (_pending is null)
        {
            return;
        }

        var applied = memberIds.ToHashSet(StringComparer.Ordinal);
        foreach (var parcel in _pending.Where(p => p.Handover != 0 && handovers.Contains(p.Handover)))
        {
            parcel.Changes.RemoveAll(c => c.Added && applied.Contains(c.Member.Id));
        }

        _pending.RemoveAll(p => p.Changes.Count == 0);
        _last = null;
        if (_pending.Count == 0)
        {
            _retry?.Dispose();
            _retry = null;
            _clear ??= ClearIn(ClearOwedAfter);
        }
    }

    /// <summary>Delivers everything owed, reading the owed rows first if this activation has not.</summary>
    public Task DeliverAsync(bool rethrow) => DeliverAsync(_ => true, rethrow);

    /// <summary>
    /// Before a change by <paramref name="importer"/>: delivers everything owed except what was handed
    /// over to that import. Per member the order holds: what the import holds are joinings of members
    /// that were not in, and any change since that removed one would have delivered them all first.
    /// </summary>
    public Task DeliverAllButAsync(string importer) => DeliverAsync(p => p.Importer != importer, rethrow: true);

    private async Task DeliverAsync(Func<Parcel, bool> which, bool rethrow)
    {
        try
        {
            await LoadAsync();
            var batch = _pending!.Where(which).ToList();
            if (batch.Count > 0)
            {
                // A bounded number of members at once, and none started after one failed: a group of
                // 100,000 owing them all (an import's handover it delivers itself) must not put 100,000
                // calls in flight, nor start them all again every retry while storage is stalled.
                var options = new ParallelOptions { MaxDegreeOfParallelism = MembersAtOnce, TaskScheduler = TaskScheduler.Current };
                await Parallel.ForEachAsync(batch.SelectMany(p => p.Changes).GroupBy(c => c.Member.Id), options, async (changes, cancellation) =>
                {
                    await InFlight.WaitAsync(cancellation);
                    try
                    {
                        foreach (var change in changes)
                        {
                            var principal = member(change.Member);
                            await (change.Added ? principal.AddMemberOfAsync(groupId) : principal.RemoveMemberOfAsync(groupId));
                        }
                    }
                    finally
                    {
                        InFlight.Release();
                    }
                });
                var delivered = batch.ToHashSet();
                _pending!.RemoveAll(delivered.Contains);
                _last = null;
            }
        }
        catch (Exception e)
        {
            LogDeliveryFailed(logger, e, groupId, _pending?.Sum(p => p.Changes.Count) ?? 0);
            _retry ??= group.RegisterGrainTimer(_ => DeliverAsync(rethrow: false), new GrainTimerCreationOptions(RetryPeriod, RetryPeriod));
            if (rethrow)
            {
                throw;
            }

            return;
        }

        if (_pending!.Count > 0)
        {
            // Handovers remain: their timer stays.
            return;
        }

        _retry?.Dispose();
        _retry = null;
        if (_stored.Count > 0)
        {
            _clear ??= ClearIn(ClearOwedAfter);
        }
    }

    /// <summary>
    /// After a change of members that failed once its rows may have been stored (their write's
    /// outcome is unknown, or its notice to the change feed failed): what is owed is whatever the
    /// owed rows now hold. They are read back before the next delivery — the group's next call, or
    /// the retry timer — which appends the changes' notices again and delivers them, and they are
    /// never cleared unread. Handovers are void: the group delivers everything itself.
    /// </summary>
    public void Unsure()
    {
        _lastChange = now();
        _pending = null;
        _last = null;
        _owedRead.Invalidate();
        _retry ??= group.RegisterGrainTimer(_ => DeliverAsync(rethrow: false), new GrainTimerCreationOptions(RetryPeriod, RetryPeriod));
    }

    /// <summary>Takes the owed rows as read: each a parcel the group delivers itself.</summary>
    private void Replace(List<(string Row, List<MemberOfChange> Changes)> owed)
    {
        _pending = [.. owed.Where(o => o.Changes.Count > 0).Select(o => new Parcel(o.Row, o.Changes, Handover: 0, Importer: null))];
        _last = null;
        _stored.Clear();
        _stored.UnionWith(owed.Select(o => o.Row));
        _nextRow = Math.Max(_nextRow, owed.Select(o => MemberRows.OwedNumber(o.Row) + 1).DefaultIfEmpty(1).Max());
    }

    /// <summary>Reads the owed rows unless this activation holds them: one read at a time, whoever asks meanwhile waits for it.</summary>
    private async Task LoadAsync()
    {
        while (_pending is null)
        {
            var (owed, current) = await _owedRead.ReadAsync(ReadOwedAsync);
            if (current && _pending is null)
            {
                Replace(owed);
            }
        }
    }

    /// <summary>The owed rows an earlier activation left, their changes' notices appended again first.</summary>
    private async Task<List<(string Row, List<MemberOfChange> Changes)>> ReadOwedAsync()
    {
        var owed = await rows.ReadOwedAsync();
        if (owed.Any(o => o.Changes.Count > 0))
        {
            await noticeAgain([.. owed.SelectMany(o => o.Changes).Select(c => c.Member).DistinctBy(m => m.Id)]);
        }

        return owed;
    }

    /// <summary>
    /// Most updates delivered on the way out. More would outlast the runtime's deactivation timeout
    /// (30 s) — a group holding an import's handover of 90,000 members was cut off after 30 s —
    /// while every call to the group waits for the next activation, which replays the owed rows anyway.
    /// </summary>
    private const int MostDeliveredOnDeactivation = 4 * MembersAtOnce;

    /// <summary>
    /// Before the activation goes away: delivers what is still owed, if it is at most
    /// <see cref="MostDeliveredOnDeactivation"/> updates (more are left to the next activation) — handovers an import has not
    /// confirmed yet (a group can be collected before <see cref="HandoverTimeout"/>), or a
    /// delivery still being retried — so that the members' side does not wait for a later activation,
    /// then clears the owed rows if nothing is owed. A delivery that fails leaves the rows to the next one.
    /// </summary>
    /// <returns>Whether updates are left owed (or owed rows unread since a write of unknown outcome) for the next activation to deliver.</returns>
    public async Task<bool> DeactivatingAsync()
    {
        if (_pending is { Count: > 0 } && _pending.Sum(p => p.Changes.Count) <= MostDeliveredOnDeactivation)
        {
            await DeliverAsync(rethrow: false);
        }

        await ClearAsync(onlyIfIdle: false);
        return _pending is { Count: > 0 } || (_pending is null && _owedRead.EverInvalidated);
    }

    /// <summary>
    /// Clears the owed rows once all is delivered (on deactivation, or after the group has been
    /// idle), oldest first, so that whatever a failure leaves is the latest changes, replayed in order.
    /// </summary>
    public async Task ClearAsync(bool onlyIfIdle)
    {
        _clear?.Dispose();
        _clear = null;
        if (_stored.Count == 0 || _pending is not { Count: 0 })
        {
            return;
        }

        var idle = now() - _lastChange;
        if (onlyIfIdle && idle < ClearOwedAfter)
        {
            // Still busy: clear once idle.
            _clear = ClearIn(ClearOwedAfter - idle);
            return;
        }

        try
        {
            foreach (var chunk in _stored.ToList().Chunk(GroupMemberRows.MaxDeletesPerWrite))
            {
                await rows.DeleteOwedAsync(chunk);
                _stored.ExceptWith(chunk);
            }
        }
        catch (Exception e)
        {
            // Best effort: rows left behind are replayed harmlessly.
            LogClearFailed(logger, e, groupId);
        }
    }

    private IGrainTimer ClearIn(TimeSpan delay) =>
        group.RegisterGrainTimer(_ => ClearAsync(onlyIfIdle: true), new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));

    /// <summary>What one stored change owes: its row, its updates still owed, and who delivers them (handover 0: the group itself).</summary>
    private sealed class Parcel(string row, List<MemberOfChange> changes, long Handover, string? Importer)
    {
        public string Row { get; } = row;

        public List<MemberOfChange> Changes { get; } = changes;

        public long Handover { get; } = Handover;

        public string? Importer { get; } = Importer;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId} could not deliver {Count} member-of updates; retrying")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string groupId, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Group {GroupId} could not clear its delivered member-of updates; a later activation replays them")]
    private static partial void LogClearFailed(ILogger logger, Exception exception, string groupId);
}
