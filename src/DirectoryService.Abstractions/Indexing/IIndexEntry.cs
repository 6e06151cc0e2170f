namespace DirectoryService.Abstractions.Indexing;

/// <summary>A listing row: the id it is ordered by and whether the object is soft-deleted.</summary>
public interface IIndexEntry
{
    string Id { get; }

    DateTimeOffset? DeletedAt { get; }
}

/// <summary>Which rows a listing wants by deletion state.</summary>
public enum DeletionFilter
{
    LiveOnly = 0,
    DeletedOnly = 1,
    Any = 2,
}

/// <summary>A predicate over listing rows, evaluated inside the index grain so only matches travel.</summary>
public interface IIndexFilter<in TEntry>
    where TEntry : IIndexEntry
{
    bool Matches(TEntry entry);
}
