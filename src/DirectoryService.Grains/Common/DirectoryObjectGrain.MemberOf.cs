using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Common;

/// <summary>
/// The "member of" side of the relation, kept in the object's state: the groups, which hold the
/// source of truth, bring it up to date (one update at a time, or, for a bulk import, every group
/// the import handed over in one write) before they acknowledge a change. Every update is
/// idempotent: a replay of one that landed stores nothing and re-reads the snapshot instead.
/// </summary>
public abstract partial class DirectoryObjectGrain<TProfile, TView>
{
    public async Task AddMemberOfAsync(string groupId)
    {
        if (State.MemberOf.Add(groupId))
        {
            await StoreAsync();
            await NodeChangedAsync();
        }
        else
        {
            // A replay of an update whose first attempt had an unknown outcome but landed.
            await TakeSnapshotAsync();
        }
    }

    public async Task<ImmutableArray<long>> ApplyOwedMemberOfAsync(ImmutableArray<string> groupIds)
    {
        // Asked inside this turn: a group's later change reaches this object only after it, in order.
        var owed = await Task.WhenAll(groupIds.Select(g => GrainFactory.Group(TenantId, g).OwesAsync(ObjectId)));
        var changed = false;
        for (var i = 0; i < groupIds.Length; i++)
        {
            changed |= owed[i] is not null && State.MemberOf.Add(groupIds[i]);
        }

        if (changed)
        {
            await StoreAsync();
            await NodeChangedAsync();
        }

        return [.. owed.Select(o => o ?? -1)];
    }

    public async Task RemoveMemberOfAsync(string groupId)
    {
        if (State.MemberOf.Remove(groupId))
        {
            await StoreAsync();
            await NodeChangedAsync();
        }
        else
        {
            await TakeSnapshotAsync();
        }
    }
}
