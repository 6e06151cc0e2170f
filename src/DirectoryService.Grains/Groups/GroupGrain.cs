using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Grains.Common;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// One group: its profile and its direct member list. A membership change is written here first (the
/// source of truth, together with the "member of" update it owes), then applied to the member, and
/// acknowledged only when both directions agree.
/// </summary>
public sealed partial class GroupGrain(
    [PersistentState(StorageNames.Group, StorageNames.Directory)] IPersistentState<DirectoryObjectState<GroupProfile>> state,
    [PersistentState(StorageNames.GroupMembers, StorageNames.Directory)] IPersistentState<GroupMembersState> members,
    DirectoryClock clock,
    ILogger<GroupGrain> logger)
    : DirectoryObjectGrain<GroupProfile, GroupView>(state, clock), IGroupGrain
{
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);
    private List<ObjectRef>? _sortedMembers;
    private IGrainTimer? _retry;

    protected override string KindName => "group";

    private Dictionary<string, ObjectKind> Members => members.State.Members;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await SyncMemberOfAsync(rethrow: false);
        await base.OnActivateAsync(cancellationToken);
    }

    public async Task<GroupView> CreateAsync(GroupProfile profile)
    {
        EnsureCreatable();
        var normalized = GroupProfileRules.Normalize(profile);
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

        var added = refs.Where(r => !Members.ContainsKey(r.Id)).DistinctBy(r => r.Id).ToList();
        if (added.Count == 0)
        {
            return 0;
        }

        foreach (var member in added)
        {
            Members[member.Id] = member.Kind;
            members.State.Pending.Add(new MemberOfChange(member, Added: true));
        }

        await WriteMembersAsync();
        await SyncMemberOfAsync(rethrow: true);
        return added.Count;
    }

    public async Task RemoveMemberAsync(ObjectRef member)
    {
        RequireProfile(field: "group_id");
        await SyncMemberOfAsync(rethrow: true);
        if (!Members.TryGetValue(member.Id, out var kind) || kind != member.Kind)
        {
            throw DirectoryException.NotFound("member.id", "direct member of the group");
        }

        Members.Remove(member.Id);
        members.State.Pending.Add(new MemberOfChange(member, Added: false));
        await WriteMembersAsync();
        await SyncMemberOfAsync(rethrow: true);
    }

    public Task<Page<ObjectRef>> GetMembersAsync(string? after, int limit)
    {
        _sortedMembers ??= [.. Members.Select(m => new ObjectRef(m.Key, m.Value)).OrderBy(m => m.Id, StringComparer.Ordinal)];
        return Task.FromResult(SortedPage.After(_sortedMembers, after, limit, m => m.Id));
    }

    public Task<ImmutableArray<string>> GetNestedGroupsAsync() =>
        Task.FromResult<ImmutableArray<string>>([.. Members.Where(m => m.Value == ObjectKind.Group).Select(m => m.Key)]);

    protected override bool Flag(GroupProfile profile) => profile.SecurityEnabled;

    protected override GroupView View() => new(ObjectId, State.Profile!, State.CreatedAt, CurrentETag, DeletedAt);

    protected override Task PublishAsync()
    {
        var p = State.Profile!;
        var entry = new GroupIndexEntry(ObjectId, p.DisplayName, p.MailNickname, p.SecurityEnabled, State.DeletedAt);
        return GrainFactory.GetGrain<IGroupIndexGrain>(GrainKeys.Scoped(TenantId, IndexBuckets.Of(ObjectId))).UpsertAsync(entry);
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

    private async Task WriteMembersAsync()
    {
        try
        {
            await members.WriteOrReloadAsync(this);
        }
        finally
        {
            _sortedMembers = null;
        }
    }

    /// <summary>
    /// Applies the owed "member of" updates: concurrently across members, in order for each member.
    /// Each update is idempotent, so replaying one that had landed is harmless. On failure a timer
    /// keeps retrying, so the two directions converge even if no further call arrives.
    /// </summary>
    private async Task SyncMemberOfAsync(bool rethrow)
    {
        var pending = members.State.Pending;
        if (pending.Count == 0)
        {
            return;
        }

        var batch = pending.ToList();
        try
        {
            await Task.WhenAll(batch.GroupBy(c => c.Member.Id).Select(async changes =>
            {
                foreach (var change in changes)
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

        // Cleared in memory only: the next write of the member list persists it, and until then a
        // replay after reactivation repeats idempotent updates.
        pending.RemoveRange(0, batch.Count);
        _retry?.Dispose();
        _retry = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupKey} could not apply {Count} member-of updates; retrying")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception, string groupKey, int count);
}
