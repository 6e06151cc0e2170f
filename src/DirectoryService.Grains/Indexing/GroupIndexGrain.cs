using DirectoryService.Abstractions.Indexing;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Indexing;

/// <summary>A bucket of a tenant's group listing index.</summary>
public sealed class GroupIndexGrain(
    [PersistentState(StorageNames.Index, StorageNames.Directory)] IPersistentState<IndexState<GroupIndexEntry>> state)
    : IndexGrain<GroupIndexEntry, GroupFilter>(state), IGroupIndexGrain;
