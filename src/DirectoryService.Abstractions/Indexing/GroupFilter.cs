namespace DirectoryService.Abstractions.Indexing;

/// <summary>The filters of ListGroups; every given one must match. String comparisons ignore case.</summary>
[GenerateSerializer, Immutable, Alias("GroupFilter")]
public sealed record GroupFilter : IIndexFilter<GroupIndexEntry>
{
    [Id(0)] public string? DisplayNamePrefix { get; init; }
    [Id(1)] public string? MailNickname { get; init; }
    [Id(2)] public bool? SecurityEnabled { get; init; }
    [Id(3)] public DeletionFilter Deletion { get; init; }

    /// <summary>Exact equality (external ids are case-sensitive).</summary>
    [Id(4)] public string? ExternalId { get; init; }

    public bool Matches(GroupIndexEntry entry) =>
        FilterRules.MatchesDeletion(Deletion, entry.DeletedAt)
        && FilterRules.Prefix(DisplayNamePrefix, entry.DisplayName)
        && FilterRules.Equal(MailNickname, entry.MailNickname)
        && (SecurityEnabled is null || SecurityEnabled == entry.SecurityEnabled)
        && (ExternalId is null || ExternalId == entry.ExternalId);
}
