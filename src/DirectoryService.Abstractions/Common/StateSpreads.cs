namespace DirectoryService.Abstractions.Common;

/// <summary>
/// Where grain state is kept: each grain's state row lives in one of <see cref="Identifiers.Placements"/>
/// storage partitions ("spreads") of its tenant, chosen by a stable hash of the grain id unless the
/// grain's key places it (<see cref="Identifiers.PlacementOf"/>). Grains that must find many states
/// at once (<c>KeyBucketGrain</c>) group keys by the spread their rows are in.
/// </summary>
public static class StateSpreads
{
    /// <summary>The spread of a grain whose key does not place it: the hash of its id (<c>type/key</c>), three hex digits.</summary>
    public static string Hashed(string grainId) =>
        (StableHash(grainId) % Identifiers.Placements).ToString("x3", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The grain type of rows a grain keeps in a spread it chooses rather than one its id hashes to
    /// (<see cref="SpreadRowId"/>): a key bucket's pages of bindings, kept in the partition its
    /// keys' own rows were in.
    /// </summary>
    public const string SpreadRowType = "spreadrow";

    /// <summary>The id of row <paramref name="name"/> kept in <paramref name="spread"/> of the tenant (<c>spreadrow/{tenant}/{spread}/{name}</c>).</summary>
    public static GrainId SpreadRowId(string tenantId, string spread, string name) =>
        GrainId.Create(SpreadRowType, $"{tenantId}/{spread}/{name}");

    /// <summary>
    /// The spread a grain's state row is kept in: the one a <see cref="SpreadRowId"/> names; for a
    /// grain keyed by its tenant and a placed object id, the id's placement
    /// (<see cref="Identifiers.PlacementOf"/>: the objects an import creates together share
    /// partitions, so their writes are group-committed); otherwise the hash of its id (ids minted
    /// before placed ids existed keep it, so no stored row moves).
    /// </summary>
    public static string Of(GrainId grainId)
    {
        if (NamedSpread(grainId) is { } named)
        {
            return named;
        }

        var key = grainId.Key.ToString()!;
        var at = key.IndexOf('/', StringComparison.Ordinal);
        return (at > 0 ? Identifiers.PlacementOf(key[(at + 1)..]) : null) ?? Hashed(grainId.ToString());
    }

    /// <summary>The spread a <see cref="SpreadRowId"/> names; null for any other grain id.</summary>
    public static string? NamedSpread(GrainId grainId)
    {
        if (grainId.Type.ToString() != SpreadRowType)
        {
            return null;
        }

        var parts = grainId.Key.ToString()!.Split('/', 3);
        return parts.Length == 3 ? parts[1] : null;
    }

    /// <summary>The name a <see cref="SpreadRowId"/> gives its row; null for any other grain id.</summary>
    public static string? RowName(GrainId grainId) =>
        NamedSpread(grainId) is null ? null : grainId.Key.ToString()!.Split('/', 3)[2];

    /// <summary>A stable 32-bit FNV-1a hash: the same in every process and version, unlike string.GetHashCode.</summary>
    public static uint StableHash(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}

/// <summary>One stored grain state found by <see cref="IGrainStateSpreads.ReadSpreadAsync{T}"/>.</summary>
public sealed record SpreadState<T>(GrainId GrainId, T State, string ETag);

/// <summary>
/// Grain storage that can read, in one request, every stored state of some grain types (each with
/// its state name) in one spread of a tenant, and write several states of one spread as one
/// request. Storage without it (process memory) is read and written one grain at a time.
/// </summary>
public interface IGrainStateSpreads
{
    /// <summary>Most states one <see cref="WriteSpreadAsync{T}"/> writes: an entity group transaction's most rows.</summary>
    const int MaxStatesPerWrite = 100;

    /// <summary>The stored states of the grains of the <paramref name="kinds"/> (type and state name) in <paramref name="spread"/> of the tenant.</summary>
    Task<IReadOnlyList<SpreadState<T>>> ReadSpreadAsync<T>(string tenantId, string spread, IReadOnlyList<(GrainType Type, string StateName)> kinds);

    /// <summary>
    /// Writes the states (at most <see cref="MaxStatesPerWrite"/>, all in <paramref name="spread"/> of
    /// the tenant) all or none, each conditional on its etag as a single write is; sets each one's
    /// new etag. Throws <see cref="Orleans.Storage.InconsistentStateException"/> when a condition
    /// fails (nothing written); any other failure leaves the outcome unknown.
    /// </summary>
    Task WriteSpreadAsync<T>(string tenantId, string spread, IReadOnlyList<(GrainId GrainId, string StateName, IGrainState<T> State)> writes);
}
