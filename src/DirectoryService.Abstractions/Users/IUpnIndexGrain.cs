using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Users;

/// <summary>Owns one user principal name of one tenant, keyed by <c>{tenant}/{lower-case upn}</c>.</summary>
[Alias("directory.IUpnIndexGrain")]
public interface IUpnIndexGrain : IUniqueKeyGrain;
