namespace DirectoryService.Grains.Common;

/// <summary>
/// Whether the current grain call repeats one whose outcome was lost (its silo left or failed
/// mid-call, <see cref="IdempotentRetryFilter"/>), carried in Orleans's <see cref="RequestContext"/>.
/// A write told so answers as its first attempt would have if that attempt is already in effect —
/// an update whose values are in place, a deletion of a deleted object, a removal of an absent
/// member — instead of refusing the repeat (stale etag, NOT_FOUND).
/// </summary>
public static class RetriedCall
{
    private const string Key = "directory.retry";

    public static void Mark() => RequestContext.Set(Key, true);

    public static bool IsRetry => RequestContext.Get(Key) is true;
}
