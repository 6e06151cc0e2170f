namespace DirectoryService.Grains.Indexing;

/// <summary>
/// Object ids are random GUIDs, or placed ones whose first three hex digits are random per run of
/// 100 objects (<see cref="DirectoryService.Abstractions.Common.Identifiers.NewPlacedObjectId"/>), so those digits split a tenant's listing
/// index into 4,096 ordered, evenly filled buckets (about 25 rows each at 100,000 users, 250 at a
/// million): each bucket is one small partition for the writes, the same one as the state of the
/// objects of a placed run, and a listing reads the buckets as one span in id order.
/// </summary>
public static class IndexBuckets
{
    private const int Digits = 3;

    /// <summary>Sorts before every bucket: where a listing from the start begins.</summary>
    public const string First = "";

    public static string Of(string objectId) => objectId[..Digits];
}
