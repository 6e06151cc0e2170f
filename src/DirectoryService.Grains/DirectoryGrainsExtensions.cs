using DirectoryService.Grains.Common;
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
        return silo;
    }
}
