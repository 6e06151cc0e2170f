using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// A group's part in a bulk import: it takes many users in as few bucket rewrites as it can and
/// hands their "member of" updates over to the import (<see cref="MemberOfOutbox.HandOver"/>), which
/// has the users apply them in bulk and confirms; or it only says whether they are all members, for
/// a batch the import tries as unchanged.
/// </summary>
public sealed partial class GroupGrain
{
    /// <summary>The bucket cache of a group that receives a bulk import: about 400 full buckets (100,000 members).</summary>
    private const int ImportCacheBytes = 4 * 1024 * 1024;

    public async Task<bool> HasMembersAsync(ImmutableArray<ObjectRef> users, string importer)
    {
        RequireProfile(field: DomainFields.Group);
        await ReadyForImportAsync(importer);
        return (await Members.AbsentAsync([.. users.DistinctBy(u => u.Id)])).Count == 0;
    }

    public async Task<MemberImport> ImportMembersAsync(ImmutableArray<ObjectRef> users, string? importer)
    {
        RequireProfile(field: DomainFields.Group);
        if (users.Any(u => u.Kind != ObjectKind.User))
        {
            throw DirectoryException.Invalid(DomainFields.Member, "groups join through the tenant's nesting grain, which rules out cycles");
        }

        if (importer is null)
        {
            await Outbox.DeliverAsync(rethrow: true);
            Members.WidenCache(ImportCacheBytes);
        }
        else
        {
            await ReadyForImportAsync(importer);
        }

        var distinct = users.DistinctBy(u => u.Id).ToList();
        var absent = (await Members.AbsentAsync(distinct)).ToHashSet();
        var refused = new List<MemberRefusal>();
        var joining = new List<ObjectRef>();
        var candidates = users.Select((u, i) => (User: u, Index: i)).Where(c => absent.Remove(c.User)).ToList();
        var nodes = await Task.WhenAll(candidates.Select(c => GrainFactory.User(TenantId, c.User.Id).GetNodeAsync()));
        for (var i = 0; i < candidates.Count; i++)
        {
            if (JoinRefusal(nodes[i]) is { } refusal)
            {
                refused.Add(new MemberRefusal(candidates[i].Index, refusal.Code, refusal.Description));
            }
            else
            {
                joining.Add(candidates[i].User);
            }
        }

        // Buckets are split for all of them first; then, in id order (the buckets' order), each
        // change takes as many members as fall in the buckets one atomic write may rewrite.
        joining.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        await Members.MakeRoomAsync(joining);
        var joined = new List<string>();
        var handover = importer is null ? 0 : Outbox.NewHandover();
        foreach (var run in Members.Pack(joining, MaxBucketsPerWrite).ToList())
        {
            var change = MemberChange.Add(run);
            if (importer is null)
            {
                joined.AddRange((await ApplyAsync(change)).Joining.Select(m => m.Id));
                continue;
            }

            // The change's updates go to the import, under one handover for the whole call.
            var (row, applied) = await ApplyRowsAsync(change);
            joined.AddRange(applied.Joining.Select(m => m.Id));
            if (!applied.IsEmpty)
            {
                Outbox.HandOver(row, applied.Owed, handover, importer);
            }
        }

        return new MemberImport([.. joined], [.. refused], importer is null || joined.Count == 0 ? null : handover, importer is null ? [] : [.. joined]);
    }

    public Task<long?> OwesAsync(string memberId) => Outbox.OwesAsync(memberId);

    public Task DeliveredAsync(ImmutableArray<long> handovers, ImmutableArray<string> memberIds)
    {
        Outbox.Delivered(handovers, memberIds);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Before an import's call: keeps every bucket read or written in memory (so the import's next
    /// calls to a large group read none), reads a cold group's rows at once, and delivers what the
    /// group owes from changes other than this import's.
    /// </summary>
    private async Task ReadyForImportAsync(string importer)
    {
        Members.WidenCache(ImportCacheBytes);
        await Members.PreloadAsync();
        await Outbox.DeliverAllButAsync(importer);
    }
}
