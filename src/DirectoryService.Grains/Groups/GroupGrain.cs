using System.Collections.Immutable;
using DirectoryService.Abstractions.Changes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Membership;
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
    /// <summary>Most buckets one change of members may rewrite: an atomic write holds at most 100 rows, the layout and owed rows among them.</summary>
    private const int MaxBucketsPerWrite = 96;

    private GroupMemberRows? _members;
    private MemberOfOutbox? _outbox;

    protected override string KindName => "group";

    /// <summary>The member rows; a write of unknown outcome drops the activation, so the next call starts from storage.</summary>
    private GroupMemberRows Members => _members ??= new GroupMemberRows(Rows, RowSets.Members(TenantId, ObjectId), DropAfterUnknownWrite);

    private MemberOfOutbox Outbox => _outbox ??= new MemberOfOutbox(this, ObjectId, Members, m => GrainFactory.Principal(TenantId, m), () => Now, NoticeChangeAsync, logger);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        if (State.Profile is not null)
        {
            Outbox.Activated();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_outbox is not null && await _outbox.DeactivatingAsync())
        {
            // Updates left owed (too many to deliver on the way out, a delivery that failed, or owed
            // rows unread since a write of unknown outcome): wake the next activation, whose replay
            // delivers them, rather than leave the members' side behind until the group's next call.
            var self = this.AsReference<IGroupGrain>();
            _ = Task.Run(async () =>
            {
                try
                {
                    await self.GetAsync(includeDeleted: true);
                }
                catch (Exception e)
                {
                    LogWakeFailed(logger, e, ObjectId);
                }
            });
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>After a write whose outcome is unknown: this activation's view of the member rows may be wrong, so it goes and the next one reads them.</summary>
    private void DropAfterUnknownWrite()
    {
        LogUnknownWrite(logger, ObjectId);
        DeactivateOnIdle();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId}: a write of its member rows had an unknown outcome; the activation is dropped and the next one reads them back")]
    private static partial void LogUnknownWrite(ILogger logger, string groupId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId} left member-of updates owed on deactivation and could not wake its next activation; its next call delivers them")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception, string groupId);

    public async Task<GroupChange> GetChangeAsync(ImmutableArray<ObjectRef> members)
    {
        List<ObjectRef> distinct = [.. members.DistinctBy(m => m.Id)];
        if (CurrentView is not { } view)
        {
            return new GroupChange(ObjectId, null, [], [.. distinct]);
        }

        var absent = distinct.Count == 0 ? [] : (await Members.AbsentAsync(distinct)).ToHashSet();
        return new GroupChange(ObjectId, view, [.. distinct.Where(m => !absent.Contains(m))], [.. absent]);
    }

    public async Task<GroupView> CreateAsync(GroupProfile profile)
    {
        var normalized = GroupProfileRules.Normalize(profile);
        if (!MustCreate(normalized, GroupProfileRules.Same))
        {
            return View();
        }

        var view = await CreateCoreAsync(normalized, _ => RequireLiveOwnersAsync(normalized.OwnerIds, []));

        Members.Created();
        Outbox.Created();
        return view;
    }

    public async Task<GroupView> UpdateAsync(GroupProfile changes, ImmutableArray<string> mask, string? etag)
    {
        var current = RequireProfile();
        if (UpdateLandedBefore(etag, p => GroupProfileRules.Normalize(GroupProfileRules.Apply(p, changes, mask)), GroupProfileRules.Same))
        {
            return View();
        }

        ETag.Check(etag, State.Version, DomainFields.ETag);
        var updated = GroupProfileRules.Normalize(GroupProfileRules.Apply(current, changes, mask));
        await RequireLiveOwnersAsync(updated.OwnerIds, current.OwnerIds);
        return await SaveUpdateAsync(current, updated);
    }

    protected override ObjectKind Kind => ObjectKind.Group;

    /// <summary>Keeps the group's row in the display-name index: moved when the name changes (case aside), kept while the group exists.</summary>
    protected override async Task ProfileStoredAsync(GroupProfile? previous, GroupProfile current)
    {
        if (previous is not null && string.Equals(previous.DisplayName, current.DisplayName, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var row = RowSets.GroupNameKey(current.DisplayName) + ObjectId;
        await Rows.WriteAsync(RowSets.GroupNames(TenantId, current.DisplayName), [RowWrite.Upsert(row, [])]);
        if (previous is not null)
        {
            await Rows.WriteAsync(RowSets.GroupNames(TenantId, previous.DisplayName), [RowWrite.Delete(RowSets.GroupNameKey(previous.DisplayName) + ObjectId)]);
        }
    }

    protected override string ExternalIdOf(GroupProfile profile) => profile.ExternalId;

    public async Task<int> AddMembersAsync(ImmutableArray<ObjectRef> refs)
    {
        RequireProfile(field: DomainFields.Group);
        await Outbox.DeliverAsync(rethrow: true);
        var nodes = await RequireJoinableAsync(refs);
        // Only members not in yet make a change: members already in would still have their notice
        // appended to the change feed (it is written beside the rows, before they tell what changed).
        // An import's re-run sends every nesting through here again.
        var absent = await Members.AbsentAsync([.. refs.DistinctBy(r => r.Id)]);
        var applied = absent.Count == 0 ? MemberChange.Add([]) : await ApplyAsync(MemberChange.Add(absent));

        // Members already in whose side does not say so (it can lag after storage went back in time)
        // are brought in line too, so even a no-op leaves both directions agreeing.
        var joined = applied.Joining.Select(j => j.Id).ToHashSet(StringComparer.Ordinal);
        var lagging = refs.Select((r, i) => (Ref: r, Node: nodes[i])).Where(m => !joined.Contains(m.Ref.Id) && !m.Node.MemberOf.Contains(ObjectId)).DistinctBy(m => m.Ref.Id);
        await Task.WhenAll(lagging.Select(m => GrainFactory.Principal(TenantId, m.Ref).AddMemberOfAsync(ObjectId)));
        return applied.Joining.Count;
    }

    public async Task RemoveMemberAsync(ObjectRef member)
    {
        RequireProfile(field: DomainFields.Group);
        await Outbox.DeliverAsync(rethrow: true);
        var applied = await ApplyAsync(MemberChange.Remove(member));
        if (applied.IsEmpty)
        {
            // Not a member: its side says so too before the answer (it can lag after storage went back in time).
            var principal = GrainFactory.Principal(TenantId, member);
            if ((await principal.GetNodeAsync()).MemberOf.Contains(ObjectId))
            {
                await principal.RemoveMemberOfAsync(ObjectId);
            }

            if (RetriedCall.IsRetry)
            {
                // The first attempt removed it.
                return;
            }

            throw DirectoryException.NotFound(DomainFields.Member, "direct member of the group");
        }
    }

    public async Task DropMemberAsync(ObjectRef member)
    {
        if (State.Profile is null)
        {
            return;
        }

        await Outbox.DeliverAsync(rethrow: true);
        await ApplyAsync(MemberChange.Remove(member));
    }

    public async Task DropMembersAsync()
    {
        if (!State.Purging || State.Profile is null)
        {
            return;
        }

        await Outbox.DeliverAsync(rethrow: true);

        // Pages follow the buckets' order, so a page of a bucket's capacity rewrites one or two buckets.
        while ((await Members.PageAsync(null, MemberBuckets.Capacity)).Items is { Count: > 0 } members)
        {
            await ApplyAsync(new MemberChange([], members));
        }
    }

    /// <summary>The group's display-name row, and every row of its member set (layout, buckets, owed updates, all delivered by now).</summary>
    protected override async Task PurgeRowsAsync(GroupProfile profile)
    {
        await Rows.WriteAsync(RowSets.GroupNames(TenantId, profile.DisplayName), [RowWrite.Delete(RowSets.GroupNameKey(profile.DisplayName) + ObjectId)]);
        var set = RowSets.Members(TenantId, ObjectId);
        foreach (var chunk in (await Rows.ReadAllKeysAsync(set, "", RowKeys.End)).Chunk(100))
        {
            await Rows.WriteAsync(set, [.. chunk.Select(RowWrite.Delete)]);
        }

        await Outbox.ClearAsync(onlyIfIdle: false);
        (_members, _outbox) = (null, null);
    }

    public async Task<Page<ObjectRef>> GetMembersAsync(string? after, int limit)
    {
        await Outbox.DeliverAsync(rethrow: false);
        return await Members.PageAsync(after, limit);
    }

    public async Task<ImmutableArray<string>> GetNestedGroupsAsync() => [.. await Members.NestedAsync()];

    protected override bool Flag(GroupProfile profile) => profile.SecurityEnabled;

    protected override GroupView View() => new(ObjectId, State.Profile!, State.CreatedAt, CurrentETag, DeletedAt, State.ModifiedAt ?? State.CreatedAt);

    /// <summary>Closures above this group are cached on every silo: each must drop them before the change is acknowledged.</summary>
    protected override Task NodeChangedAsync() => caches.InvalidateTenantAsync(TenantId);

    protected override RowSet ListingSet => RowSets.GroupIndex(TenantId, RowSets.Bucket(ObjectId));

    protected override byte[] ListingEntry(GroupProfile p, DateTimeOffset? deletedAt) =>
        codec.Encode(ListingEntries.Of(ObjectId, p, deletedAt));

    /// <summary>
    /// Applies a change of members: its rows and the updates it owes are stored in one atomic write,
    /// then the updates are delivered, and only then is the change acknowledged. Returns the change
    /// as applied (members already present, or absent, left out).
    /// </summary>
    private async Task<MemberChange> ApplyAsync(MemberChange change)
    {
        var (row, applied) = await ApplyRowsAsync(change);
        if (!applied.IsEmpty)
        {
            await Outbox.OweAndDeliverAsync(row, applied.Owed);
        }

        return applied;
    }

    /// <summary>
    /// Writes a change's rows while its notice is appended to the change feed; both are durable before
    /// the change goes on. If either fails, the change fails, and whatever the owed row stored with the
    /// rows now holds is read back before anything else (<see cref="MemberOfOutbox.Unsure"/>): the
    /// notice is appended again and the updates delivered, by this activation or the next.
    /// </summary>
    private async Task<(string OwedRow, MemberChange Applied)> ApplyRowsAsync(MemberChange change)
    {
        var notice = NoticeChangeAsync([.. change.Joining, .. change.Leaving]);
        var row = Outbox.NextRow();
        MemberChange applied;
        try
        {
            applied = await Members.ApplyAsync(change, row);
        }
        catch
        {
            await Observed(notice);
            Outbox.Unsure();
            throw;
        }

        try
        {
            await notice;
        }
        catch
        {
            Outbox.Unsure();
            throw;
        }

        return (row, applied);
    }

    /// <summary>Checks that each member can join: not the group itself, live, and below the limit of direct groups; returns their nodes.</summary>
    private async Task<PrincipalNode[]> RequireJoinableAsync(ImmutableArray<ObjectRef> refs)
    {
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
            if (JoinRefusal(nodes[i], refs[i].Kind) is { } refusal)
            {
                throw new DirectoryException(refusal.Code, new ErrorField(DomainFields.Member, i), refusal.Description);
            }
        }

        return nodes;
    }

    /// <summary>Why a member with this node cannot join: it is not live, or already in as many groups as allowed; null if it can.</summary>
    private (DirectoryErrorCode Code, string Description)? JoinRefusal(PrincipalNode node, ObjectKind kind = ObjectKind.User)
    {
        if (!node.IsLive)
        {
            return (DirectoryErrorCode.NotFound, $"{(kind == ObjectKind.User ? "user" : "group")} not found");
        }

        return node.MemberOf.Length >= Limits.MaxDirectMemberOf && !node.MemberOf.Contains(ObjectId)
            ? (DirectoryErrorCode.ResourceExhausted, $"the member is already a direct member of {Limits.MaxDirectMemberOf} groups")
            : null;
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
}
