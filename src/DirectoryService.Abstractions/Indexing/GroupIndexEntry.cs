namespace DirectoryService.Abstractions.Indexing;

/// <summary>The listing row of a group: the properties groups can be filtered by.</summary>
[GenerateSerializer, Immutable, Alias("GroupIndexEntry")]
public sealed record GroupIndexEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string MailNickname,
    [property: Id(3)] bool SecurityEnabled,
    [property: Id(4)] DateTimeOffset? DeletedAt,
    [property: Id(5)] string ExternalId = "") : IIndexEntry;
