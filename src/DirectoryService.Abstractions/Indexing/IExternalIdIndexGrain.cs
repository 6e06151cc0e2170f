using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Indexing;

/// <summary>Owns one external id of one kind of object in one tenant, keyed by <c>{tenant}/{user|group}/{external id}</c> (exact).</summary>
[Alias("directory.IExternalIdIndexGrain")]
public interface IExternalIdIndexGrain : IUniqueKeyGrain;
