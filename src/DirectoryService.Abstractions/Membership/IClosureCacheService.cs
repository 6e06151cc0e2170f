using Orleans.Services;

namespace DirectoryService.Abstractions.Membership;

/// <summary>The closure cache of one silo, addressed per silo: a group whose node changed tells every silo to drop what it cached for the tenant.</summary>
public interface IClosureCacheService : IGrainService
{
    Task InvalidateAsync(string tenantId);
}
