using DirectoryService.Abstractions.Indexing;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Indexing;

/// <summary>A bucket of a tenant's user listing index.</summary>
public sealed class UserIndexGrain(
    [PersistentState(StorageNames.Index, StorageNames.Directory)] IPersistentState<IndexState<UserIndexEntry>> state)
    : IndexGrain<UserIndexEntry, UserFilter>(state), IUserIndexGrain;
