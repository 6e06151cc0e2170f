namespace DirectoryService.Abstractions.Indexing;

/// <summary>The filters of ListUsers; every given one must match. String comparisons ignore case.</summary>
[GenerateSerializer, Immutable, Alias("UserFilter")]
public sealed record UserFilter : IIndexFilter<UserIndexEntry>
{
    [Id(0)] public string? UserPrincipalName { get; init; }
    [Id(1)] public string? Mail { get; init; }
    [Id(2)] public string? DisplayNamePrefix { get; init; }
    [Id(3)] public string? Department { get; init; }
    [Id(4)] public bool? AccountEnabled { get; init; }
    [Id(5)] public DeletionFilter Deletion { get; init; }

    /// <summary>Matches users whose principal name ends with <c>@</c> and this domain.</summary>
    [Id(6)] public string? UpnDomain { get; init; }

    /// <summary>Exact equality (external ids are case-sensitive).</summary>
    [Id(7)] public string? ExternalId { get; init; }

    public bool Matches(UserIndexEntry entry) =>
        FilterRules.MatchesDeletion(Deletion, entry.DeletedAt)
        && FilterRules.Equal(UserPrincipalName, entry.UserPrincipalName)
        && FilterRules.Equal(Mail, entry.Mail)
        && FilterRules.Prefix(DisplayNamePrefix, entry.DisplayName)
        && FilterRules.Equal(Department, entry.Department)
        && (AccountEnabled is null || AccountEnabled == entry.AccountEnabled)
        && (ExternalId is null || ExternalId == entry.ExternalId)
        && (UpnDomain is null || entry.UserPrincipalName.EndsWith("@" + UpnDomain, StringComparison.OrdinalIgnoreCase));
}
