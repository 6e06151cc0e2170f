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

    /// <summary>Owed updates, oldest first, with the key of their row.</summary>
    private readonly List<(string Key, MemberOfChange Change)> _pending = [];

    /// <summary>Rows of updates already applied, deleted with the next write.</summary>
    private readonly List<string> _applied = [];
    private long _nextSequence;
    private IGrainTimer? _retry;

    protected override string KindName => "group";

    /// <summary>The group's member buckets (hash prefixes), loaded once per activation; null until then.</summary>
    private SortedSet<string>? _buckets;

    /// <summary>The nested groups (the <c>n:</c> rows), loaded once per activation; null until then.</summary>
    private HashSet<string>? _nested;

    private RowSet MemberSet => RowSets.Members(TenantId, ObjectId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var owed = await Rows.ReadAllAsync(MemberSet, MemberRows.Pending, RowKeys.Before(MemberRows.Pending));
        _pending.AddRange(owed.Select(r => (r.Key, MemberRows.DecodeChange(r.Value))));
        _nextSequence = owed.Count == 0 ? 0 : MemberRows.PendingSequence(owed[^1].Key) + 1;
        await SyncMemberOfAsync(rethrow: false);
        await base.OnActivateAsync(cancellationToken);
    }

    public async Task<GroupView> CreateAsync(GroupProfile profile)
    {
        var normalized = GroupProfileRules.Normalize(profile);
        if (!MustCreate(normalized, GroupProfileRules.Same))
        {
            return View();
        }

        await RequireLiveOwnersAsync(normalized.OwnerIds, []);
        return await CreateCoreAsync(normalized);
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
        var added = candidates.Where(c => !buckets[BucketOf(c.Id)].Any(m => m.Id == c.Id)).ToList();
        if (added.Count == 0)
        {
            return 0;
        }

        var writes = new List<RowWrite>();
        foreach (var (bucket, members) in buckets)
        {
            var joining = added.Where(a => BucketOf(a.Id) == bucket).ToList();
            if (joining.Count > 0)
            {
                writes.Add(RowWrite.Upsert(MemberBuckets.Key(bucket), MemberBuckets.Encode([.. members, .. joining])));
            }
        }

        var nested = added.Where(m => m.Kind == ObjectKind.Group).Select(m => m.Id).ToList();
        writes.AddRange(nested.Select(id => RowWrite.Upsert(MemberRows.Nested + id, [])));
        var known = await NestedAsync();
        await WriteChangesAsync(writes, added.Select(m => new MemberOfChange(m, Added: true)), () =>
        {
            _buckets!.UnionWith(buckets.Keys);
            known.UnionWith(nested);
        });
        return added.Count;
    }

    public async Task RemoveMemberAsync(ObjectRef member)
    {
        RequireProfile(field: "group_id");
        await SyncMemberOfAsync(rethrow: true);
        var bucket = BucketOf(member.Id, await BucketsAsync());
        var members = await ReadBucketAsync(bucket);
        if (!members.Remove(member))
        {
            throw DirectoryException.NotFound("member.id", "direct member of the group");
        }

        List<RowWrite> writes = [RowWrite.Upsert(MemberBuckets.Key(bucket), MemberBuckets.Encode(members))];
        if (member.Kind == ObjectKind.Group)
        {
            writes.Add(RowWrite.Delete(MemberRows.Nested + member.Id));
        }

        var known = await NestedAsync();
        await WriteChangesAsync(writes, [new MemberOfChange(member, Added: false)], () =>
        {
            _buckets!.Add(bucket);
            known.Remove(member.Id);
        });
    }

    public async Task<Page<ObjectRef>> GetMembersAsync(string? after, int limit)
    {
        var start = after is null ? null : MemberBuckets.Hash(after);
        var members = new List<ObjectRef>();
        foreach (var bucket in (await BucketsAsync()).ToList())
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

    /// <summary>The nested groups, read once per activation and then kept in step with this grain's own writes.</summary>
    private async Task<HashSet<string>> NestedAsync()
    {
        if (_nested is null)
        {
            var rows = await Rows.ReadAllAsync(MemberSet, MemberRows.Nested, RowKeys.Before(MemberRows.Nested));
            _nested ??= [.. rows.Select(r => r.Key[MemberRows.Nested.Length..])];
        }

        return _nested;
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
    /// Writes member rows with the updates they owe (and clears rows of updates already applied) in
    /// one atomic write, runs <paramref name="stored"/> (to bring in-memory views of the rows up to
    /// date) as soon as the write succeeded, then applies the updates. If the write's outcome is
    /// unknown, the activation is dropped so the next call starts from what storage holds.
    /// </summary>
    private async Task WriteChangesAsync(List<RowWrite> writes, IEnumerable<MemberOfChange> changes, Action stored)
    {
        var owed = changes.Select(c => (Key: MemberRows.PendingKey(_nextSequence++), Change: c)).ToList();
        writes.AddRange(owed.Select(o => RowWrite.Upsert(o.Key, MemberRows.EncodeChange(o.Change))));
        var cleared = _applied.Take(IRowStore.MaxWritesPerCall - writes.Count).ToList();
        writes.AddRange(cleared.Select(RowWrite.Delete));
        try
        {
            await Rows.WriteAsync(MemberSet, writes);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        stored();
        _applied.RemoveRange(0, cleared.Count);
        _pending.AddRange(owed);
        await SyncMemberOfAsync(rethrow: true);
    }

    private async Task<SortedSet<string>> BucketsAsync()
    {
        if (_buckets is null)
        {
            var keys = await Rows.ReadAllKeysAsync(MemberSet, MemberBuckets.Prefix, RowKeys.Before(MemberBuckets.Prefix));
            _buckets = new SortedSet<string>(keys.Select(MemberBuckets.BucketOfKey), StringComparer.Ordinal);
        }

        return _buckets;
    }

    private string BucketOf(string memberId) => BucketOf(memberId, _buckets!);

    private static string BucketOf(string memberId, SortedSet<string> buckets) => MemberBuckets.BucketOf(MemberBuckets.Hash(memberId), buckets);

    /// <summary>The members of one bucket, in the group's order.</summary>
    private async Task<List<ObjectRef>> ReadBucketAsync(string bucket)
    {
        var row = await Rows.GetAsync(MemberSet, MemberBuckets.Key(bucket));
        return row is null ? [] : MemberBuckets.Decode(row.Value);
    }

    /// <summary>
    /// Reads the buckets the candidates fall in, first splitting any bucket they would overfill (a
    /// split only moves members, so it is its own atomic write), and returns their members.
    /// </summary>
    private async Task<Dictionary<string, List<ObjectRef>>> BucketsToAddAsync(List<ObjectRef> candidates)
    {
        var all = await BucketsAsync();
        while (true)
        {
            var names = candidates.Select(c => BucketOf(c.Id, all)).Distinct().ToList();
            var contents = await Task.WhenAll(names.Select(ReadBucketAsync));
            var buckets = names.Zip(contents).ToDictionary(b => b.First, b => b.Second);
            var full = buckets.FirstOrDefault(b => b.Value.Count + candidates.Count(c => BucketOf(c.Id, all) == b.Key) > MemberBuckets.Capacity);
            if (full.Key is null)
            {
                return buckets;
            }

            await SplitAsync(full.Key, full.Value, all);
        }
    }

    private async Task SplitAsync(string bucket, List<ObjectRef> members, SortedSet<string> all)
    {
        var children = MemberBuckets.Children(bucket).ToList();
        var writes = children.Select(child => RowWrite.Upsert(
            MemberBuckets.Key(child),
            MemberBuckets.Encode([.. members.Where(m => MemberBuckets.Hash(m.Id).StartsWith(child, StringComparison.Ordinal))]))).ToList();
        if (all.Contains(bucket))
        {
            writes.Add(RowWrite.Delete(MemberBuckets.Key(bucket)));
        }

        try
        {
            await Rows.WriteAsync(MemberSet, writes);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        all.Remove(bucket);
        all.UnionWith(children);
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
    /// Applies the owed "member of" updates: concurrently across members, in order for each member.
    /// Each update is idempotent, so replaying one that had landed is harmless. On failure a timer
    /// keeps retrying, so the two directions converge even if no further call arrives.
    /// </summary>
    private async Task SyncMemberOfAsync(bool rethrow)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var batch = _pending.ToList();
        try
        {
            await Task.WhenAll(batch.GroupBy(p => p.Change.Member.Id).Select(async changes =>
            {
                foreach (var (_, change) in changes)
                {
                    var member = GrainFactory.Principal(TenantId, change.Member);
                    await (change.Added ? member.AddMemberOfAsync(ObjectId) : member.RemoveMemberOfAsync(ObjectId));
                }
            }));
        }
        catch (Exception e)
        {
            LogSyncFailed(logger, e, this.GetPrimaryKeyString(), batch.Count);
            _retry ??= this.RegisterGrainTimer(_ => SyncMemberOfAsync(rethrow: false), new GrainTimerCreationOptions(RetryPeriod, RetryPeriod));
            if (rethrow)
            {
                throw;
            }

            return;
        }

        // Their rows go with the next write; until then a replay after reactivation repeats
        // idempotent updates in their original order.
        _pending.RemoveRange(0, batch.Count);
        _applied.AddRange(batch.Select(b => b.Key));
        _retry?.Dispose();
        _retry = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupKey} could not apply {Count} member-of updates; retrying")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception, string groupKey, int count);
}
