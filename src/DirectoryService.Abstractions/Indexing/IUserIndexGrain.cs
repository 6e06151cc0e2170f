namespace DirectoryService.Abstractions.Indexing;

/// <summary>A bucket of a tenant's user listing index.</summary>
public interface IUserIndexGrain : IIndexGrain<UserIndexEntry, UserFilter>;
