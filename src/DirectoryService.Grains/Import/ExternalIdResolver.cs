using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Import;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Indexing;

namespace DirectoryService.Grains.Import;

/// <summary>
/// Finds the objects of one tenant by external id for one import, through the key buckets that bind
/// external ids, and remembers what it found or created, so that the memberships of an import
/// resolve their ends without a call each. Memory is bounded: at most <paramref name="capacity"/>
/// entries, the least recently used dropped first (two generations), whatever the import's size.
/// An external id is resolved once per import: a change of it made meanwhile through another door
/// is seen by the import's later records only once the entry is dropped.
/// </summary>
public sealed class ExternalIdResolver(IGrainFactory grains, string tenantId, StoredObjects stored, int capacity = ExternalIdResolver.DefaultCapacity)
{
    /// <summary>About 40 MB of entries.</summary>
    public const int DefaultCapacity = 250_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<(ObjectKind, string), string> _newIds = [];

    /// <summary>The ids <see cref="NewId"/> minted that no create has used yet.</summary>
    private readonly HashSet<string> _unused = [];
    private Dictionary<(ObjectKind, string), string> _recent = [];
    private Dictionary<(ObjectKind, string), string> _older = [];

    /// <summary>The id of the object of <paramref name="kind"/> that holds <paramref name="externalId"/> (live or soft-deleted), or null.</summary>
    public async Task<string?> FindAsync(ObjectKind kind, string externalId) =>
        Remembered((kind, externalId)) ?? await HolderAsync(kind, externalId, await ExternalIds.Index(grains, tenantId, kind, externalId).GetOwnerAsync());

    /// <summary>
    /// <see cref="FindAsync"/> for many keys at once (a batch's): their bindings first, then the
    /// stored states of the objects they name, a partition at a time (<see cref="StoredObjects"/>),
    /// so that neither confirming a holder nor loading an unchanged object needs its grain.
    /// </summary>
    public async Task<string?[]> FindAllAsync(IReadOnlyList<(ObjectKind Kind, string ExternalId)> keys)
    {
        var owners = new string?[keys.Count];
        var known = new bool[keys.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), KeyedRecords.Options(KeyedRecords.Parallelism, CancellationToken.None), async (i, _) =>
        {
            var (kind, externalId) = keys[i];
            owners[i] = Remembered((kind, externalId));
            known[i] = owners[i] is not null;
            owners[i] ??= await ExternalIds.Index(grains, tenantId, kind, externalId).GetOwnerAsync();
        });
        await stored.ReadAsync(Enumerable.Range(0, keys.Count)
            .Where(i => !known[i] && owners[i] is { } id && !IsUnused(id))
            .Select(i => new ObjectRef(owners[i]!, keys[i].Kind)));
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), KeyedRecords.Options(KeyedRecords.Parallelism, CancellationToken.None), async (i, _) =>
        {
            if (!known[i])
            {
                owners[i] = await HolderAsync(keys[i].Kind, keys[i].ExternalId, owners[i]);
            }
        });
        return owners;
    }

    /// <summary>The object a binding names if it holds the external id (remembered then); null if none does.</summary>
    private async Task<string?> HolderAsync(ObjectKind kind, string externalId, string? id)
    {
        // Bound ahead to the id this batch minted for it (KeysAhead), which no create has used yet: nothing holds it.
        if (id is null || IsUnused(id))
        {
            return null;
        }

        // A binding outlives its holder when a create failed after reserving it, or a change of external
        // id was cut short: stored, the object holds it; otherwise its grain says (it may be taking it now).
        var principal = new ObjectRef(id, kind);
        if (!stored.Holds(principal, externalId) && !await grains.Principal(tenantId, principal).HoldsExternalIdAsync(externalId))
        {
            return null;
        }

        Add((kind, externalId), id);
        return id;
    }

    /// <summary>
    /// The object that holds the external id (live or soft-deleted), as stored before the batch
    /// (<see cref="FindAllAsync"/>) or as <paramref name="load"/> answers from its grain; null if none does.
    /// A stored state serves one record, unless <paramref name="unchangedOnly"/> (a pass that changes nothing).
    /// </summary>
    public async Task<Found<TProfile>?> LoadAsync<TProfile>(ObjectKind kind, string externalId, Func<string, Task<Found<TProfile>>> load, bool unchangedOnly = false)
        where TProfile : class
    {
        if (await FindAsync(kind, externalId) is not { } id)
        {
            return null;
        }

        if (stored.Take<TProfile>(new ObjectRef(id, kind), keep: unchangedOnly) is { } profile)
        {
            return new Found<TProfile>(id, profile, DeletedAt: null);
        }

        try
        {
            return await load(id);
        }
        catch (DirectoryException e) when (e.Code == DirectoryErrorCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// How many new objects in a row share a placement: an entity group transaction's most rows, so
    /// the state rows (and listing rows) of the objects a batch creates side by side go to storage
    /// in a few shared transactions instead of one request each.
    /// </summary>
    public const int ObjectsPerPlacement = 100;

    private int _placement = Random.Shared.Next(Identifiers.Placements);
    private int _placed;

    /// <summary>
    /// The id an object of the current batch is created with if none holds its external id: chosen
    /// before the batch runs, so that the batch's audit record can name it. Ids are placed
    /// (<see cref="Identifiers.NewPlacedObjectId"/>): each run of <see cref="ObjectsPerPlacement"/>
    /// shares a placement, a random one per run, so a tenant's objects still fill every partition evenly.
    /// </summary>
    public string NewId(ObjectKind kind, string externalId)
    {
        lock (_lock)
        {
            if (!_newIds.TryGetValue((kind, externalId), out var id))
            {
                if (_placed++ == ObjectsPerPlacement)
                {
                    (_placement, _placed) = (Random.Shared.Next(Identifiers.Placements), 1);
                }

                _newIds[(kind, externalId)] = id = Identifiers.NewPlacedObjectId(_placement);
                _unused.Add(id);
            }

            return id;
        }
    }

    /// <summary>
    /// Creates the object of <paramref name="kind"/> for the external id, with the id
    /// <see cref="NewId"/> chose, and remembers it. The first create under a minted id is marked as
    /// the first call ever made to its grain (<see cref="FreshObjects"/>), so its activation does not
    /// read storage for state that cannot exist; a record tried again reads as any call does.
    /// </summary>
    public async Task<T> CreateAsync<T>(ObjectKind kind, string externalId, Func<string, Task<T>> create)
    {
        var id = NewId(kind, externalId);
        bool first;
        lock (_lock)
        {
            first = _unused.Remove(id);
        }

        var grain = GrainId.Create(kind == ObjectKind.Group ? GrainTypes.Group : GrainTypes.User, GrainKeys.Scoped(tenantId, id));
        var created = first ? await FreshObjects.CreatingAsync(grain, () => create(id)) : await create(id);
        Remember(kind, externalId, id);
        return created;
    }

    /// <summary>The id <see cref="NewId"/> chose for the external id in this batch, if it chose one.</summary>
    public string? PlannedId(ObjectKind kind, string externalId)
    {
        lock (_lock)
        {
            return _newIds.GetValueOrDefault((kind, externalId));
        }
    }

    /// <summary>Whether <paramref name="id"/> is one <see cref="NewId"/> minted for this batch that no create has used yet.</summary>
    private bool IsUnused(string id)
    {
        lock (_lock)
        {
            return _unused.Contains(id);
        }
    }

    /// <summary>Ends a batch: ids chosen for it and not used are given up.</summary>
    public void EndBatch()
    {
        stored.Clear();
        lock (_lock)
        {
            _newIds.Clear();
            _unused.Clear();
        }
    }

    /// <summary>Remembers that the object <paramref name="id"/> holds the external id (it was just created or confirmed).</summary>
    public void Remember(ObjectKind kind, string externalId, string id) => Add((kind, externalId), id);

    private string? Remembered((ObjectKind, string) key)
    {
        lock (_lock)
        {
            if (_recent.TryGetValue(key, out var id))
            {
                return id;
            }

            if (_older.Remove(key, out id))
            {
                AddLocked(key, id);
            }

            return id;
        }
    }

    private void Add((ObjectKind, string) key, string id)
    {
        lock (_lock)
        {
            AddLocked(key, id);
        }
    }

    private void AddLocked((ObjectKind, string) key, string id)
    {
        if (_recent.Count >= capacity / 2)
        {
            (_older, _recent) = (_recent, []);
        }

        _recent[key] = id;
    }
}

/// <summary>An object an import found by its external id: its id, profile and soft-deletion mark.</summary>
public sealed record Found<TProfile>(string Id, TProfile Profile, DateTimeOffset? DeletedAt);
