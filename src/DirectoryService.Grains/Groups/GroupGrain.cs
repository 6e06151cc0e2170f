using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Common;
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

    /// <summary>How long a group must be idle before the row of applied updates is cleared (a change overwrites it anyway).</summary>
    private static readonly TimeSpan ClearOwedAfter = TimeSpan.FromSeconds(30);

    /// <summary>Owed "member of" updates, in order; null until the owed row is read (once per activation).</summary>
    private List<MemberOfChange>? _pending;

    /// <summary>Whether the owed row may hold updates (owed or already applied).</summary>
    private bool _owedStored;

    private IGrainTimer? _retry;
    private IGrainTimer? _clear;

    protected override string KindName => "group";

    /// <summary>The group's buckets and nested-group count, read once per activation; null until then.</summary>
    private MemberLayout? _layout;

    /// <summary>Whether storage holds a layout row equal to <see cref="_layout"/>.</summary>
    private bool _layoutStored;

    /// <summary>The nested groups (the <c>n:</c> rows), read on the first cycle check; null until then.</summary>
    private HashSet<string>? _nested;

    /// <summary>Counts this activation's stored changes of nested groups, so a read that raced one is done again.</summary>
    private long _nestedVersion;

    /// <summary>Buckets as stored, so a change to a small group reads no row.</summary>
    private readonly BucketCache _bucketCache = new(BucketCache.DefaultMaxBytes);

    /// <summary>When this activation last stored a change of members (for clearing the owed row only once idle).</summary>
    private DateTimeOffset _lastChange;

    private RowSet MemberSet => RowSets.Members(TenantId, ObjectId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);

        // Updates owed after a change that was never acknowledged (its caller saw an error or went
        // away) must still reach the members, but nothing acknowledged waits on them: every change
        // was applied to its members before it was acknowledged. So answering does not wait; a timer
        // replays them just after activation, and any change or listing replays them first.
        if (State.Profile is not null)
        {
            _retry = this.RegisterGrainTimer(_ => SyncMemberOfAsync(rethrow: false), new GrainTimerCreationOptions(RetryPeriod, RetryPeriod));
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

        await RequireLiveOwnersAsync(normalized.OwnerIds, []);
        var view = await CreateCoreAsync(normalized);

        // Its layout, so the group's first member change needs no range read to learn it has no rows.
        await Rows.WriteAsync(MemberSet, [LayoutWrite(MemberLayout.Empty)]);
        (_layout, _layoutStored, _pending) = (MemberLayout.Empty, true, []);
        return view;
    }

    public async Task<GroupView> UpdateAsync(GroupProfile changes, ImmutableArray<string> mask, string? etag)
    {
        var current = RequireProfile(field: "group.id");
        ETag.Check(etag, State.Version, "group.etag");
        var updated = GroupProfileRules.Normalize(GroupProfileRules.Apply(current, changes, mask));
        await RequireLiveOwnersAsync(updated.OwnerIds, current.OwnerIds);
        return await SaveAsync(updated);
    }

    public async Task<int> AddMembersAsync(ImmutableArray<ObjectRef> refs)
    {
        RequireProfile(field: "group_id");
        await SyncMemberOfAsync(rethrow: true);
        for (var i = 0; i < refs.Length; i++)
        {
            if (refs[i].Id == ObjectId)
            {
                throw DirectoryException.Precondition($"members[{i}].id", "a group cannot be a member of itself");
            }
        }

        var nodes = await Task.WhenAll(refs.Select(r => GrainFactory.Principal(TenantId, r).GetNodeAsync()));
        for (var i = 0; i < refs.Length; i++)
        {
            if (!nodes[i].IsLive)
            {
                throw DirectoryException.NotFound($"members[{i}].id", refs[i].Kind == ObjectKind.User ? "user" : "group");
            }

            if (nodes[i].MemberOf.Length >= Limits.MaxDirectMemberOf && !nodes[i].MemberOf.Contains(ObjectId))
            {
                throw DirectoryException.Exhausted($"members[{i}].id", $"the member is already a direct member of {Limits.MaxDirectMemberOf} groups");
            }
        }

        var candidates = refs.DistinctBy(r => r.Id).ToList();
        var buckets = await BucketsToAddAsync(candidates);
        var layout = _layout!;
        var added = candidates.Where(c => !buckets[BucketOf(c.Id, layout)].Any(m => m.Id == c.Id)).ToList();
        if (added.Count == 0)
        {
            return 0;
        }

        var writes = new List<RowWrite>();
        foreach (var (bucket, members) in buckets)
        {
            var joining = added.Where(a => BucketOf(a.Id, layout) == bucket).ToList();
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
        RequireProfile(field: "group_id");
        await SyncMemberOfAsync(rethrow: true);
        var bucket = BucketOf(member.Id, await LayoutAsync());
        var members = await ReadBucketAsync(bucket);
        if (!members.Remove(member))
        {
            throw DirectoryException.NotFound("member.id", "direct member of the group");
        }

        List<RowWrite> writes = [RowWrite.Upsert(MemberBuckets.Key(bucket), MemberBuckets.Encode(members))];
        List<string> nested = member.Kind == ObjectKind.Group ? [member.Id] : [];
        writes.AddRange(nested.Select(id => RowWrite.Delete(MemberRows.Nested + id)));
        await WriteChangesAsync(writes, [new MemberOfChange(member, Added: false)], [], nested);
    }

    public async Task<Page<ObjectRef>> GetMembersAsync(string? after, int limit)
    {
        await SyncMemberOfAsync(rethrow: false);
        var start = after is null ? null : MemberBuckets.Hash(after);
        var members = new List<ObjectRef>();
        foreach (var bucket in (await LayoutAsync()).Buckets.ToList())
        {
            if (start is not null && MemberBuckets.Before(bucket, start))
            {
                continue;
            }

            members.AddRange((await ReadBucketAsync(bucket)).Where(m => after is null || MemberBuckets.After(m, after)));
            if (members.Count > limit)
            {
                return new Page<ObjectRef>(members.GetRange(0, limit), members[limit - 1].Id);
            }
        }

        return new Page<ObjectRef>(members, null);
    }

    public async Task<ImmutableArray<string>> GetNestedGroupsAsync() => [.. await NestedAsync()];

    /// <summary>
    /// The nested groups, read once per activation and then kept in step with this grain's own
    /// writes. It interleaves with writes, so a read that a stored change of nesting overtook is done again.
    /// </summary>
    private async Task<HashSet<string>> NestedAsync()
    {
        while (_nested is null)
        {
            var version = _nestedVersion;
            var read = await ReadNestedAsync();
            if (version == _nestedVersion)
            {
                _nested ??= read;
            }
        }

        return _nested;
    }

    private async Task<HashSet<string>> ReadNestedAsync()
    {
        // The layout tells whether there are any; most groups have none, and then nothing is read.
        var count = _layout?.NestedCount
            ?? (await Rows.GetAsync(MemberSet, MemberRows.Layout) is { } row ? MemberLayout.Decode(row.Value).NestedCount : -1);
        if (count == 0)
        {
            return [];
        }

        var keys = await Rows.ReadAllKeysAsync(MemberSet, MemberRows.Nested, RowKeys.Before(MemberRows.Nested));
        return [.. keys.Select(k => k[MemberRows.Nested.Length..])];
    }

    protected override bool Flag(GroupProfile profile) => profile.SecurityEnabled;

    protected override GroupView View() => new(ObjectId, State.Profile!, State.CreatedAt, CurrentETag, DeletedAt);

    /// <summary>Closures above this group are cached on every silo: each must drop them before the change is acknowledged.</summary>
    protected override Task NodeChangedAsync() => caches.InvalidateTenantAsync(TenantId);

    protected override Task PublishAsync()
    {
        var p = State.Profile!;
        var entry = new GroupIndexEntry(ObjectId, p.DisplayName, p.MailNickname, p.SecurityEnabled, State.DeletedAt);
        return Rows.WriteAsync(RowSets.GroupIndex(TenantId, RowSets.Bucket(ObjectId)), [RowWrite.Upsert(ObjectId, codec.Encode(entry))]);
    }

    /// <summary>
    /// Writes member rows with the updates they owe (replacing the row of the previous change's
    /// updates, all applied by now) and, if it changed, the layout, in one atomic write; brings the
    /// in-memory layout and nested groups up to date as soon as the write succeeded; then applies the
    /// updates. If the write's outcome is unknown, the activation is dropped so the next call starts
    /// from what storage holds.
    /// </summary>
    private async Task WriteChangesAsync(List<RowWrite> writes, List<MemberOfChange> changes, List<string> nestedAdded, List<string> nestedRemoved)
    {
        var layout = _layout!;
        var nestedDelta = nestedAdded.Count - nestedRemoved.Count;
        var next = nestedDelta == 0 ? layout : new MemberLayout(layout.Buckets, layout.NestedCount + nestedDelta);
        var writeLayout = !_layoutStored || next != layout;
        if (writeLayout)
        {
            writes.Add(LayoutWrite(next));
        }

        writes.Add(RowWrite.Upsert(MemberRows.Owed, MemberRows.EncodeChanges(changes)));
        await WriteMemberRowsAsync(writes);
        _lastChange = Now;
        _layout = next;
        _layoutStored |= writeLayout;
        if (nestedAdded.Count + nestedRemoved.Count > 0)
        {
            _nestedVersion++;
            _nested?.UnionWith(nestedAdded);
            _nested?.ExceptWith(nestedRemoved);
        }

        _owedStored = true;
        _pending!.AddRange(changes);
        await SyncMemberOfAsync(rethrow: true);
    }

    /// <summary>The group's layout. Only from calls that do not interleave: they alone change it.</summary>
    private async Task<MemberLayout> LayoutAsync()
    {
        if (_layout is null)
        {
            var row = await Rows.GetAsync(MemberSet, MemberRows.Layout);
            (_layout, _layoutStored) = row is null ? (await ScanLayoutAsync(), false) : (MemberLayout.Decode(row.Value), true);
        }

        return _layout;
    }

    /// <summary>The layout read from the rows themselves, for a group without a layout row (its creation's last write failed).</summary>
    private async Task<MemberLayout> ScanLayoutAsync()
    {
        var buckets = await Rows.ReadAllKeysAsync(MemberSet, MemberBuckets.Prefix, RowKeys.Before(MemberBuckets.Prefix));
        var nested = await Rows.ReadAllKeysAsync(MemberSet, MemberRows.Nested, RowKeys.Before(MemberRows.Nested));
        return new MemberLayout(buckets.Select(MemberBuckets.BucketOfKey), nested.Count);
    }

    private static RowWrite LayoutWrite(MemberLayout layout) => RowWrite.Upsert(MemberRows.Layout, layout.Encode());

    private static string BucketOf(string memberId, MemberLayout layout) => MemberBuckets.BucketOf(MemberBuckets.Hash(memberId), layout.Buckets);

    /// <summary>The members of one bucket, in the group's order.</summary>
    private async Task<List<ObjectRef>> ReadBucketAsync(string bucket)
    {
        if (!_bucketCache.TryGet(bucket, out var value))
        {
            value = (await Rows.GetAsync(MemberSet, MemberBuckets.Key(bucket)))?.Value ?? [];
            _bucketCache.Set(bucket, value);
        }

        return MemberBuckets.Decode(value);
    }

    /// <summary>
    /// Reads the buckets the candidates fall in, first splitting any bucket they would overfill (a
    /// split only moves members, so it is its own atomic write), and returns their members.
    /// </summary>
    private async Task<Dictionary<string, List<ObjectRef>>> BucketsToAddAsync(List<ObjectRef> candidates)
    {
        while (true)
        {
            var layout = await LayoutAsync();
            var names = candidates.Select(c => BucketOf(c.Id, layout)).Distinct().ToList();
            var contents = await Task.WhenAll(names.Select(ReadBucketAsync));
            var buckets = names.Zip(contents).ToDictionary(b => b.First, b => b.Second);
            var full = buckets.FirstOrDefault(b => b.Value.Count + candidates.Count(c => BucketOf(c.Id, layout) == b.Key) > MemberBuckets.Capacity);
            if (full.Key is null)
            {
                return buckets;
            }

            await SplitAsync(full.Key, full.Value, layout);
        }
    }

    /// <summary>Replaces a full bucket by its 16 children, with the layout that lists them: a split only moves members, so it is its own atomic write.</summary>
    private async Task SplitAsync(string bucket, List<ObjectRef> members, MemberLayout layout)
    {
        var children = MemberBuckets.Children(bucket).ToList();
        var next = new MemberLayout(layout.Buckets.Where(b => b != bucket).Concat(children), layout.NestedCount);
        var writes = children.Select(child => RowWrite.Upsert(
            MemberBuckets.Key(child),
            MemberBuckets.Encode([.. members.Where(m => MemberBuckets.Hash(m.Id).StartsWith(child, StringComparison.Ordinal))]))).ToList();
        writes.Add(RowWrite.Delete(MemberBuckets.Key(bucket)));
        writes.Add(LayoutWrite(next));
        await WriteMemberRowsAsync(writes);
        (_layout, _layoutStored) = (next, true);
    }

    /// <summary>
    /// Writes member rows atomically and keeps the bucket cache in step. If the outcome is unknown,
    /// the cache is emptied and the activation dropped, so the next call starts from what storage holds.
    /// </summary>
    private async Task WriteMemberRowsAsync(List<RowWrite> writes)
    {
        try
        {
            await Rows.WriteAsync(MemberSet, writes);
        }
        catch
        {
            _bucketCache.Clear();
            DeactivateOnIdle();
            throw;
        }

        foreach (var write in writes.Where(w => w.Key.StartsWith(MemberBuckets.Prefix, StringComparison.Ordinal)))
        {
            var bucket = MemberBuckets.BucketOfKey(write.Key);
            if (write.Value is { } value)
            {
                _bucketCache.Set(bucket, value);
            }
            else
            {
                _bucketCache.Remove(bucket);
            }
        }
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
                throw DirectoryException.NotFound($"group.owner_ids[{unknown[i].Index}]", "user");
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
                var row = await Rows.GetAsync(MemberSet, MemberRows.Owed);
                _pending = row is null ? [] : MemberRows.DecodeChanges(row.Value);
                _owedStored = row is not null;
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
            await Rows.WriteAsync(MemberSet, [RowWrite.Delete(MemberRows.Owed)]);
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
