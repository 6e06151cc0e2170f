namespace DirectoryService.Abstractions.Rows;

/// <summary>
/// A sorted set of small rows owned by one grain: a group's members, a principal's groups, a bucket
/// of a listing index. Each set is one storage partition, so a write to one set is atomic.
/// </summary>
public readonly record struct RowSet(string TenantId, string Kind, string Owner)
{
    /// <summary>
    /// Kinds whose sets are read together (<see cref="IRowStore.ReadSpanAsync"/>): the buckets of the
    /// listing indexes. A store keeps a tenant's sets of such a kind side by side.
    /// </summary>
    public static readonly IReadOnlySet<string> Spanned = new HashSet<string>(StringComparer.Ordinal) { UserIndexKind, GroupIndexKind };

    public const string UserIndexKind = "users";

    public const string GroupIndexKind = "groups";

    public override string ToString() => $"{TenantId}/{Kind}/{Owner}";
}

/// <summary>One row: a key that orders it within its set, and a small value.</summary>
public sealed record Row(string Key, byte[] Value);

/// <summary>A change to one row of a set.</summary>
public sealed record RowWrite(string Key, byte[]? Value)
{
    public static RowWrite Upsert(string key, byte[] value) => new(key, value);

    /// <summary>Deletes a row the writer knows to exist (a set's owner is its only writer).</summary>
    public static RowWrite Delete(string key) => new(key, null);

    public bool IsDelete => Value is null;
}
