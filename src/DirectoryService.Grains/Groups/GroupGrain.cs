using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Indexing;
using DirectoryService.Grains.Membership;
using DirectoryService.Grains.Rows;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// One group: its profile and its direct members, the source of truth of membership. Members live
/// in hashed bucket rows of bounded size (<see cref="MemberBuckets"/>), so a group of a million
/// members is never loaded or rewritten: adding one member rewrites its bucket together with the
/// "member of" update it owes (one atomic write), applies that update to the member, and only then
/// acknowledges.
/// </summary>
[GrainType(GrainTypes.Group)]
public sealed partial class GroupGrain(
    [PersistentState(StorageNames.Group, StorageNames.Directory)] IPersistentState<DirectoryObjectState<GroupProfile>> state,
    IRowStore rows,
    RowCodec codec,
    DirectoryClock clock,
    ICacheInvalidator caches,
    ILogger<GroupGrain> logger)
    : DirectoryObjectGrain<GroupProfile, GroupView>(state, rows, clock), IGroupGrain
{
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);

    /// <summary>Over how long after activation the first replay of owed updates is spread.</summary>
    private static readonly TimeSpan FirstReplaySpread = TimeSpan.FromSeconds(60);

    /// <summary>How long a group must be idle before the row of applied updates is cleared (a change overwrites it anyway).</summary>
    private static readonly TimeSpan ClearOwedAfter = TimeSpan.FromSeconds(30);

    /// <summary>Owed "member of" updates, in order; null until the owed row is read (once per activation).</summary>
    private List<MemberOfChange>? _pending;

    /// <summary>Whether the owed row may hold updates (owed or already applied).</summary>
    private bool _owedStored;

    private IGrainTimer? _retry;
    private IGrainTimer? _clear;

    protected override string KindName => "group";

    /// <summary>When this activation last stored a change of members (for clearing the owed row only once idle).</summary>
    private DateTimeOffset _lastChange;

    private GroupMemberRows? _members;

    /// <summary>The member rows; a write of unknown outcome drops the activation, so the next call starts from storage.</summary>
    private GroupMemberRows Members => _members ??= new GroupMemberRows(Rows, RowSets.Members(TenantId, ObjectId), DeactivateOnIdle);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);

        // Updates owed after a change that was never acknowledged (its caller saw an error or went
        // away) must still reach the members, but nothing acknowledged waits on them: every change
        // was applied to its members before it was acknowledged. So answering does not wait; a timer
        // replays them within a minute of activation, and any change or listing replays them first.
        // The delay is spread so that the groups a restarted silo activates together (warming, first
        // sign-ins) do not all read their owed row at once while first reads are waiting on storage.
        if (State.Profile is not null)
        {
            var due = RetryPeriod + (FirstReplaySpread * Random.Shared.NextDouble());
            _retry = this.RegisterGrainTimer(_ => SyncMemberOfAsync(rethrow: false), new GrainTimerCreationOptions(due, RetryPeriod));
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await ClearOwedAsync(onlyIfIdle: false);
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task<GroupView> CreateAsync(GroupProfile profile)
    {
        var normalized = GroupProfileRules.Normalize(profile);
        if (!MustCreate(normalized, GroupProfileRules.Same))
        {
            return View();
        }

        var view = await CreateCoreAsync(normalized, _ => RequireLiveOwnersAsync(normalized.OwnerIds, []));

        await Members.CreateAsync();
        _pending = [];
        return view;
    }

    public async Task<GroupView> UpdateAsync(GroupProfile changes, ImmutableArray<string> mask, string? etag)
    {
        var current = RequireProfile();
        ETag.Check(etag, State.Version, DomainFields.ETag);
        var updated = GroupProfileRules.Normalize(GroupProfileRules.Apply(current, changes, mask));
        await RequireLiveOwnersAsync(updated.OwnerIds, current.OwnerIds);
        return await SaveUpdateAsync(current, updated);
    }

    protected override ObjectKind Kind => ObjectKind.Group;

    protected override string ExternalIdOf(GroupProfile profile) => profile.ExternalId;

    public async Task<int> AddMembersAsync(ImmutableArray<ObjectRef> refs)
    {
        RequireProfile(field: DomainFields.Group);
        await SyncMemberOfAsync(rethrow: true);
        for (var i = 0; i < refs.Length; i++)
        {
            if (refs[i].Id == ObjectId)
            {
                throw DirectoryException.Precondition(new ErrorField(DomainFields.Member, i), "a group cannot be a member of itself");
            }
        }

        var nodes = await Task.WhenAll(refs.Select(r => GrainFactory.Principal(TenantId, r).GetNodeAsync()));
        for (var i = 0; i < refs.Length; i++)
        {
            if (!nodes[i].IsLive)
            {
                throw DirectoryException.NotFound(new ErrorField(DomainFields.Member, i), refs[i].Kind == ObjectKind.User ? "user" : "group");
            }

            if (nodes[i].MemberOf.Length >= Limits.MaxDirectMemberOf && !nodes[i].MemberOf.Contains(ObjectId))
            {
                throw DirectoryException.Exhausted(new ErrorField(DomainFields.Member, i), $"the member is already a direct member of {Limits.MaxDirectMemberOf} groups");
            }
        }

        var candidates = refs.DistinctBy(r => r.Id).ToList();
        var buckets = await Members.BucketsToAddAsync(candidates);
        var added = candidates.Where(c => !buckets[Members.BucketOf(c.Id)].Any(m => m.Id == c.Id)).ToList();
        if (added.Count == 0)
        {
            return 0;
        }

        var writes = new List<RowWrite>();
        foreach (var (bucket, members) in buckets)
        {
            var joining = added.Where(a => Members.BucketOf(a.Id) == bucket).ToList();
            if (joining.Count > 0)
            {
                writes.Add(RowWrite.Upsert(MemberBuckets.Key(bucket), MemberBuckets.Encode([.. members, .. joining])));
            }
        }

        var nested = added.Where(m => m.Kind == ObjectKind.Group).Select(m => m.Id).ToList();
        writes.AddRange(nested.Select(id => RowWrite.Upsert(MemberRows.Nested + id, [])));
        await WriteChangesAsync(writes, [.. added.Select(m => new MemberOfChange(m, Added: true))], nested, []);
        return added.Count;
    }

    public async Task RemoveMemberAsync(ObjectRef member)
    {
        RequireProfile(field: DomainFields.Group);
        await SyncMemberOfAsync(rethrow: true);
        await Members.LayoutAsync();
        var bucket = Members.BucketOf(member.Id);
        var members = await Members.ReadBucketAsync(bucket);
        if (!members.Remove(member))
        {
            throw DirectoryException.NotFound(DomainFields.Member, "direct member of the group");
        }

        List<RowWrite> writes = [RowWrite.Upsert(MemberBuckets.Key(bucket), MemberBuckets.Encode(members))];
        List<string> nested = member.Kind == ObjectKind.Group ? [member.Id] : [];
        writes.AddRange(nested.Select(id => RowWrite.Delete(MemberRows.Nested + id)));
        await WriteChangesAsync(writes, [new MemberOfChange(member, Added: false)], [], nested);
    }

    public async Task<Page<ObjectRef>> GetMembersAsync(string? after, int limit)
    {
        await SyncMemberOfAsync(rethrow: false);
        return await Members.PageAsync(after, limit);
    }

    public async Task<ImmutableArray<string>> GetNestedGroupsAsync() => [.. await Members.NestedAsync()];

    protected override bool Flag(GroupProfile profile) => profile.SecurityEnabled;

    protected override GroupView View() => new(ObjectId, State.Profile!, State.CreatedAt, CurrentETag, DeletedAt);

    /// <summary>Closures above this group are cached on every silo: each must drop them before the change is acknowledged.</summary>
    protected override Task NodeChangedAsync() => caches.InvalidateTenantAsync(TenantId);

    protected override RowSet ListingSet => RowSets.GroupIndex(TenantId, RowSets.Bucket(ObjectId));

    protected override byte[] ListingEntry(GroupProfile p, DateTimeOffset? deletedAt) =>
        codec.Encode(ListingEntries.Of(ObjectId, p, deletedAt));

    /// <summary>
    /// Writes member rows with the updates they owe (replacing the row of the previous change's
    /// updates, all applied by now) in one atomic write, then applies the updates.
    /// </summary>
    private async Task WriteChangesAsync(List<RowWrite> writes, List<MemberOfChange> changes, List<string> nestedAdded, List<string> nestedRemoved)
    {
        writes.Add(RowWrite.Upsert(MemberRows.Owed, MemberRows.EncodeChanges(changes)));
        await Members.WriteChangeAsync(writes, nestedAdded, nestedRemoved);
        _lastChange = Now;
        _owedStored = true;
        _pending!.AddRange(changes);
        await SyncMemberOfAsync(rethrow: true);
    }

    /// <summary>Checks that owners not already known exist as live users of the tenant.</summary>
    private async Task RequireLiveOwnersAsync(ImmutableArray<string> owners, ImmutableArray<string> known)
    {
        var unknown = owners.Select((id, i) => (Id: id, Index: i)).Where(o => !known.Contains(o.Id)).ToList();
        var nodes = await Task.WhenAll(unknown.Select(o => GrainFactory.User(TenantId, o.Id).GetNodeAsync()));
        for (var i = 0; i < unknown.Count; i++)
        {
            if (!nodes[i].IsLive)
            {
                throw DirectoryException.NotFound(new ErrorField(DomainFields.Owner, unknown[i].Index), "user");
            }
        }
    }

    /// <summary>
    /// Applies the owed "member of" updates (reading them first if this activation has not):
    /// concurrently across members, in order for each member. Each update is idempotent, so replaying
    /// one that had landed is harmless. On failure a timer keeps retrying, so the two directions
    /// converge even if no further call arrives. Only from calls that do not interleave.
    /// </summary>
    private async Task SyncMemberOfAsync(bool rethrow)
    {
        try
        {
            if (_pending is null)
            {
                var owed = await Members.ReadOwedAsync();
                (_pending, _owedStored) = (owed ?? [], owed is not null);
            }

            if (_pending.Count > 0)
            {
                var batch = _pending.ToList();
                await Task.WhenAll(batch.GroupBy(p => p.Member.Id).Select(async changes =>
                {
                    foreach (var change in changes)
                    {
                        var member = GrainFactory.Principal(TenantId, change.Member);
                        await (change.Added ? member.AddMemberOfAsync(ObjectId) : member.RemoveMemberOfAsync(ObjectId));
                    }
                }));
                _pending.RemoveRange(0, batch.Count);
            }
        }
        catch (Exception e)
        {
            LogSyncFailed(logger, e, this.GetPrimaryKeyString(), _pending?.Count ?? 0);
            _retry ??= this.RegisterGrainTimer(_ => SyncMemberOfAsync(rethrow: false), new GrainTimerCreationOptions(RetryPeriod, RetryPeriod));
            if (rethrow)
            {
                throw;
            }

            return;
        }

        _retry?.Dispose();
        _retry = null;

        // The row of applied updates goes with the next change; if none comes soon, it is cleared so
        // that a later activation has nothing to replay.
        if (_owedStored)
        {
            _clear ??= ClearOwedIn(ClearOwedAfter);
        }
    }

    private IGrainTimer ClearOwedIn(TimeSpan delay) =>
        this.RegisterGrainTimer(_ => ClearOwedAsync(onlyIfIdle: true), new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));

    /// <summary>Deletes the row of updates once all are applied. Best effort: a row left behind is replayed harmlessly.</summary>
    private async Task ClearOwedAsync(bool onlyIfIdle)
    {
        _clear?.Dispose();
        _clear = null;
        if (!_owedStored || _pending is not { Count: 0 })
        {
            return;
        }

        var idle = Now - _lastChange;
        if (onlyIfIdle && idle < ClearOwedAfter)
        {
            // Still busy: the next change overwrites the row anyway.
            _clear = ClearOwedIn(ClearOwedAfter - idle);
            return;
        }

        try
        {
            await Members.DeleteOwedAsync();
            _owedStored = false;
        }
        catch (Exception e)
        {
            LogClearFailed(logger, e, this.GetPrimaryKeyString());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupKey} could not apply {Count} member-of updates; retrying")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception, string groupKey, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Group {GroupKey} could not clear its applied member-of updates; a later activation replays them")]
    private static partial void LogClearFailed(ILogger logger, Exception exception, string groupKey);
}
