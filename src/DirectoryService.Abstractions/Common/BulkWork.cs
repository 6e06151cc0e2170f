namespace DirectoryService.Abstractions.Common;

/// <summary>
/// Marks the current call as bulk work — an import — in Orleans's <see cref="RequestContext"/>, which
/// travels with every grain call it makes, on any silo. Storage gives bulk work's requests only part
/// of a silo's connections (<c>BulkLane</c> in the storage layer), so that an import, which keeps as
/// many requests waiting as storage will take, does not queue ahead of other callers' requests.
/// </summary>
public static class BulkWork
{
    private const string Key = "directory.bulk";

    /// <summary>Marks the current call, and what it calls, as bulk work.</summary>
    public static void Mark() => RequestContext.Set(Key, true);

    /// <summary>Whether the current work is bulk work.</summary>
    public static bool IsCurrent => RequestContext.Get(Key) is true;
}
