using DirectoryService.Abstractions.Membership;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Membership;
using DirectoryService.Grains.Rows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DirectoryService.Grains;

/// <summary>Registers what the directory grains depend on.</summary>
public static class DirectoryGrainsExtensions
{
    /// <summary>Adds the services the grains need; the grain classes themselves are found by Orleans.</summary>
    public static ISiloBuilder AddDirectoryGrains(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton(new DirectoryClock(TimeProvider.System));
        silo.Services.TryAddSingleton<RowCodec>();
        silo.Services.TryAddSingleton<SignInMetrics>();
        silo.Services.TryAddSingleton<ClosureCache>();
        silo.Services.TryAddSingleton<UserCache>();
        silo.Services.TryAddSingleton<ICacheInvalidator, CacheInvalidator>();
        silo.Services.TryAddSingleton<SignInReads>();
        silo.Services.TryAddSingleton<ISignInReads>(services => services.GetRequiredService<SignInReads>());
        silo.Services.TryAddSingleton<ClosureWarmer>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<ClosureWarmer>());
        silo.AddGrainService<MembershipCacheService>();
        silo.AddOutgoingGrainCallFilter<IdempotentRetryFilter>();
        return silo;
    }
}
