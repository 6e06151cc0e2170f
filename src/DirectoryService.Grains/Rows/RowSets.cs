using DirectoryService.Abstractions.Common;
using DirectoryService.Grains.Indexing;
using DirectoryService.Abstractions.Rows;

namespace DirectoryService.Grains.Rows;

/// <summary>The row sets of the directory and the grain that owns (alone writes) each.</summary>
public static class RowSets
{
    /// <summary>A group's members, nested groups and owed "member of" updates; owned by the group grain.</summary>
    public static RowSet Members(string tenantId, string groupId) => new(tenantId, "members", groupId);

    /// <summary>One shard of a tenant's change feed of a kind (<c>users/0</c> …); owned by its <see cref="Changes.ChangeFeedGrain"/>.</summary>
    public static RowSet Changes(string tenantId, string shard) => new(tenantId, "changes", shard);

    /// <summary>
    /// The objects deleted on one UTC day (<c>yyyyMMdd</c>), rows <c>u:{id}</c> and <c>g:{id}</c>: the
    /// purge schedule. Each row is written by the object it names when it is deleted, and read and
    /// removed by the tenant's <see cref="Retention.RetentionGrain"/> once the day's retention ends.
    /// </summary>
    public static RowSet Purges(string tenantId, DateOnly day) => new(tenantId, "purges", day.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A bucket of the user listing index; each row is written by the user it describes.</summary>
    public static RowSet UserIndex(string tenantId, string bucket) => new(tenantId, RowSet.UserIndexKind, bucket);

    /// <summary>A bucket of the group listing index; each row is written by the group it describes.</summary>
    public static RowSet GroupIndex(string tenantId, string bucket) => new(tenantId, RowSet.GroupIndexKind, bucket);

    /// <summary>
    /// A bucket of the group display-name index: rows <c>{lower-case name}:{group id}</c>, each written
    /// by the group it names; 4,096 buckets by a stable hash of the name, so an exact-name lookup is one
    /// small range read whatever the tenant's size.
    /// </summary>
    public static RowSet GroupNames(string tenantId, string displayName) => new(tenantId, "groupnames", GroupNameBucket(displayName));

    /// <summary>The key prefix of a display name's rows in its bucket.</summary>
    public static string GroupNameKey(string displayName) => displayName.ToLowerInvariant() + ":";

    private static string GroupNameBucket(string displayName)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(displayName.ToLowerInvariant()));
        return Convert.ToHexStringLower(hash)[..3];
    }

    /// <summary>Reads every row of a key range, page by page.</summary>
    public static Task<List<Row>> ReadAllAsync(this IRowStore rows, RowSet set, string after, string before) =>
        DrainAsync(after, cursor => rows.ReadAsync(set, cursor, before, 1000));

    /// <summary>Reads every key of a key range, page by page.</summary>
    public static Task<List<string>> ReadAllKeysAsync(this IRowStore rows, RowSet set, string after, string before) =>
        DrainAsync(after, cursor => rows.ReadKeysAsync(set, cursor, before, 1000));

    private static async Task<List<T>> DrainAsync<T>(string after, Func<string, Task<Page<T>>> read)
    {
        var all = new List<T>();
        var cursor = after;
        while (true)
        {
            var page = await read(cursor);
            all.AddRange(page.Items);
            if (page.Next is null)
            {
                return all;
            }

            cursor = page.Next;
        }
    }

    /// <summary>The index bucket of an object id.</summary>
    public static string Bucket(string objectId) => IndexBuckets.Of(objectId);
}
