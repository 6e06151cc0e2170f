namespace DirectoryService.Abstractions.Rows;

/// <summary>
/// A sorted set of small rows owned by one grain: a group's members, a principal's groups, a bucket
/// of a listing index. Each set is one storage partition, so a write to one set is atomic.
/// </summary>
public readonly record struct RowSet(string TenantId, string Kind, string Owner)
{
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
