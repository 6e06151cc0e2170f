namespace DirectoryService.Grains.Indexing;

/// <summary>
/// Object ids are random GUIDs, so their first three hex digits split a tenant's listing index into
/// 4,096 ordered, evenly filled buckets (about 25 rows each at 100,000 users, 250 at a million):
/// each bucket is one small partition for the writes, and a listing reads the buckets as one span
/// in id order.
/// </summary>
public static class IndexBuckets
{
    private const int Digits = 3;

    /// <summary>Sorts before every bucket: where a listing from the start begins.</summary>
    public const string First = "";

    public static string Of(string objectId) => objectId[..Digits];
}
