using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Users;

/// <summary>A user as read.</summary>
[GenerateSerializer, Immutable, Alias("UserView")]
public sealed record UserView(
    [property: Id(0)] string Id,
    [property: Id(1)] UserProfile Profile,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string ETag,
    [property: Id(4)] DateTimeOffset? DeletedAt,
    [property: Id(5)] DateTimeOffset? ModifiedAt = null)
{
    /// <summary>When a soft-deleted user stops being restorable.</summary>
    public DateTimeOffset? PurgeAt => DeletedAt + Limits.SoftDeleteRetention;
}
