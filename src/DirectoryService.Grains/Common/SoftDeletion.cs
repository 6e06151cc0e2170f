using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;

namespace DirectoryService.Grains.Common;

/// <summary>Soft-delete lifetime: an object deleted longer ago than the retention period counts as gone.</summary>
public static class SoftDeletion
{
    private static DateTimeOffset PurgeTime(DateTimeOffset deletedAt) => deletedAt + Limits.SoftDeleteRetention;

    public static ObjectState StateOf(bool exists, DateTimeOffset? deletedAt, DateTimeOffset now) =>
        !exists ? ObjectState.Missing
        : deletedAt is null ? ObjectState.Live
        : now < PurgeTime(deletedAt.Value) ? ObjectState.Deleted
        : ObjectState.Missing;
}
