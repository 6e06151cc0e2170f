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
/// its state name) in one spread of a tenant. Storage without it (process memory) is read one grain
/// at a time.
/// </summary>
public interface IGrainStateSpreads
{
    /// <summary>The stored states of the grains of the <paramref name="kinds"/> (type and state name) in <paramref name="spread"/> of the tenant.</summary>
    Task<IReadOnlyList<SpreadState<T>>> ReadSpreadAsync<T>(string tenantId, string spread, IReadOnlyList<(GrainType Type, string StateName)> kinds);
}
