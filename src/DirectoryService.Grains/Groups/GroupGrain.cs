using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Rows;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// One group: its profile and its direct members, the source of truth of membership. Members are
/// rows, so a group of a million members is never loaded or rewritten: adding one member writes its
/// row together with the "member of" update it owes (one atomic write), applies that update to the
/// member, and only then acknowledges.
/// </summary>
public sealed partial class GroupGrain(
    [PersistentState(StorageNames.Group, StorageNames.Directory)] IPersistentState<DirectoryObjectState<GroupProfile>> state,
    IRowStore rows,
    RowCodec codec,
    DirectoryClock clock,
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
        }

        var candidates = refs.DistinctBy(r => r.Id).ToList();
        var stored = await Task.WhenAll(candidates.Select(r => Rows.GetAsync(MemberSet, MemberRows.Member + r.Id)));
        var added = candidates.Where((_, i) => stored[i] is null).ToList();
        if (added.Count == 0)
        {
            return 0;
        }

        var writes = new List<RowWrite>();
        foreach (var member in added)
        {
            writes.Add(MemberRows.AddMember(member));
            if (member.Kind == ObjectKind.Group)
            {
                writes.Add(RowWrite.Upsert(MemberRows.Nested + member.Id, []));
            }
        }

        await WriteChangesAsync(writes, added.Select(m => new MemberOfChange(m, Added: true)));
        return added.Count;
    }

    public async Task RemoveMemberAsync(ObjectRef member)
    {
        RequireProfile(field: "group_id");
        await SyncMemberOfAsync(rethrow: true);
        var row = await Rows.GetAsync(MemberSet, MemberRows.Member + member.Id);
        if (row is null || MemberRows.ReadMember(row).Kind != member.Kind)
        {
            throw DirectoryException.NotFound("member.id", "direct member of the group");
        }

        List<RowWrite> writes = [RowWrite.Delete(MemberRows.Member + member.Id)];
        if (member.Kind == ObjectKind.Group)
        {
            writes.Add(RowWrite.Delete(MemberRows.Nested + member.Id));
        }

        await WriteChangesAsync(writes, [new MemberOfChange(member, Added: false)]);
    }

    public async Task<Page<ObjectRef>> GetMembersAsync(string? after, int limit)
    {
        var page = await Rows.ReadAsync(MemberSet, RowKeys.After(MemberRows.Member, after), RowKeys.Before(MemberRows.Member), limit);
        var members = page.Items.Select(MemberRows.ReadMember).ToList();
        return new Page<ObjectRef>(members, page.Next is null ? null : members[^1].Id);
    }

    public async Task<ImmutableArray<string>> GetNestedGroupsAsync()
    {
        var nested = await Rows.ReadAllAsync(MemberSet, MemberRows.Nested, RowKeys.Before(MemberRows.Nested));
        return [.. nested.Select(r => r.Key[MemberRows.Nested.Length..])];
    }

    protected override bool Flag(GroupProfile profile) => profile.SecurityEnabled;

    protected override GroupView View() => new(ObjectId, State.Profile!, State.CreatedAt, CurrentETag, DeletedAt);

    protected override Task PublishAsync()
    {
        var p = State.Profile!;
        var entry = new GroupIndexEntry(ObjectId, p.DisplayName, p.MailNickname, p.SecurityEnabled, State.DeletedAt);
        return Rows.WriteAsync(RowSets.GroupIndex(TenantId, RowSets.Bucket(ObjectId)), [RowWrite.Upsert(ObjectId, codec.Encode(entry))]);
    }

    /// <summary>
    /// Writes member rows with the updates they owe (and clears rows of updates already applied) in
    /// one atomic write, then applies the updates. If the write's outcome is unknown, the activation
    /// is dropped so the next call starts from what storage holds.
    /// </summary>
    private async Task WriteChangesAsync(List<RowWrite> writes, IEnumerable<MemberOfChange> changes)
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

        _applied.RemoveRange(0, cleared.Count);
        _pending.AddRange(owed);
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
