namespace DirectoryService.Abstractions.Indexing;

/// <summary>The comparison rules every listing filter shares: an absent filter matches, strings ignore case.</summary>
public static class FilterRules
{
    public static bool Equal(string? wanted, string actual) =>
        string.IsNullOrEmpty(wanted) || string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase);

    public static bool Prefix(string? wanted, string actual) =>
        string.IsNullOrEmpty(wanted) || actual.StartsWith(wanted, StringComparison.OrdinalIgnoreCase);

    public static bool MatchesDeletion(DeletionFilter filter, DateTimeOffset? deletedAt) => filter switch
    {
        DeletionFilter.LiveOnly => deletedAt is null,
        DeletionFilter.DeletedOnly => deletedAt is not null,
        _ => true,
    };
}
