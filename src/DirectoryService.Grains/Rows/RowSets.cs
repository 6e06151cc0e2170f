using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Rows;

namespace DirectoryService.Grains.Rows;

/// <summary>The row sets of the directory and the grain that owns (alone writes) each.</summary>
public static class RowSets
{
    /// <summary>A group's members, nested groups and owed "member of" updates; owned by the group grain.</summary>
    public static RowSet Members(string tenantId, string groupId) => new(tenantId, "members", groupId);

    /// <summary>The groups a user or group is a direct member of; owned by that user or group grain.</summary>
    public static RowSet MemberOf(string tenantId, string objectId) => new(tenantId, "memberof", objectId);

    /// <summary>A bucket of the user listing index; each row is written by the user it describes.</summary>
    public static RowSet UserIndex(string tenantId, string bucket) => new(tenantId, "users", bucket);

    /// <summary>A bucket of the group listing index; each row is written by the group it describes.</summary>
    public static RowSet GroupIndex(string tenantId, string bucket) => new(tenantId, "groups", bucket);

    /// <summary>Reads every row of a key range, page by page.</summary>
    public static async Task<List<Row>> ReadAllAsync(this IRowStore rows, RowSet set, string after, string before)
    {
        var all = new List<Row>();
        var cursor = after;
        while (true)
        {
            var page = await rows.ReadAsync(set, cursor, before, 1000);
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
