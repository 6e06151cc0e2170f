using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Groups;

/// <summary>A group as read.</summary>
[GenerateSerializer, Immutable, Alias("GroupView")]
public sealed record GroupView(
    [property: Id(0)] string Id,
    [property: Id(1)] GroupProfile Profile,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string ETag,
    [property: Id(4)] DateTimeOffset? DeletedAt,
    [property: Id(5)] DateTimeOffset? ModifiedAt = null)
{
    /// <summary>When a soft-deleted group stops being restorable.</summary>
    public DateTimeOffset? PurgeAt => DeletedAt + Limits.SoftDeleteRetention;
}
