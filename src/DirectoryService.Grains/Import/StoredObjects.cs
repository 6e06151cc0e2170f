using System.Collections.Concurrent;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Common;
using Orleans.Storage;

namespace DirectoryService.Grains.Import;

/// <summary>
/// The stored users and groups a batch names, read from storage a partition at a time
/// (<see cref="IGrainStateSpreads.ReadSpreadAsync{T}"/>) before the batch is applied, so that a
/// record that matches what is stored is answered without its object's grain. A re-run of an import
/// finds nearly every object unchanged: after a restart, that was one activation and one storage
/// read per object (100,000 of each for the default dataset); an import's objects share partitions
/// (placed ids, <see cref="ExternalIdResolver.ObjectsPerPlacement"/> to a partition), so a batch's
/// states come in a few reads.
/// <para>
/// Exact because storage is never behind what a grain answers: a grain stores a change before it
/// acknowledges it, and its activation holds what it stored. A record found to match is unchanged as
/// of the read (an unacknowledged change that lands later is a concurrent one, ordered after). Only a
/// live object is kept (a soft-deleted one, whose answer depends on the retention clock, goes through
/// its grain), an entry serves once (a second record of one key in the batch reads the grain, which
/// may hold the first one's change), and everything is dropped when the batch ends.
/// </para>
/// </summary>
public sealed class StoredObjects(IGrainStorage storage, string tenantId)
{
    /// <summary>
    /// A partition is read only when at least this many of the batch's objects are in it: objects the
    /// single-object API created have hashed, scattered partitions (~25 objects each at 100,000), for
    /// which one read per object is cheaper than one read of a partition per object.
    /// </summary>
    public const int MinObjectsPerRead = 4;

    /// <summary>How many partitions are read at once.</summary>
    private const int Parallelism = 16;

    private static readonly IReadOnlyList<(GrainType, string)> Users = [(GrainType.Create(GrainTypes.User), StorageNames.User)];
    private static readonly IReadOnlyList<(GrainType, string)> Groups = [(GrainType.Create(GrainTypes.Group), StorageNames.Group)];

    private readonly ConcurrentDictionary<ObjectRef, object> _live = new();

    /// <summary>Reads the stored states of the objects (existing ones, as their bindings name them), a partition at a time.</summary>
    public async Task ReadAsync(IEnumerable<ObjectRef> objects)
    {
        if (storage is not IGrainStateSpreads spreads)
        {
            return;
        }

        var reads = objects.Distinct()
            .GroupBy(o => (o.Kind, Spread: StateSpreads.Of(GrainId.Create(GrainTypeOf(o.Kind), GrainKeys.Scoped(tenantId, o.Id)))))
            .Where(g => g.Count() >= MinObjectsPerRead)
            .Select(g => (g.Key.Kind, g.Key.Spread, Wanted: g.ToHashSet()))
            .ToList();
        await Parallel.ForEachAsync(reads, KeyedRecords.Options(Parallelism, CancellationToken.None), async (read, _) =>
        {
            if (read.Kind == ObjectKind.User)
            {
                Keep(read.Wanted, await spreads.ReadSpreadAsync<DirectoryObjectState<UserProfile>>(tenantId, read.Spread, Users), ObjectKind.User);
            }
            else
            {
                Keep(read.Wanted, await spreads.ReadSpreadAsync<DirectoryObjectState<GroupProfile>>(tenantId, read.Spread, Groups), ObjectKind.Group);
            }
        });
    }

    /// <summary>Whether the object is stored live holding <paramref name="externalId"/>.</summary>
    public bool Holds(ObjectRef principal, string externalId) => _live.TryGetValue(principal, out var profile) && profile switch
    {
        UserProfile user => user.ExternalId == externalId,
        GroupProfile group => group.ExternalId == externalId,
        _ => false,
    };

    /// <summary>
    /// The stored profile of a live object: null if it was not read, or was served already. Served
    /// once, unless <paramref name="keep"/>: for a pass that changes nothing, after which it still holds.
    /// </summary>
    public TProfile? Take<TProfile>(ObjectRef principal, bool keep = false)
        where TProfile : class =>
        (keep ? _live.TryGetValue(principal, out var profile) : _live.TryRemove(principal, out profile)) ? profile as TProfile : null;

    /// <summary>Drops everything read (the batch ended).</summary>
    public void Clear() => _live.Clear();

    private void Keep<TProfile>(HashSet<ObjectRef> wanted, IReadOnlyList<SpreadState<DirectoryObjectState<TProfile>>> found, ObjectKind kind)
        where TProfile : class
    {
        foreach (var stored in found)
        {
            var principal = new ObjectRef(GrainKeys.Split(stored.GrainId.Key.ToString()!).LocalKey, kind);
            if (wanted.Contains(principal) && stored.State is { Purging: false, DeletedAt: null, Profile: { } live })
            {
                _live[principal] = live;
            }
        }
    }

    private static string GrainTypeOf(ObjectKind kind) => kind == ObjectKind.Group ? GrainTypes.Group : GrainTypes.User;
}
