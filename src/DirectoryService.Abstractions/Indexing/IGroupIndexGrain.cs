namespace DirectoryService.Abstractions.Indexing;

/// <summary>A bucket of a tenant's group listing index.</summary>
public interface IGroupIndexGrain : IIndexGrain<GroupIndexEntry, GroupFilter>;
