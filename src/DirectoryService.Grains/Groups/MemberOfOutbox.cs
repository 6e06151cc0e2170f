using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Grains.Common;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// The "member of" updates a group owes its members: the derived direction of the relation, brought
/// up to date before a change of members is acknowledged. Each change stores what it owes in the
/// group's owed row in the same atomic write as the members themselves (<see cref="GroupMemberRows"/>);
/// this class delivers those updates — in order for each member, concurrently across members — and,
/// when a delivery fails, keeps retrying on a timer, so the two directions converge even if no
/// further call arrives. Every update is idempotent, so replaying one that had landed is harmless.
/// Once everything is delivered and the group has been idle a while, the owed row is cleared so that
/// a later activation has nothing to replay. Only from the group's calls that do not interleave.
/// </summary>
/// <remarks>
/// An owed row read back from storage is what an earlier activation left: a change whose rows are
/// stored but which was never acknowledged. Before anything is done with it, the group appends the
/// change's notice to its change feed again (<paramref name="noticeAgain"/>), since the first one may
/// never have been written.
/// </remarks>
public sealed partial class MemberOfOutbox(
    IGrainBase group, string groupId, GroupMemberRows rows, Func<ObjectRef, IPrincipalGrain> member, Func<DateTimeOffset> now,
    Func<IReadOnlyList<ObjectRef>, Task> noticeAgain, ILogger logger)
{
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);

    /// <summary>Over how long after activation the first replay of owed updates is spread.</summary>
    private static readonly TimeSpan FirstReplaySpread = TimeSpan.FromSeconds(60);

    /// <summary>How long a group must be idle before the row of applied updates is cleared (a change overwrites it anyway).</summary>
    private static readonly TimeSpan ClearOwedAfter = TimeSpan.FromSeconds(30);

    /// <summary>Owed updates, in order; null until the owed row is read (once per activation).</summary>
    private List<MemberOfChange>? _pending;

    /// <summary>Whether the owed row may hold updates (owed or already delivered).</summary>
    private bool _stored;

    /// <summary>When this activation last stored a change of members (the owed row is cleared only once idle).</summary>
    private DateTimeOffset _lastChange;

    /// <summary>How long an import may take to deliver updates handed over to it before the group delivers them itself.</summary>
    /// <remarks>Well above how long an import holds updates (<c>MembershipImports.FlushAfter</c>): it is the safety net, not the path.</remarks>
    private static readonly TimeSpan HandoverTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The number of the updates now handed over to an import (<see cref="HandOver"/>), or null: then the group delivers all it owes itself.</summary>
    private long? _handedOver;

    private long _handovers;


    private IGrainTimer? _retry;
    private IGrainTimer? _clear;

    /// <summary>
    /// Schedules the replay of what an earlier activation may have left owed: updates of changes that
    /// were never acknowledged (their caller saw an error or went away). Nothing acknowledged waits on
    /// them — every acknowledged change was delivered first — so the replay runs within a minute,
    /// spread so that the groups a restarted silo activates together do not all read their owed row
    /// at once while first sign-ins wait on storage. Any change or listing replays first anyway.
    /// </summary>
    public void Activated()
    {
        var due = RetryPeriod + (FirstReplaySpread * Random.Shared.NextDouble());
        _retry = group.RegisterGrainTimer(_ => DeliverAsync(rethrow: false), new GrainTimerCreationOptions(due, RetryPeriod));
    }

    /// <summary>A new group owes nothing.</summary>
    public void Created() => _pending = [];

    /// <summary>Notes what a stored change owes (its owed row is stored with it), then delivers everything owed.</summary>
    public async Task OweAndDeliverAsync(IReadOnlyList<MemberOfChange> owed)
    {
        _lastChange = now();
        _stored = true;
        _pending!.AddRange(owed);
        await DeliverAsync(rethrow: true);
    }

    /// <summary>
    /// After a change of members that failed once its rows may have been stored (their write's
    /// outcome is unknown, or its notice to the change feed failed): what is owed is whatever the
    /// owed row now holds. It is read back before the next delivery — the group's next call, or the
    /// retry timer — which appends the change's notice again and delivers it, and it is never cleared
    /// unread. Nothing else was owed: every change starts with everything delivered.
    /// </summary>
    public void Unsure()
    {
        _lastChange = now();
        _stored = true;
        _pending = null;
        _handedOver = null;
        _retry ??= group.RegisterGrainTimer(_ => DeliverAsync(rethrow: false), new GrainTimerCreationOptions(RetryPeriod, RetryPeriod));
    }

    /// <summary>
    /// Notes what a stored change owes and hands its delivery over to the bulk import that made it:
    /// the import has each member apply, in one write, the joinings its groups still owe it — each
    /// member asks the group first (<see cref="OwesAsync"/>), inside its own turn — and then confirms
    /// (<see cref="Delivered"/>). Until then nothing changes for the group: the updates stay owed and
    /// stored, its next change or listing delivers them first, a later activation replays them, and
    /// if the import has not confirmed within <see cref="HandoverTimeout"/> a timer delivers them.
    /// Returns the handover's number. Only right after a change (all earlier updates delivered).
    /// </summary>
    public long HandOver(IReadOnlyList<MemberOfChange> owed)
    {
        _lastChange = now();
        _stored = true;
        _pending!.AddRange(owed);
        _handedOver = ++_handovers;
        _retry ??= group.RegisterGrainTimer(_ => DeliverAsync(rethrow: false), new GrainTimerCreationOptions(HandoverTimeout, RetryPeriod));
        return _handedOver.Value;
    }

    /// <summary>
    /// Whether the group still owes the member its joining, and under which handover (0: owed by a
    /// change the group delivers itself); null when it owes none — delivered already, or the member
    /// left since. Answers between the group's own steps: a member asks while it applies the update.
    /// </summary>
    public async Task<long?> OwesAsync(string memberId)
    {
        if (_pending is null)
        {
            var owed = await ReadOwedAsync();
            if (_pending is null)
            {
                (_pending, _stored) = (owed ?? [], owed is not null);
            }
        }

        var last = _pending.LastOrDefault(p => p.Member.Id == memberId);
        return last is { Added: true } ? _handedOver ?? 0 : null;
    }

    /// <summary>The members that applied a handover's updates: they are owed nothing more. Ignored if the group delivered them itself since.</summary>
    public void Delivered(long handover, IReadOnlyCollection<string> memberIds)
    {
        if (_handedOver != handover || _pending is null)
        {
            return;
        }

        var applied = memberIds.ToHashSet(StringComparer.Ordinal);
        _pending.RemoveAll(p => p.Added && applied.Contains(p.Member.Id));
        if (_pending.Count == 0)
        {
            _handedOver = null;
            _retry?.Dispose();
            _retry = null;
            _clear ??= ClearIn(ClearOwedAfter);
        }
    }

    /// <summary>Delivers everything owed, reading the owed row first if this activation has not.</summary>
    public async Task DeliverAsync(bool rethrow)
    {
        try
        {
            if (_pending is null)
            {
                var owed = await ReadOwedAsync();
                (_pending, _stored) = (owed ?? [], owed is not null);
            }

            if (_pending.Count > 0)
            {
                var batch = _pending.ToList();
                await Task.WhenAll(batch.GroupBy(p => p.Member.Id).Select(async changes =>
                {
                    foreach (var change in changes)
                    {
                        var principal = member(change.Member);
                        await (change.Added ? principal.AddMemberOfAsync(groupId) : principal.RemoveMemberOfAsync(groupId));
                    }
                }));
                _pending.RemoveRange(0, batch.Count);
            }

            _handedOver = null;
        }
        catch (Exception e)
        {
            LogDeliveryFailed(logger, e, groupId, _pending?.Count ?? 0);
            _retry ??= group.RegisterGrainTimer(_ => DeliverAsync(rethrow: false), new GrainTimerCreationOptions(RetryPeriod, RetryPeriod));
            if (rethrow)
            {
                throw;
            }

            return;
        }

        _retry?.Dispose();
        _retry = null;
        if (_stored)
        {
            _clear ??= ClearIn(ClearOwedAfter);
        }
    }

    /// <summary>The owed row an earlier activation left, its change's notice appended again first.</summary>
    private async Task<List<MemberOfChange>?> ReadOwedAsync()
    {
        var owed = await rows.ReadOwedAsync();
        if (owed is { Count: > 0 })
        {
            await noticeAgain([.. owed.Select(o => o.Member).DistinctBy(m => m.Id)]);
        }

        return owed;
    }

    /// <summary>
    /// Before the activation goes away: delivers what is still owed — a handover the import has not
    /// confirmed yet (a group can be collected before <see cref="HandoverTimeout"/>), or a
    /// delivery still being retried — so that the members' side does not wait for a later activation,
    /// then clears the owed row if nothing is owed. A delivery that fails leaves the row to the next one.
    /// </summary>
    public async Task DeactivatingAsync()
    {
        if (_pending is { Count: > 0 })
        {
            await DeliverAsync(rethrow: false);
        }

        await ClearAsync(onlyIfIdle: false);
    }

    /// <summary>Clears the owed row once all is delivered (on deactivation, or after the group has been idle).</summary>
    public async Task ClearAsync(bool onlyIfIdle)
    {
        _clear?.Dispose();
        _clear = null;
        if (!_stored || _pending is not { Count: 0 })
        {
            return;
        }

        var idle = now() - _lastChange;
        if (onlyIfIdle && idle < ClearOwedAfter)
        {
            // Still busy: the next change overwrites the row anyway.
            _clear = ClearIn(ClearOwedAfter - idle);
            return;
        }

        try
        {
            await rows.DeleteOwedAsync();
            _stored = false;
        }
        catch (Exception e)
        {
            // Best effort: a row left behind is replayed harmlessly.
            LogClearFailed(logger, e, groupId);
        }
    }

    private IGrainTimer ClearIn(TimeSpan delay) =>
        group.RegisterGrainTimer(_ => ClearAsync(onlyIfIdle: true), new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId} could not deliver {Count} member-of updates; retrying")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string groupId, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Group {GroupId} could not clear its delivered member-of updates; a later activation replays them")]
    private static partial void LogClearFailed(ILogger logger, Exception exception, string groupId);
}
