namespace DirectoryService.Abstractions.Indexing;

/// <summary>The listing row of a user: the properties users can be filtered by.</summary>
[GenerateSerializer, Immutable, Alias("UserIndexEntry")]
public sealed record UserIndexEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] string UserPrincipalName,
    [property: Id(2)] string Mail,
    [property: Id(3)] string DisplayName,
    [property: Id(4)] string Department,
    [property: Id(5)] bool AccountEnabled,
    [property: Id(6)] DateTimeOffset? DeletedAt,
    [property: Id(7)] string ExternalId = "") : IIndexEntry;
